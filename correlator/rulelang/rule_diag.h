/*
 * correlator/rulelang/rule_diag.h - the error sink of the rule language: rule
 * file texts, and the diagnostics the lexer, parser and checker report into,
 * printed as "file:line:col: error: message".
 * Does not: read, tokenize, parse or check anything; it is the one place the
 * stages of the rule language report to, so none of them calls another back.
 */
#ifndef CORRELATOR_RULE_DIAG_H
#define CORRELATOR_RULE_DIAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct rfile {
	char *path;
	char *text;
	size_t len;
	unsigned index;            /* load order, for sorting diagnostics */
};

struct rdiag {
	const struct rfile *file;  /* NULL: not about a place in a file */
	uint32_t pos;
	unsigned seq;
	char *msg;
};

struct rdiags {
	struct rdiag *v;
	size_t n, cap;
	unsigned seq;
};

/* Record an error at pos of file (file may be NULL). */
void rdiag_error(struct rdiags *d, const struct rfile *file, uint32_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Levenshtein distance of a and b, or cap + 1 when larger: for "did you
 * mean" suggestions in the parser's and checker's messages. */
size_t rdiag_distance(const char *a, const char *b, size_t cap);
/* 1-based line and column of a byte offset. */
void rfile_locate(const struct rfile *f, uint32_t pos, unsigned *line, unsigned *col);
/* Print every diagnostic, "file:line:col: error: message", sorted by file
 * (in load order) and position. */
void rdiag_print(const struct rdiags *d, FILE *out);
void rdiag_free(struct rdiags *d);

#endif
