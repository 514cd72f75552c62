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
#include <stdint.h>

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

/* A "parent": a name that is a field and also the dotted prefix of other
 * fields (tcp.flags and tcp.flags.syn, fw.result and fw.result.code,
 * path.delay and path.delay.min). An index that reads dotted keys as object
 * paths cannot hold both, so the JSONL export spells the parent's own value
 * NAME FIELDS_PARENT_SUFFIX (tcp.flags.value); the jsonl reader maps it back.
 * Names under an open prefix count when a shipped parser or analyzer writes
 * children for them (fields.c lists those). */
#define FIELDS_PARENT_SUFFIX ".value"
bool fields_is_parent(const char *name, size_t len);
/* The same, given the name's 32-bit FNV-1a hash (the JSON writer has it). */
bool fields_is_parent_hashed(const char *name, size_t len, uint32_t fnv1a);

/* The event types parsers and analyzers emit (NULL-terminated), the open type
 * families (etw., rule., x.), and whether a rule step's type can ever match:
 * a type, a dotted prefix of one (tcp.handshake), "any", or under an open family. */
extern const char *const event_types[];
extern const char *const event_type_open_prefixes[];
bool fields_event_type_known(const char *type);

#endif
