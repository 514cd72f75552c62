/*
 * correlator/rulelang/rule_diag.c - the rule language's error sink (see
 * rule_diag.h): offsets are stored, line and column are computed only when a
 * message is printed.
 * Does not: know rules, tokens or the rule set.
 */
#include "rule_diag.h"
#include "../core/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void rdiag_error(struct rdiags *ds, const struct rfile *file, uint32_t pos, const char *fmt, ...)
{
	if (ds->n == ds->cap) {
		ds->cap = ds->cap ? ds->cap * 2 : 16;
		ds->v = xrealloc(ds->v, ds->cap * sizeof *ds->v);
	}
	struct rdiag *d = &ds->v[ds->n++];
	d->file = file;
	d->pos = pos;
	d->seq = ds->seq++;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&d->msg, fmt, ap) < 0)
		d->msg = xstrdup("(out of memory formatting a message)");
	va_end(ap);
}

void rfile_locate(const struct rfile *f, uint32_t pos, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;
	for (size_t i = 0; i < pos && i < f->len; i++) {
		if (f->text[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static int diag_cmp(const void *x, const void *y)
{
	const struct rdiag *a = *(const struct rdiag *const *)x, *b = *(const struct rdiag *const *)y;
	unsigned fa = a->file ? a->file->index : 0;
	unsigned fb = b->file ? b->file->index : 0;
	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void rdiag_print(const struct rdiags *ds, FILE *out)
{
	if (!ds->n)
		return;
	const struct rdiag **v = xcalloc(ds->n, sizeof *v);
	for (size_t i = 0; i < ds->n; i++)
		v[i] = &ds->v[i];
	qsort(v, ds->n, sizeof *v, diag_cmp);
	for (size_t i = 0; i < ds->n; i++) {
		if (v[i]->file) {
			unsigned line, col;
			rfile_locate(v[i]->file, v[i]->pos, &line, &col);
			fprintf(out, "%s:%u:%u: error: %s\n", v[i]->file->path, line, col, v[i]->msg);
		} else {
			fprintf(out, "correlator: error: %s\n", v[i]->msg);
		}
	}
	free(v);
}

void rdiag_free(struct rdiags *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		free(ds->v[i].msg);
	free(ds->v);
	ds->v = NULL;
	ds->n = ds->cap = 0;
}

size_t rdiag_distance(const char *a, const char *b, size_t cap)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na > 64 || nb > 64 || (na > nb ? na - nb : nb - na) > cap)
		return cap + 1;
	size_t row[65];
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0], best = row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t v = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			if (up + 1 < v)
				v = up + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[nb];
}
