/*
 * correlator/json.h - writing JSON and CSV text safely: strings escaped,
 * control bytes and invalid UTF-8 replaced, so hostile input cannot break the
 * output a script reads.
 * Does not: parse JSON.
 */
#ifndef CORRELATOR_JSON_H
#define CORRELATOR_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "event.h"

/* A JSON string literal, quotes included. */
void json_str(FILE *f, const char *s, size_t n);
void json_cstr(FILE *f, const char *s);
/* A field value as JSON: number, true/false, or string (addresses, durations
 * as strings; durations also get a _ns sibling from json_fields). */
void json_value(FILE *f, const struct value *v);
/* {"name": value, ...} for an event's fields. */
void json_fields(FILE *f, const struct event *ev);
/* {"src": ..., "sport": ..., ...} or null. */
void json_flow(FILE *f, const struct event *ev);

/* A CSV cell (RFC 4180): quoted when it holds a separator, quote or newline. */
void csv_cell(FILE *f, const char *s, size_t n);

/* Text safe for a terminal: control bytes shown as \xNN. */
void text_safe(FILE *f, const char *s, size_t n);

#endif
