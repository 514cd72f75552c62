/*
 * parsers/lines.h - buffered line reader for text logs: one read() buffer per
 * file, lines handed out in place (no copy, no allocation per line), CR LF and
 * LF endings, 1-based line numbers, a maximum line length from the source's
 * limits (overlong lines are discarded whole and reported as such), a leading
 * UTF-8 BOM dropped.
 * Does not: interpret the text, convert encodings, or report diagnostics itself
 * (the caller turns LINES_TOO_LONG / LINES_BINARY into source_skip()).
 * Spec: none (POSIX text files; Windows CR LF tolerated).
 */
#ifndef PARSERS_LINES_H
#define PARSERS_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lines {
	int fd;
	char *buf;            /* owned */
	size_t cap;           /* buffer size: max_line + read chunk */
	size_t start, end;    /* unread bytes are buf[start..end) */
	size_t max_line;
	uint64_t lineno;      /* number of the line last returned */
	uint64_t offset;      /* bytes consumed so far (for progress) */
	bool eof, first;
};

enum lines_status {
	LINES_OK,        /* *line, *len set (no terminator; CR stripped) */
	LINES_EOF,
	LINES_TOO_LONG,  /* line lineno longer than max_line: discarded */
	LINES_NUL,       /* line lineno holds NUL bytes: returned, caller decides */
	LINES_ERROR,     /* read error (errno set) */
};

/* Open path for reading. max_line 0 means 1 MiB. Returns 0, or -1 with errno. */
int lines_open(struct lines *l, const char *path, size_t max_line);
/* Next line. The text is borrowed until the next call, read-only, and not
 * NUL-terminated. l->lineno is its 1-based number (also for TOO_LONG). */
enum lines_status lines_next(struct lines *l, const char **line, size_t *len);
/* NULL-safe, idempotent. */
void lines_close(struct lines *l);

#endif
