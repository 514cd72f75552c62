/*
 * correlator/core/fields.h - the catalogue of event field names and their value
 * types (docs/events.md in table form): the rule checker validates names and
 * comparisons against it, `correlator rules fields` would print it, and the
 * jsonl reader uses it to give values read back from JSON their types again
 * (a duration is written as nanoseconds, an address as a string).
 * Open-ended families (event.data.*, tcp.options.*, etw.*, ...) are prefixes
 * whose members may be anything.
 * Does not: read events (event.h) or evaluate rules (rule_eval.c).
 */
#ifndef CORRELATOR_FIELDS_H
#define CORRELATOR_FIELDS_H

#include <stdbool.h>

#include "event.h"

struct field_def {
	const char *name;
	enum value_type type;   /* V_NONE: any type */
	const char *doc;
};

/* The definition of name, or NULL. A name under an open prefix gets a
 * definition of type V_NONE (any). */
const struct field_def *fields_lookup(const char *name);

/* The table itself, NULL-name terminated, and the open prefixes (NULL-terminated). */
extern const struct field_def fields_table[];
extern const char *const fields_open_prefixes[];

/* Human name of a value type for messages: "number", "duration", "address", ... */
const char *fields_type_name(enum value_type t);

#endif
