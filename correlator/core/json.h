/*
 * correlator/core/json.h - writing JSON and CSV text safely: strings escaped,
 * control bytes and invalid UTF-8 replaced, so hostile input cannot break the
 * output a script reads.
 * Output goes through a buffer (struct jbuf: its own 8 KiB, or a block the
 * caller gives, the timeline's 256 KiB) that is flushed to the FILE when full
 * and by jbuf_flush: safe runs of bytes are copied in one memcpy and integers
 * are formatted by hand, the hot path of the timeline. A key cache (struct
 * jkeys) keeps the escaped "name": text of each field name a writer has seen,
 * so a long run does not escape and classify the same names per event.
 * Does not: parse JSON.
 */
#ifndef CORRELATOR_JSON_H
#define CORRELATOR_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "event.h"

#define JBUF_SIZE 8192

struct jkeys;

/* An output buffer in front of a FILE (normally on the caller's stack). */
struct jbuf {
	FILE *f;
	char *b;             /* local, or the caller's block (jbuf_init_mem) */
	size_t n, cap;
	unsigned qn;         /* bytes per '"' that jbuf_str writes: 1, or 2 inside a CSV cell */
	struct jkeys *keys;  /* NULL: field names escaped every time; borrowed */
	char local[JBUF_SIZE];
};

/* Write through cap bytes at mem (borrowed: must outlive the jbuf); cap at
 * least 64 (a number is written whole). f NULL: nothing may overflow it. */
static inline void jbuf_init_mem(struct jbuf *j, FILE *f, char *mem, size_t cap)
{
	j->f = f;
	j->b = mem;
	j->n = 0;
	j->cap = cap;
	j->qn = 1;
	j->keys = NULL;
}

static inline void jbuf_init(struct jbuf *j, FILE *f)
{
	jbuf_init_mem(j, f, j->local, JBUF_SIZE);
}

/* A cache of field-name key text for jbuf.keys. Caller owns the result;
 * free with jkeys_free. */
struct jkeys *jkeys_new(void);
void jkeys_free(struct jkeys *k);

/* Write out what is buffered (one fwrite). */
void jbuf_flush(struct jbuf *j);
void jbuf_put(struct jbuf *j, const void *p, size_t n);

static inline void jbuf_putc(struct jbuf *j, char c)
{
	if (j->n == j->cap)
		jbuf_flush(j);
	j->b[j->n++] = c;
}

static inline void jbuf_puts(struct jbuf *j, const char *s)
{
	jbuf_put(j, s, strlen(s));
}

void jbuf_i64(struct jbuf *j, int64_t v);
void jbuf_u64(struct jbuf *j, uint64_t v);

/* The same writers as below, into a jbuf. */
void jbuf_str(struct jbuf *j, const char *s, size_t n);
void jbuf_cstr(struct jbuf *j, const char *s);
void jbuf_value(struct jbuf *j, const struct value *v);
void jbuf_fields(struct jbuf *j, const struct event *ev);
/* the same, with a parent field's own value spelt NAME.value (fields.h
 * fields_is_parent): no key is both a leaf and the prefix of another, as an
 * index such as Timesketch's OpenSearch needs (timeline -f jsonl) */
void jbuf_fields_indexable(struct jbuf *j, const struct event *ev);
void jbuf_flow(struct jbuf *j, const struct event *ev);

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
void jbuf_csv_cell(struct jbuf *j, const char *s, size_t n);
/* An event's fields as JSON (jbuf_fields) in one CSV cell, the bytes
 * csv_cell would write for that JSON, without building it first. */
void jbuf_csv_fields(struct jbuf *j, const struct event *ev);

/* Text safe for a terminal: control bytes shown as \xNN. */
void text_safe(FILE *f, const char *s, size_t n);

#endif
