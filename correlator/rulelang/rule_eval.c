/*
 * correlator/rulelang/rule_eval.c - evaluating checked rule expressions and filling
 * report templates against an event and the events bound to earlier steps.
 * Semantics: a comparison with a missing field, or between values that cannot
 * be compared, is false (so is '!='); `exists` tests presence; a field alone
 * is true when present and non-zero / non-empty. Regexes run under the match
 * and depth limits of the context's pcre2_match_context, so no pattern can
 * hang the engine; a match stopped by a limit counts as no match and is
 * counted in c->re_errors.
 * Does not: parse, type-check (rule_check.c) or keep state (rule_engine.c).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "rule_ast.h"
#include "../core/util.h"

#include <inttypes.h>
#include <pcre2.h>
#include <string.h>

const char *rule_event_label(const struct rctx *c, const struct event *ev, size_t *len)
{
	const struct value *o = event_get(ev, "orig.source");
	if (o && o->type == V_STR) {
		*len = o->u.s.n;
		return o->u.s.p;
	}
	const char *l = ev->source < c->nlabels ? c->labels[ev->source] : "?";
	*len = strlen(l);
	return l;
}

const struct value *rule_field_id(const struct rctx *c, const struct event *ev, unsigned fid,
				  const char *name, unsigned *index)
{
	unsigned n = ev->nfields;
	if (c->fslot && fid) {
		/* the slot where this name was found last: a parser emits its
		 * fields in a fixed order, so it is nearly always there again
		 * (one compare, not a scan). Names are not repeated within an
		 * event (ev_* callers write each once), so the slot's field is
		 * the one event_get would find. */
		uint16_t *slot = &c->fslot[fid - 1];
		unsigned i = *slot;
		if (i < n && !strcmp(ev->fields[i].name, name)) {
			*index = i;
			return &ev->fields[i].v;
		}
		for (unsigned k = 0; k < n; k++)
			if (ev->fields[k].name[0] == name[0] && !strcmp(ev->fields[k].name, name)) {
				*slot = (uint16_t)k;
				*index = k;
				return &ev->fields[k].v;
			}
		return NULL;
	}
	for (unsigned k = 0; k < n; k++)
		if (!strcmp(ev->fields[k].name, name)) {
			*index = k;
			return &ev->fields[k].v;
		}
	return NULL;
}

const struct value *rule_field(const struct rctx *c, const struct event *ev, const struct rexpr *e)
{
	unsigned i;
	return rule_field_id(c, ev, e->fid, e->field, &i);
}

static void set_str(struct value *out, const char *s, size_t n)
{
	out->type = V_STR;
	out->u.s.p = s;
	out->u.s.n = (uint32_t)n;
}

static void set_int(struct value *out, enum value_type t, int64_t i)
{
	out->type = t;
	out->u.i = i;
}

/* The event a name refers to. In templates of sequences an unqualified name
 * is looked up in the bound steps, first step first. */
static const struct event *target(const struct rexpr *e, struct rctx *c)
{
	if (e->step >= 0)
		return c->bound ? c->bound[e->step] : NULL;
	if (c->ev)
		return c->ev;
	if (c->anchor)
		return c->anchor;
	if (!c->bound || !c->rule)
		return NULL;
	for (unsigned i = 0; i < c->rule->nsteps; i++) {
		const struct event *b = c->bound[i];
		if (!b)
			continue;
		if (e->special != RS_FIELD || rule_field(c, b, e))
			return b;
	}
	return NULL;
}

static void field_value(const struct rexpr *e, struct rctx *c, struct value *out, char *scratch,
			size_t slen)
{
	out->type = V_NONE;
	switch (e->special) {
	case RS_KEY: if (c->key) set_str(out, c->key, strlen(c->key)); return;
	case RS_RULE: if (c->rule) set_str(out, c->rule->name, strlen(c->rule->name)); return;
	case RS_TITLE: if (c->rule) set_str(out, c->rule->title, strlen(c->rule->title)); return;
	case RS_COUNT: set_int(out, V_INT, c->count); return;
	case RS_DISTINCT: set_int(out, V_INT, c->distinct); return;
	case RS_WINDOW: set_int(out, V_DUR, c->window); return;
	case RS_FIRST: set_int(out, V_DUR, c->first); return;
	case RS_LAST: set_int(out, V_DUR, c->last); return;
	case RS_SPAN: set_int(out, V_DUR, c->last - c->first); return;
	default: break;
	}
	const struct event *ev = target(e, c);
	if (!ev)
		return;
	bool flow = ev->flags & EV_HAS_FLOW;
	switch (e->special) {
	case RS_FIELD: {
		const struct value *v = rule_field(c, ev, e);
		if (v)
			*out = *v;
		return;
	}
	case RS_TS: set_int(out, V_DUR, ev->ts); return;
	case RS_SOURCE: {
		size_t n;
		const char *l = rule_event_label(c, ev, &n);
		set_str(out, l, n);
		return;
	}
	case RS_TYPE: set_str(out, ev->type, strlen(ev->type)); return;
	case RS_REF: set_int(out, V_INT, (int64_t)ev->ref); return;
	case RS_SESSION: set_int(out, V_INT, (int64_t)ev->session); return;
	case RS_FILE: set_int(out, V_INT, ev->file); return;
	case RS_MSG: {
		const char *m = event_describe(ev, scratch, slen);
		set_str(out, m, strlen(m));
		return;
	}
	case RS_FLOW:
		if (flow) {
			size_t n = flow_format(&ev->flow, scratch, slen);
			set_str(out, scratch, n < slen ? n : slen - 1);
		}
		return;
	case RS_FLOW_SRC:
	case RS_FLOW_DST:
		if (flow) {
			out->type = V_ADDR;
			out->u.a = e->special == RS_FLOW_SRC ? ev->flow.src : ev->flow.dst;
		}
		return;
	case RS_FLOW_SPORT: if (flow) set_int(out, V_INT, ev->flow.sport); return;
	case RS_FLOW_DPORT: if (flow) set_int(out, V_INT, ev->flow.dport); return;
	case RS_FLOW_PROTO:
		if (flow) {
			const char *pn = ip_proto_name(ev->flow.proto);
			if (pn)
				set_str(out, pn, strlen(pn));
			else
				set_int(out, V_INT, ev->flow.proto);
		}
		return;
	case RS_HOST: {
		const struct value *v = event_get(ev, "ip.src");
		if (v && v->type == V_ADDR) {
			*out = *v;
		} else if (flow) {
			out->type = V_ADDR;
			out->u.a = ev->flow.src;
		}
		return;
	}
	default:
		return;
	}
}

static bool is_int_like(enum value_type t) { return t == V_INT || t == V_BOOL || t == V_DUR; }

void rule_eval_value(const struct rexpr *e, struct rctx *c, struct value *out, char *scratch,
		     size_t slen)
{
	switch (e->kind) {
	case RX_LIT:
		*out = e->lit.v;
		return;
	case RX_FIELD:
		field_value(e, c, out, scratch, slen);
		return;
	case RX_ARITH: {
		struct value a, b;
		char sb[64];
		rule_eval_value(e->a, c, &a, scratch, slen);
		rule_eval_value(e->b, c, &b, sb, sizeof sb);
		out->type = V_NONE;
		if (is_int_like(a.type) && is_int_like(b.type)) {
			/* time - time and duration +- duration stay durations; wrap-safe */
			uint64_t r = e->arith == '+' ? (uint64_t)a.u.i + (uint64_t)b.u.i
						     : (uint64_t)a.u.i - (uint64_t)b.u.i;
			out->type = a.type == V_DUR || b.type == V_DUR ? V_DUR : V_INT;
			out->u.i = (int64_t)r;
		} else if ((is_int_like(a.type) || a.type == V_REAL) &&
			   (is_int_like(b.type) || b.type == V_REAL)) {
			double x = a.type == V_REAL ? a.u.r : (double)a.u.i;
			double y = b.type == V_REAL ? b.u.r : (double)b.u.i;
			out->type = V_REAL;
			out->u.r = e->arith == '+' ? x + y : x - y;
		}
		return;
	}
	default:
		out->type = V_BOOL;
		out->u.i = rule_eval(e, c);
		return;
	}
}

/* value_compare with the one coercion logs need: an address written as a string. */
static int compare(const struct value *a, const struct value *b)
{
	struct value t;
	if (a->type == V_ADDR && b->type == V_STR) {
		if (!addr_parse(b->u.s.p, b->u.s.n, &t.u.a))
			return 2;
		t.type = V_ADDR;
		return value_compare(a, &t);
	}
	if (a->type == V_STR && b->type == V_ADDR) {
		if (!addr_parse(a->u.s.p, a->u.s.n, &t.u.a))
			return 2;
		t.type = V_ADDR;
		return value_compare(&t, b);
	}
	if (a->type == V_NONE || b->type == V_NONE)
		return 2;
	return value_compare(a, b);
}

static bool truthy(const struct value *v)
{
	switch (v->type) {
	case V_INT: case V_BOOL: case V_DUR: return v->u.i != 0;
	case V_REAL: return v->u.r != 0;
	case V_STR: return v->u.s.n != 0;
	case V_ADDR: return v->u.a.family != 0;
	case V_NONE: break;
	}
	return false;
}

static bool in_network(const struct value *v, const struct rlit *l)
{
	struct addr a;
	if (v->type == V_ADDR)
		a = v->u.a;
	else if (v->type != V_STR || !addr_parse(v->u.s.p, v->u.s.n, &a))
		return false;
	if (a.family != l->v.u.a.family)
		return false;
	unsigned bits = l->bits;
	for (unsigned i = 0; bits; i++) {
		unsigned take = bits >= 8 ? 8 : bits;
		uint8_t mask = (uint8_t)(0xff00u >> take);
		if ((a.b[i] & mask) != (l->v.u.a.b[i] & mask))
			return false;
		bits -= take;
	}
	return true;
}

static bool regex_match(const struct rexpr *e, struct rctx *c)
{
	char scratch[1024];
	struct value v;
	rule_eval_value(e->a, c, &v, scratch, sizeof scratch);
	if (v.type == V_NONE || !e->re)
		return false;
	const char *s;
	size_t n;
	char buf[256];
	if (v.type == V_STR) {
		s = v.u.s.p;
		n = v.u.s.n;
	} else {
		n = value_format(&v, buf, sizeof buf);
		if (n >= sizeof buf)
			n = sizeof buf - 1;
		s = buf;
	}
	int rc = pcre2_match(e->re, (PCRE2_SPTR)s, n, 0, 0, c->match_data, c->match_ctx);
	if (rc >= 0)
		return true;
	if (rc != PCRE2_ERROR_NOMATCH)
		c->re_errors++;
	return false;
}

bool rule_eval(const struct rexpr *e, struct rctx *c)
{
	if (!e)
		return true;
	switch (e->kind) {
	case RX_OR:
		return rule_eval(e->a, c) || rule_eval(e->b, c);
	case RX_AND:
		return rule_eval(e->a, c) && rule_eval(e->b, c);
	case RX_NOT:
		return !rule_eval(e->a, c);
	case RX_EXISTS: {
		struct value v;
		char s[256];
		rule_eval_value(e->a, c, &v, s, sizeof s);
		return v.type != V_NONE;
	}
	case RX_TRUTH: {
		struct value v;
		char s[256];
		rule_eval_value(e->a, c, &v, s, sizeof s);
		return truthy(&v);
	}
	case RX_CMP: {
		struct value a, b;
		char sa[256], sb[256];
		rule_eval_value(e->a, c, &a, sa, sizeof sa);
		rule_eval_value(e->b, c, &b, sb, sizeof sb);
		int r = compare(&a, &b);
		if (r == 2)
			return false;
		switch (e->op) {
		case RC_EQ: return r == 0;
		case RC_NE: return r != 0;
		case RC_LT: return r < 0;
		case RC_LE: return r <= 0;
		case RC_GT: return r > 0;
		case RC_GE: return r >= 0;
		}
		return false;
	}
	case RX_IN: {
		struct value a;
		char sa[256];
		rule_eval_value(e->a, c, &a, sa, sizeof sa);
		if (a.type == V_NONE)
			return false;
		for (unsigned i = 0; i < e->nlist; i++) {
			if (e->list[i].cidr ? in_network(&a, &e->list[i]) : compare(&a, &e->list[i].v) == 0)
				return true;
		}
		return false;
	}
	case RX_REGEX:
		return regex_match(e, c);
	case RX_FIELD:
	case RX_LIT:
	case RX_ARITH: {
		struct value v;
		char s[256];
		rule_eval_value(e, c, &v, s, sizeof s);
		return truthy(&v);
	}
	}
	return false;
}

size_t rule_fill(const struct rtmpl *t, struct rctx *c, char *buf, size_t len)
{
	size_t o = 0;
	if (!len)
		return 0;
	for (unsigned i = 0; i < t->nparts && o + 1 < len; i++) {
		const struct rtmpl_part *p = &t->parts[i];
		char tmp[512], scratch[512];
		const char *s;
		size_t n;
		if (p->text) {
			s = p->text;
			n = p->len;
		} else {
			struct value v;
			rule_eval_value(p->field, c, &v, scratch, sizeof scratch);
			enum rx_special sp = p->field->special;
			if (v.type == V_NONE) {
				s = "?";
				n = 1;
			} else if (sp == RS_TS || sp == RS_FIRST || sp == RS_LAST) {
				format_rfc3339(v.u.i, tmp, sizeof tmp);
				s = tmp;
				n = strlen(tmp);
			} else if (v.type == V_STR) {
				s = v.u.s.p;
				n = v.u.s.n;
			} else {
				n = value_format(&v, tmp, sizeof tmp);
				if (n >= sizeof tmp)
					n = sizeof tmp - 1;
				s = tmp;
			}
		}
		if (n > len - 1 - o)
			n = len - 1 - o;
		memcpy(buf + o, s, n);
		o += n;
	}
	buf[o] = '\0';
	return o;
}
