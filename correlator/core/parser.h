/*
 * correlator/core/parser.h - the plug-in interface every input format implements.
 * A parser is one struct: a content sniffer and an open/next/close reader that
 * turns one file into a stream of events. The registry (correlator/
 * parser_registry.c) lists them all; adding a format is adding a file and a line.
 *
 * Contract:
 *  - sniff() looks only at the first bytes of a file, is pure, and scores
 *    0 (not mine) .. 100 (certain). Never the file name.
 *  - open() gets the path of one file; on failure it returns -1 after
 *    source_error() says why. The source's options (tz, limits) are on src.
 *  - next_event() fills *ev (already reset, ev->ref preset to 0) and returns
 *    PR_EVENT; PR_SKIP after source_skip() counted a damaged record; PR_EOF at
 *    the end; PR_FATAL when nothing more can be read (source_error() says why).
 *    ev->ts_raw is UTC nanoseconds (after --tz); the core applies clock offsets.
 *    Strings and the pkt pointer in *ev are borrowed until the next call.
 *  - close() frees everything and accepts NULL.
 *  Parsers never print and never exit.
 */
#ifndef CORRELATOR_PARSER_H
#define CORRELATOR_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "source.h"

#define PARSER_API_VERSION 1
#define SNIFF_BYTES 4096

typedef enum { PR_EVENT, PR_EOF, PR_SKIP, PR_FATAL } pr_status;

struct parser {
	int api_version;
	const char *name;     /* value of --format; prefix of diagnostics */
	const char *summary;  /* one line for `correlator formats` */
	const char *sniffs;   /* what sniff() looks for, for `correlator formats` */
	int (*sniff)(const uint8_t *head, size_t len);
	int (*open)(struct source *src, const char *path, void **state);
	pr_status (*next_event)(void *state, struct event *ev);
	void (*close)(void *state);
};

/* The registry: NULL-terminated, in the order `correlator formats` lists them. */
extern const struct parser *const parser_table[];

/* What the parsers' libraries set up once per process; called on the main
 * thread before sources are read on several threads (readers.c). */
void parsers_init_threads(void);

/* Parser by --format name, or NULL. */
const struct parser *parser_by_name(const char *name);
/* Best-scoring parser for these first bytes, or NULL if none scores above 0. */
const struct parser *parser_sniff(const uint8_t *head, size_t len, int *score);

#endif
