/*
 * parsers/evtx_template.c - EVTX binary-XML template bodies compiled once per
 * chunk into steps, and the steps run with each instance's substitution values
 * (see evtx_binxml_int.h).
 * A template definition's body is the same for every record of the chunk
 * that instantiates it: its tokens are walked once into steps, which each
 * record then runs with its own substitution values. Anything the steps do
 * not model (nested template instances, bad tokens, oversized bodies) leaves
 * the template uncompiled and bx_walk() renders it as before, so the result
 * and any error are the same either way.
 * Does not: read tokens outside a template body, render values or names
 * (evtx_binxml.c does, for both), keep anything past the chunk.
 * Spec: libevtx format document; ../shared/formats/windows-events.md (b).
 *
 *   cache     -> 128 slots keyed by the definition's chunk offset, linear probing
 *   state     -> (free) --1st use--> SEEN (walked) --2nd use--> COMPILED | UNCOMPILABLE
 */
#include "evtx_binxml_int.h"

#include <stdlib.h>
#include <string.h>

#define BX_TMPL_CACHE 128      /* compiled templates per chunk (power of 2) */
#define BX_TMPL_STEPS 4096     /* steps of one template; more -> walk it */

/* One step of a compiled template: what walking its body would do, less
 * the substitution values. */
enum bx_op { ST_OPEN, ST_ATTR_LIT, ST_ATTR_SUBST, ST_ATTR_END, ST_TEXT, ST_TEXT_SUBST, ST_CLOSE };

struct bx_step {
	uint8_t op;            /* enum bx_op */
	uint8_t id;            /* winevt name id (OPEN, ATTR_END); optional (SUBST) */
	uint16_t depth;        /* element depth below the template instance */
	uint32_t a, n;         /* pool offset and length (names, text); a = index (SUBST) */
	uint32_t at;           /* chunk offset an error of this step quotes */
};

/* What a template definition of this chunk gets: walked its first time
 * (a template used once costs no compiling), compiled its second. */
enum bx_tmpl_state { TMPL_SEEN, TMPL_COMPILED, TMPL_UNCOMPILABLE };

struct bx_tmpl {
	uint32_t def;          /* definition's chunk offset + 1; 0 = free slot */
	uint8_t state;         /* enum bx_tmpl_state */
	uint32_t first, count; /* its steps in bx_templates.steps (TMPL_COMPILED) */
};

struct bx_templates {
	struct bx_tmpl slot[BX_TMPL_CACHE];
	unsigned n;            /* slots in use */
	struct bx_step *steps; /* of this chunk's compiled templates */
	size_t nsteps, capsteps;
	char *pool;            /* their names and literal text, NUL-terminated */
	size_t npool, cappool;
};

struct bx_templates *bx_templates_new(void)
{
	return xcalloc(1, sizeof(struct bx_templates));
}

void bx_templates_free(struct bx_templates *tm)
{
	if (!tm)
		return;
	free(tm->steps);
	free(tm->pool);
	free(tm);
}

void bx_templates_clear(struct bx_templates *tm)
{
	for (size_t i = 0; i < BX_TMPL_CACHE; i++)
		tm->slot[i].def = 0;
	tm->n = 0;
	tm->nsteps = tm->npool = 0;
}

/* --- compiling a body into steps ------------------------------------------ */

static int step_add(struct bx_templates *tm, size_t first, enum bx_op op, unsigned id,
		    unsigned depth, size_t a, size_t n, size_t at)
{
	if (tm->nsteps - first >= BX_TMPL_STEPS)
		return -1;
	if (tm->nsteps == tm->capsteps) {
		tm->capsteps = tm->capsteps ? 2 * tm->capsteps : 256;
		tm->steps = xrealloc(tm->steps, tm->capsteps * sizeof *tm->steps);
	}
	tm->steps[tm->nsteps++] = (struct bx_step){ (uint8_t)op, (uint8_t)id, (uint16_t)depth,
						    (uint32_t)a, (uint32_t)n, (uint32_t)at };
	return 0;
}

/* s[0..n) and a NUL into the pool; its offset. */
static size_t pool_add(struct bx_templates *tm, const char *s, size_t n)
{
	if (tm->npool + n + 1 > tm->cappool) {
		while (tm->npool + n + 1 > tm->cappool)
			tm->cappool = tm->cappool ? 2 * tm->cappool : 4096;
		tm->pool = xrealloc(tm->pool, tm->cappool);
	}
	size_t off = tm->npool;
	memcpy(tm->pool + off, s, n);
	tm->pool[off + n] = '\0';
	tm->npool += n + 1;
	return off;
}

/* A step whose text is vb[save..vn), then vb cut back to save. */
static int step_text(struct binxml *bx, size_t first, enum bx_op op, size_t save)
{
	size_t a = pool_add(bx->tm, bx->vb + save, bx->vn - save), n = bx->vn - save;
	bx->vn = save;
	return step_add(bx->tm, first, op, 0, 0, a, n, 0);
}

/* A 0x0D/0x0E token as a step: its index, whether optional, and the
 * offset bx_walk() would quote for an error of it. */
static int compile_subst(struct binxml *bx, br *r, size_t first, enum bx_op op, unsigned depth)
{
	bool optional = (br_u8(r) & 0xBF) == 0x0E;
	uint16_t idx = br_le16(r);
	br_u8(r);
	if (r->bad)
		return -1;
	return step_add(bx->tm, first, op, optional, depth, idx, 0, bx_pos(bx, r));
}

static int compile_attrs(struct binxml *bx, br *r, size_t first, unsigned depth)
{
	uint32_t asize = br_le32(r);
	br a = br_sub(r, asize);
	while (br_left(&a) && !a.bad) {
		if ((br_u8(&a) & 0xBF) != 0x06)
			return -1;
		uint32_t aoff = br_le32(&a);
		bx_skip_inline_name(bx, &a, aoff);
		enum winevt_name aid;
		if (!bx_name_at(bx, aoff, &aid) || a.bad)
			return -1;
		while (br_left(&a) && bx_is_value_token(br_peek(&a, 0))) {
			uint8_t t = br_peek(&a, 0) & 0xBF;
			size_t save = bx->vn;
			int rc = t == 0x0D || t == 0x0E ? compile_subst(bx, &a, first, ST_ATTR_SUBST, depth)
				: bx_value_token(bx, &a, NULL) < 0 ? -1 : step_text(bx, first, ST_ATTR_LIT, save);
			if (rc != 0)
				return -1;
		}
		if (step_add(bx->tm, first, ST_ATTR_END, aid, depth, 0, 0, 0) != 0)
			return -1;
	}
	return r->bad || a.bad ? -1 : 0;
}

static int compile_body(struct binxml *bx, br *r, size_t first, unsigned depth, bool in_element);

static int compile_element(struct binxml *bx, br *r, size_t first, unsigned depth)
{
	if (depth >= BX_MAX_DEPTH)
		return -1;             /* bx_walk() refuses it, whatever the instance's depth */
	uint8_t t = br_u8(r);
	br_skip(r, 6);                 /* dependency id, data size */
	uint32_t noff = br_le32(r);
	if (r->bad)
		return -1;
	bx_skip_inline_name(bx, r, noff);
	enum winevt_name id;
	const char *name = bx_name_at(bx, noff, &id);
	if (!name || r->bad)
		return -1;
	size_t a = pool_add(bx->tm, name, strlen(name));
	if (step_add(bx->tm, first, ST_OPEN, id, depth, a, 0, bx_pos(bx, r)) != 0)
		return -1;
	if ((t & 0x40) && compile_attrs(bx, r, first, depth) != 0)
		return -1;
	uint8_t close = br_u8(r);
	if (r->bad || (close != 0x02 && close != 0x03))
		return -1;
	if (close == 0x02 && compile_body(bx, r, first, depth + 1, true) != 0)
		return -1;
	return step_add(bx->tm, first, ST_CLOSE, 0, depth, 0, 0, 0);
}

/* bx_walk()'s token loop, into steps; -1 wherever bx_walk() would fail or the
 * steps cannot follow. */
static int compile_body(struct binxml *bx, br *r, size_t first, unsigned depth, bool in_element)
{
	while (br_left(r)) {
		uint8_t t = br_peek(r, 0) & 0xBF;
		size_t save = bx->vn;
		int rc = 0;
		if (t == 0x00 || t == 0x04) {
			br_u8(r);
			return (t == 0x04) == in_element ? 0 : -1;
		} else if (t == 0x0F) {
			br_skip(r, 4);
		} else if (t == 0x01) {
			rc = compile_element(bx, r, first, depth);
		} else if (t == 0x0D || t == 0x0E) {
			rc = compile_subst(bx, r, first, ST_TEXT_SUBST, depth);
		} else if (t == 0x05 || t == 0x08 || t == 0x09) {
			rc = bx_value_token(bx, r, NULL);
			if (rc >= 0) {
				bx_normalize(bx, save, false);
				rc = step_text(bx, first, ST_TEXT, save);
			}
		} else if (t == 0x07) {
			rc = bx_cdata(bx, r);
			if (rc == 0)
				rc = step_text(bx, first, ST_TEXT, save);
		} else if (t == 0x0A || t == 0x0B) {
			bx_skip_pi(bx, r);
		} else {
			return -1;  /* nested template instances among them */
		}
		bx->vn = save;
		if (rc != 0 || r->bad)
			return -1;
	}
	return in_element ? -1 : 0;
}

/* --- the cache and running steps ----------------------------------------- */

/* The compiled template at chunk offset def with body, compiled now if
 * this is its second use; NULL: walk the body instead. */
static const struct bx_tmpl *template_compiled(struct binxml *bx, uint32_t def, br body)
{
	struct bx_templates *tm = bx->tm;
	unsigned h = (def * 2654435761u) >> 7 & (BX_TMPL_CACHE - 1);
	while (tm->slot[h].def && tm->slot[h].def != def + 1)
		h = (h + 1) & (BX_TMPL_CACHE - 1);
	struct bx_tmpl *c = &tm->slot[h];
	if (!c->def) {
		if (tm->n >= BX_TMPL_CACHE * 3 / 4)
			return NULL;
		tm->n++;
		c->def = def + 1;
		c->state = TMPL_SEEN;
		return NULL;
	}
	if (c->state != TMPL_SEEN)
		return c->state == TMPL_COMPILED ? c : NULL;
	size_t first = tm->nsteps, first_pool = tm->npool, save = bx->vn;
	bool ok = compile_body(bx, &body, first, 0, false) == 0;
	bx->vn = save;
	bx->err[0] = '\0';  /* what compiling found, bx_walk() will say */
	if (!ok) {
		tm->nsteps = first;
		tm->npool = first_pool;
		c->state = TMPL_UNCOMPILABLE;
		return NULL;
	}
	c->state = TMPL_COMPILED;
	c->first = (uint32_t)first;
	c->count = (uint32_t)(tm->nsteps - first);
	return c;
}

/* Whether value type's text may hold a tab, CR or LF (vb_normalize's work):
 * only strings can; numbers, GUIDs, SIDs, times and hex cannot. */
static bool may_need_normalizing(uint8_t type)
{
	type &= 0x7F;
	return type == 0x01 || type == 0x02;
}

/* A content substitution: embedded binary XML walked, anything else text. */
static int run_text_subst(struct binxml *bx, const struct bx_step *s, const struct values *vals,
			  unsigned rd, unsigned level)
{
	if (s->a < vals->n && vals->v[s->a].type == 0x21) {
		if (level >= BX_MAX_LEVEL)
			return bx_fail_at(bx, s->at, "embedded XML nested too deep");
		br sub = vals->v[s->a].data;
		return bx_walk(bx, &sub, NULL, rd, level + 1, false);
	}
	size_t save = bx->vn;
	int rc = bx_subst_text(bx, vals, s->a, s->id, s->at);
	if (rc > 0) {
		if (may_need_normalizing(vals->v[s->a].type))
			bx_normalize(bx, save, false);
		winevt_text(bx->w, bx->vb + save, bx->vn - save);
	}
	bx->vn = save;
	return rc < 0 ? -1 : 0;
}

/* Steps first.. (count) with vals, the instance at depth rd; level as bx_walk()'s. */
static int run_template(struct binxml *bx, size_t first, size_t count, const struct values *vals,
			unsigned rd, unsigned level)
{
	const struct bx_templates *tm = bx->tm;
	size_t save = bx->vn;  /* an attribute's value builds up from here */
	int any = 0;
	bool normalize = false;
	for (size_t i = first; i < first + count; i++) {
		const struct bx_step *s = &tm->steps[i];  /* not kept past a walk */
		unsigned d = rd + s->depth;
		int rc = 0;
		switch (s->op) {
		case ST_OPEN:
			if (d >= bx->w->max_depth || d >= BX_MAX_DEPTH)
				return bx_fail_at(bx, s->at, "elements nested too deep");
			winevt_elem(bx->w, d, tm->pool + s->a, (enum winevt_name)s->id);
			break;
		case ST_ATTR_LIT:
			bx_put(bx, tm->pool + s->a, s->n);
			any = 1;
			normalize = true;
			break;
		case ST_ATTR_SUBST:
			rc = bx_subst_text(bx, vals, s->a, s->id, s->at);
			any |= rc > 0;
			normalize |= rc > 0 && may_need_normalizing(vals->v[s->a].type);
			break;
		case ST_ATTR_END:
			if (any) {
				if (normalize)
					bx_normalize(bx, save, true);
				winevt_attr(bx->w, d, (enum winevt_name)s->id, bx->vb + save, bx->vn - save);
			}
			bx->vn = save;
			any = 0;
			normalize = false;
			break;
		case ST_TEXT:
			winevt_text(bx->w, tm->pool + s->a, s->n);
			break;
		case ST_TEXT_SUBST:
			rc = run_text_subst(bx, s, vals, d, level);
			break;
		case ST_CLOSE:
			winevt_end(bx->w, d);
			break;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

int bx_template_body(struct binxml *bx, uint32_t def, br body, const struct values *vals,
		     unsigned rd, unsigned level)
{
	const struct bx_tmpl *c = template_compiled(bx, def, body);
	return c ? run_template(bx, c->first, c->count, vals, rd, level)
		 : bx_walk(bx, &body, vals, rd, level, false);
}
