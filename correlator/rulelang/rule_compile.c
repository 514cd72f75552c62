/*
 * correlator/rulelang/rule_compile.c - what the engine precomputes from a checked
 * rule set: every event field name the rules read gets a number (fid), so the
 * evaluator can remember where in an event it found that name last
 * (rule_field: one compare instead of a scan of the event's fields), and each
 * rule gets the list of fields it reads anywhere - its steps, its keys, its
 * distinct field and its templates - plus the few the engine reads itself
 * (rule_engine_fields), which is what the engine keeps of an event bound to
 * a step.
 * Does not: match types to rules (the engine's dispatch index) or evaluate.
 */
#include "rule_ast.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

struct walk {
	struct ruleset *rs;
	unsigned cap;
	unsigned *reads;
	unsigned nreads, capreads;
};

static unsigned intern(struct walk *w, const char *name)
{
	struct ruleset *rs = w->rs;
	for (unsigned i = 0; i < rs->nfnames; i++)
		if (!strcmp(rs->fnames[i], name))
			return i + 1;
	if (rs->nfnames == w->cap) {
		unsigned ncap = w->cap ? w->cap * 2 : 64;
		const char **n = arena_alloc(&rs->arena, ncap * sizeof *n);
		if (rs->nfnames)
			memcpy(n, rs->fnames, rs->nfnames * sizeof *n);
		rs->fnames = n;
		w->cap = ncap;
	}
	rs->fnames[rs->nfnames++] = arena_strdup(&rs->arena, name);
	return rs->nfnames;
}

static void add_read(struct walk *w, unsigned fid)
{
	for (unsigned i = 0; i < w->nreads; i++)
		if (w->reads[i] == fid)
			return;
	if (w->nreads == w->capreads) {
		w->capreads = w->capreads ? w->capreads * 2 : 16;
		w->reads = xrealloc(w->reads, w->capreads * sizeof *w->reads);
	}
	w->reads[w->nreads++] = fid;
}

static void walk_expr(struct walk *w, struct rexpr *e)
{
	if (!e)
		return;
	if (e->kind == RX_FIELD) {
		e->fid = 0;
		if (e->special == RS_FIELD && e->field) {
			e->fid = intern(w, e->field);
			add_read(w, e->fid - 1);
		}
		return;
	}
	walk_expr(w, e->a);
	walk_expr(w, e->b);
}

static void walk_tmpl(struct walk *w, const struct rtmpl *t)
{
	for (unsigned i = 0; i < t->nparts; i++)
		walk_expr(w, t->parts[i].field);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

/* Fields the engine itself reads of events bound to steps, besides the
 * rule's own: the records an analysis event cites (cite), the same packet
 * at another capture (peer_source, peer_ref), a replayed event's source
 * label (orig.source), and the host key (ip.src). rule_engine.c reads no
 * other field of a kept event. */
const char *const rule_engine_fields[] = { "cite", "peer_source", "peer_ref", "orig.source",
					   "ip.src", NULL };

void rule_compile(struct ruleset *rs)
{
	struct walk w = { .rs = rs };
	rs->fnames = NULL;
	rs->nfnames = 0;
	for (size_t i = 0; rule_engine_fields[i]; i++)
		intern(&w, rule_engine_fields[i]);
	for (size_t i = 0; i < rs->nrules; i++) {
		struct rule *r = rs->rules[i];
		w.nreads = 0;
		for (size_t k = 0; rule_engine_fields[k]; k++)
			add_read(&w, (unsigned)k);
		for (unsigned k = 0; k < r->nsteps; k++)
			walk_expr(&w, r->steps[k].where);
		for (unsigned k = 0; k < r->nkeys; k++)
			walk_expr(&w, r->keys[k]);
		walk_expr(&w, r->distinct_field);
		walk_tmpl(&w, &r->report_t);
		walk_tmpl(&w, &r->advice_t);
		qsort(w.reads, w.nreads, sizeof *w.reads, cmp_uint);
		r->nreads = w.nreads;
		r->reads = w.nreads ? arena_alloc(&rs->arena, w.nreads * sizeof *r->reads) : NULL;
		if (w.nreads)
			memcpy(r->reads, w.reads, w.nreads * sizeof *r->reads);
	}
	free(w.reads);
}
