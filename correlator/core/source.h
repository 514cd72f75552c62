/*
 * correlator/core/source.h - one input on the command line: a label, a vantage, one
 * file or many (a directory or glob of a capture ring, read in time order), the
 * parser that reads each, its clock options, and the count of what was read,
 * used and skipped. Also the diagnostics sink parsers report through.
 * Does not: merge sources (timeline.c) or interpret events.
 */
#ifndef CORRELATOR_SOURCE_H
#define CORRELATOR_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "tz.h"

struct parser;

#define SOURCE_SKIP_REFS 8   /* first skipped refs kept for the report */
#define SOURCE_NOTES 8

struct source_file {
	char *path;
	const struct parser *parser;
	uint64_t size;
	int64_t first_ts;    /* first event's ts_raw, for ordering a ring */
	uint64_t events, skipped;
	bool failed;
};

/* Limits a parser must honour; each reported when it bites. */
struct limits {
	size_t max_line;          /* longest text record in bytes */
	size_t max_frag_bytes;    /* reassembly buffer per fragment chain */
	size_t max_frag_chains;   /* fragment chains held at once */
	unsigned max_xml_depth;   /* XML nesting */
};

enum offset_origin { OFFSET_NONE, OFFSET_GIVEN, OFFSET_ESTIMATED };

struct source {
	unsigned index;
	char *label;
	char *spec;                 /* the path as given */
	const char *format;         /* --format override, or NULL */
	struct source_file *files;
	size_t nfiles, cur;
	struct tz tz;
	bool tz_given;
	int64_t clock_offset;       /* ns added to ts_raw */
	enum offset_origin offset_origin;
	int64_t offset_uncertainty; /* ns, when estimated */
	uint64_t offset_records;    /* when estimated: the packets (captures) or
	                               records (logs) the estimate rests on */
	int64_t ts_resolution;      /* set by the parser: 1 s for logs stamped in
	                               whole seconds; 0 = fine-grained */
	const struct limits *limits;
	int64_t time_hint;          /* UTC ns of the captures' first packet, 0 = none:
	                             * the year for logs whose stamps have none */
	bool quiet;                 /* no diagnostics on stderr */
	FILE *diag_out;             /* where diagnostics go (stderr) */

	/* what happened */
	uint64_t events, skipped, warnings;
	uint64_t skip_refs[SOURCE_SKIP_REFS];
	unsigned nskip_refs;
	char *notes[SOURCE_NOTES];  /* one-line remarks for the report (assumed UTC, ...) */
	unsigned nnotes;
	char *error;                /* why the last file failed, if it did */
	bool unreadable;            /* no file of this source could be read */
	int64_t first_ts, last_ts;  /* corrected, over all events */
	/* clock jumps in a capture file: the previous frame's time and ref */
	int64_t clk_ts;
	uint64_t clk_ref;
	size_t clk_file;
	bool clk_on, clk_fwd;
	bool clk_check;             /* the current file is a capture (its parser's name, once) */

	/* progress */
	uint64_t bytes_total;       /* sum of file sizes */
	uint64_t bytes_done;        /* of finished files */
	uint64_t bytes_cur;         /* parser-updated position in the current file */

	/* reading */
	const struct parser *parser; /* of the current file */
	void *pstate;
	bool open;
};

/* Split "LABEL=PATH" (label optional: the file name is used) into a new source.
 * Caller owns the result; free with source_free(). */
struct source *source_new(unsigned index, const char *arg);
void source_free(struct source *src);

/* Expand the path (file, directory, glob), sniff each file's format, order a
 * multi-file source by first timestamp. Returns 0, or -1 with src->error set
 * (nothing readable). Files that fail alone are reported and left out. */
int source_resolve(struct source *src);

/* Set time_hint on every source: the earliest first-packet time among the
 * capture sources (pcap, pcapng, netmon: absolute times), so log parsers
 * whose stamps lack a year can take it from the other evidence. */
void source_set_time_hints(struct source **srcs, size_t n);

/* Next event of this source (ts corrected) into *ev; false at the end.
 * Skips and fatal errors are counted and reported, never returned. */
bool source_next(struct source *src, struct event *ev);

/* A pre-pass over src's events from the start that leaves its counts alone
 * and prints nothing (the main pass reports damage once). visit sees every
 * event, then NULL at the end of each file; it returns false to stop. */
void source_preread(struct source *src, bool (*visit)(void *ctx, struct event *ev), void *ctx);
void source_close(struct source *src);

/* Diagnostics, GNU style "label#ref: warning: message". A skip counts a lost
 * record; a warning reports damage that lost nothing; an error ends the file. */
void source_skip(struct source *src, uint64_t ref, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void source_warn(struct source *src, uint64_t ref, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void source_error(struct source *src, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A remark that belongs in the report's source table (once per text). */
void source_note(struct source *src, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Diagnostics and notes held back on a reader thread (core/readers.c): while
 * a thread has called source_defer_to(d), source_skip/warn/note of any source
 * append to d (kind byte 'D' line or 'N' note, then the text and a NUL)
 * instead of printing or touching the notes; source_replay() applies them on
 * the main thread, in order, when it takes the event they came before. The
 * counts (skipped, warnings, skip_refs) are still kept by the reading thread. */
struct source_defer {
	char *p;
	size_t n, cap;
};
void source_defer_to(struct source_defer *d);  /* NULL: print and note directly */
void source_replay(struct source *src, struct source_defer *d);  /* and empties d */

/* The file currently being read (for diagnostics), or the spec. */
const char *source_cur_path(const struct source *src);

#endif
