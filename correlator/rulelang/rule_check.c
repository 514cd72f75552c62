/*
 * correlator/rulelang/rule_check.c - the semantic pass over parsed rules: every name
 * resolved (a step reference "drop.ts", a pseudo-field such as ts or source,
 * or a catalogued event field, correlator/fields.c), every comparison typed,
 * every regex compiled (PCRE2, JIT when available) and every template split
 * into text and placeholders. Errors are recorded and the pass goes on, so
 * `rules check` lists them all.
 * Does not: parse (rule_parse.c) or evaluate (rule_eval.c).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "rule_ast.h"
#include "../core/fields.h"
#include "finding.h"
#include "../core/util.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct checker {
	struct ruleset *rs;
	struct rule *r;
	size_t errors;
	int cur_step;      /* the step whose condition is being checked, or -1 */
	bool in_template;  /* names may be template-only (key, count, ...) */
};

/* Events derived from findings (type rule.NAME) carry the finding's fields,
 * which the catalogue cannot know: names on such steps are accepted. */
static bool derived_step(const struct checker *c, int step)
{
	if (step < 0 || (unsigned)step >= c->r->nsteps)
		return false;
	return type_has_prefix(c->r->steps[step].type, "rule");
}

static bool any_derived(const struct checker *c)
{
	for (unsigned i = 0; i < c->r->nsteps; i++)
		if (derived_step(c, (int)i))
			return true;
	return false;
}

static void err(struct checker *c, uint32_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err(struct checker *c, uint32_t pos, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	rdiag_error(&c->rs->diags, c->r->file, pos, "%s", buf);
	c->errors++;
}

/* ---- suggestions ---- */

struct suggest { const char *best; size_t dist; size_t cap; };

static void suggest_try(struct suggest *sg, const char *name, const char *cand)
{
	size_t d = rdiag_distance(name, cand, sg->cap);
	if (d <= sg->cap && d < sg->dist) {
		sg->best = cand;
		sg->dist = d;
	}
}

static size_t suggest_cap(const char *name)
{
	size_t n = strlen(name);
	return n < 4 ? 1 : n < 9 ? 2 : 3;
}

/* " (did you mean 'x'?)" for an unknown field, from the catalogue, or "" */
static const char *field_hint(const char *name, char *buf, size_t len)
{
	struct suggest sg = { NULL, SIZE_MAX, suggest_cap(name) };
	for (size_t i = 0; fields_table[i].name; i++)
		suggest_try(&sg, name, fields_table[i].name);
	for (const char *const *sp = (const char *const[]){ "ts", "source", "type", "ref", "msg",
			"session", "flow", "file", "host", "flow.src", "flow.dst", "flow.sport",
			"flow.dport", "flow.proto", NULL }; *sp; sp++)
		suggest_try(&sg, name, *sp);
	if (!sg.best)
		return "; `correlator rules fields` lists the names";
	snprintf(buf, len, " (did you mean '%s'?)", sg.best);
	return buf;
}

/* the same for an event type: the types and their dotted prefixes */
static const char *type_hint(const char *type, char *buf, size_t len)
{
	struct suggest sg = { NULL, SIZE_MAX, suggest_cap(type) };
	char pre[64], best_pre[64];
	for (size_t i = 0; event_types[i]; i++) {
		suggest_try(&sg, type, event_types[i]);
		const char *t = event_types[i];
		/* the families too: tcp.handshake for tcp.handshak */
		for (const char *d = strchr(t, '.'); d && (size_t)(d - t) < sizeof pre; d = strchr(d + 1, '.')) {
			memcpy(pre, t, (size_t)(d - t));
			pre[d - t] = '\0';
			size_t dist = rdiag_distance(type, pre, sg.cap);
			if (dist <= sg.cap && dist < sg.dist) {
				memcpy(best_pre, pre, sizeof pre);
				sg.best = best_pre;
				sg.dist = dist;
			}
		}
	}
	if (!sg.best)
		return "; `correlator rules fields` lists the event types";
	snprintf(buf, len, " (did you mean '%s'?)", sg.best);
	return buf;
}

/* ---- names ---- */

struct special { const char *name; enum rx_special sp; enum rx_type type; bool template_only; };

static const struct special specials[] = {
	{ "ts", RS_TS, RY_TIME, false }, { "source", RS_SOURCE, RY_STR, false },
	{ "type", RS_TYPE, RY_STR, false }, { "ref", RS_REF, RY_NUM, false },
	{ "msg", RS_MSG, RY_STR, false }, { "session", RS_SESSION, RY_NUM, false },
	{ "flow", RS_FLOW, RY_STR, false }, { "file", RS_FILE, RY_NUM, false },
	{ "host", RS_HOST, RY_ADDR, false },
	{ "flow.src", RS_FLOW_SRC, RY_ADDR, false }, { "flow.dst", RS_FLOW_DST, RY_ADDR, false },
	{ "flow.sport", RS_FLOW_SPORT, RY_NUM, false }, { "flow.dport", RS_FLOW_DPORT, RY_NUM, false },
	{ "flow.proto", RS_FLOW_PROTO, RY_STR, false },
	{ "key", RS_KEY, RY_STR, true }, { "rule", RS_RULE, RY_STR, true },
	{ "title", RS_TITLE, RY_STR, true },
	{ NULL, RS_FIELD, RY_ANY, false },
};

/* Threshold templates also know these. */
static const struct special burst_specials[] = {
	{ "count", RS_COUNT, RY_NUM, true }, { "distinct", RS_DISTINCT, RY_NUM, true },
	{ "window", RS_WINDOW, RY_DUR, true }, { "first", RS_FIRST, RY_TIME, true },
	{ "last", RS_LAST, RY_TIME, true }, { "span", RS_SPAN, RY_DUR, true },
	{ NULL, RS_FIELD, RY_ANY, false },
};

static enum rx_type type_of_value(enum value_type t)
{
	switch (t) {
	case V_INT: case V_REAL: return RY_NUM;
	case V_BOOL: return RY_BOOL;
	case V_STR: return RY_STR;
	case V_ADDR: return RY_ADDR;
	case V_DUR: return RY_DUR;
	case V_NONE: break;
	}
	return RY_ANY;
}

static const char *type_name(enum rx_type t)
{
	static const char *const n[] = { "any", "number", "boolean", "string", "address",
					 "duration", "time" };
	return n[t];
}

/* Resolve a field-or-special name (no step part); false if unknown. */
static bool resolve_plain(struct checker *c, struct rexpr *e, const char *name, bool tmpl)
{
	for (const struct special *s = specials; s->name; s++) {
		if (strcmp(s->name, name) || (s->template_only && !tmpl))
			continue;
		e->special = s->sp;
		e->type = s->type;
		return true;
	}
	if (tmpl && c->r->kind == RK_THRESHOLD && e->step < 0) {
		for (const struct special *s = burst_specials; s->name; s++) {
			if (strcmp(s->name, name))
				continue;
			e->special = s->sp;
			e->type = s->type;
			return true;
		}
	}
	const struct field_def *d = fields_lookup(name);
	if (!d)
		return false;
	e->special = RS_FIELD;
	e->type = type_of_value(d->type);
	return true;
}

/* Is there any field whose name starts with "head."? */
static bool known_family(const char *head, size_t n)
{
	for (size_t i = 0; fields_table[i].name; i++)
		if (!strncmp(fields_table[i].name, head, n) && fields_table[i].name[n] == '.')
			return true;
	for (size_t i = 0; fields_open_prefixes[i]; i++)
		if (!strncmp(fields_open_prefixes[i], head, n) && fields_open_prefixes[i][n] == '.')
			return true;
	return !strncmp("flow", head, n) && n == 4;
}

static int step_by_name(const struct rule *r, const char *name, size_t n)
{
	for (unsigned i = 0; i < r->nsteps; i++)
		if (r->steps[i].name && strlen(r->steps[i].name) == n && !memcmp(r->steps[i].name, name, n))
			return (int)i;
	return -1;
}

/* nbound: steps [0, nbound) may be referenced. */
static void resolve(struct checker *c, struct rexpr *e, unsigned nbound, bool tmpl)
{
	const char *dot = strchr(e->name, '.');
	e->step = -1;
	e->field = e->name;
	if (dot) {
		int s = step_by_name(c->r, e->name, (size_t)(dot - e->name));
		if (s >= 0) {
			if ((unsigned)s >= nbound) {
				err(c, e->pos, "step '%.*s' is not bound yet here (a step can only refer to earlier steps)",
				    (int)(dot - e->name), e->name);
				return;
			}
			e->step = s;
			e->field = dot + 1;
			if (!resolve_plain(c, e, e->field, tmpl)) {
				if (derived_step(c, s)) {
					e->special = RS_FIELD;
					e->type = RY_ANY;
					return;
				}
				char hb[160];
				err(c, e->pos, "unknown field '%s' in step reference '%s'%s", e->field, e->name,
				    field_hint(e->field, hb, sizeof hb));
			}
			return;
		}
	}
	if (resolve_plain(c, e, e->name, tmpl))
		return;
	if (tmpl ? any_derived(c) : derived_step(c, c->cur_step)) {
		e->special = RS_FIELD;
		e->type = RY_ANY;
		return;
	}
	if (step_by_name(c->r, e->name, strlen(e->name)) >= 0) {
		err(c, e->pos, "'%s' is a step, not a field (write %s.FIELD)", e->name, e->name);
		return;
	}
	if (dot && !known_family(e->name, (size_t)(dot - e->name))) {
		bool rest_known = false;
		struct rexpr tmp = *e;
		rest_known = resolve_plain(c, &tmp, dot + 1, tmpl);
		if (rest_known) {
			if (c->r->kind == RK_SEQUENCE)
				err(c, e->pos, "unknown step '%.*s' in '%s'", (int)(dot - e->name), e->name,
				    e->name);
			else
				err(c, e->pos, "unknown step '%.*s' in '%s' (only sequence steps have names)",
				    (int)(dot - e->name), e->name, e->name);
			return;
		}
	}
	char hb[160];
	err(c, e->pos, "unknown field '%s'%s", e->name, field_hint(e->name, hb, sizeof hb));
}

/* ---- types ---- */

static void describe(const struct checker *c, const struct rexpr *e, char *buf, size_t len)
{
	if (e->kind == RX_FIELD) {
		snprintf(buf, len, "'%s' is a %s", e->name, type_name(e->type));
	} else if (e->kind == RX_LIT) {
		const struct rfile *f = c->r->file;
		unsigned n = e->lit.len > 60 ? 60 : e->lit.len;
		if (e->lit.pos + n <= f->len)
			snprintf(buf, len, "%.*s is a %s", (int)n, f->text + e->lit.pos, type_name(e->type));
		else
			snprintf(buf, len, "the value is a %s", type_name(e->type));
	} else {
		snprintf(buf, len, "the %s is a %s", e->kind == RX_ARITH ? "difference" : "value",
			 type_name(e->type));
	}
}

static bool compatible(enum rx_type a, enum rx_type b)
{
	if (a == RY_ANY || b == RY_ANY || a == b)
		return true;
	if ((a == RY_NUM && b == RY_BOOL) || (a == RY_BOOL && b == RY_NUM))
		return true;
	return false;
}

/* A string literal compared with an address is read as an address. */
static bool coerce_addr(struct checker *c, struct rlit *l)
{
	if (l->v.type != V_STR)
		return true;
	struct addr a;
	if (!addr_parse(l->v.u.s.p, l->v.u.s.n, &a)) {
		err(c, l->pos, "\"%.*s\" is not an IP address", (int)l->v.u.s.n, l->v.u.s.p);
		return false;
	}
	l->v.type = V_ADDR;
	l->v.u.a = a;
	return true;
}

static void mismatch(struct checker *c, uint32_t pos, const struct rexpr *a, const struct rexpr *b)
{
	char x[160], y[160];
	describe(c, a, x, sizeof x);
	describe(c, b, y, sizeof y);
	const char *hint = "";
	if (a->type == RY_DUR && b->kind == RX_LIT && b->type == RY_NUM)
		hint = " (give the literal a unit: 500ms, 30s, 5m)";
	err(c, pos, "type mismatch: %s but %s%s", x, y, hint);
}

static void compile_regex(struct checker *c, struct rexpr *e)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)e->re_src, e->re_len, e->re_flags | PCRE2_UTF |
				       PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		err(c, e->lit.pos + 1 + (uint32_t)off, "bad regex: %s (at offset %zu)", (char *)msg,
		    (size_t)off);
		return;
	}
	/* JIT when the platform has it; the interpreter otherwise. The match and
	 * depth limits (rule_eval.c's match context) bind both. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	struct ruleset *rs = c->rs;
	if (rs->nres == rs->capres) {
		rs->capres = rs->capres ? rs->capres * 2 : 16;
		rs->res = xrealloc(rs->res, rs->capres * sizeof *rs->res);
	}
	rs->res[rs->nres++] = re;
	e->re = re;
}

static enum rx_type lit_type(const struct rlit *l)
{
	return type_of_value(l->v.type);
}

static void expr(struct checker *c, struct rexpr *e, unsigned nbound)
{
	if (!e)
		return;
	switch (e->kind) {
	case RX_OR:
	case RX_AND:
		expr(c, e->a, nbound);
		expr(c, e->b, nbound);
		e->type = RY_BOOL;
		return;
	case RX_NOT:
	case RX_TRUTH:
		expr(c, e->a, nbound);
		e->type = RY_BOOL;
		return;
	case RX_EXISTS:
		resolve(c, e->a, nbound, c->in_template);
		e->type = RY_BOOL;
		return;
	case RX_FIELD:
		resolve(c, e, nbound, c->in_template);
		return;
	case RX_LIT:
		e->type = lit_type(&e->lit);
		return;
	case RX_ARITH: {
		expr(c, e->a, nbound);
		expr(c, e->b, nbound);
		enum rx_type x = e->a->type, y = e->b->type;
		if (x == RY_ANY || y == RY_ANY)
			e->type = x == RY_TIME || y == RY_TIME ? (e->arith == '-' && x == y ? RY_DUR : RY_ANY) : RY_ANY;
		else if (x == RY_TIME && y == RY_TIME && e->arith == '-')
			e->type = RY_DUR;
		else if (x == RY_TIME && y == RY_DUR)
			e->type = RY_TIME;
		else if (x == RY_DUR && y == RY_DUR)
			e->type = RY_DUR;
		else if (x == RY_NUM && y == RY_NUM)
			e->type = RY_NUM;
		else {
			err(c, e->pos, "type mismatch: cannot %s a %s and a %s",
			    e->arith == '+' ? "add" : "subtract", type_name(x), type_name(y));
			e->type = RY_ANY;
		}
		return;
	}
	case RX_CMP: {
		size_t before = c->errors;
		expr(c, e->a, nbound);
		expr(c, e->b, nbound);
		e->type = RY_BOOL;
		if (c->errors != before)
			return;
		struct rexpr *a = e->a, *b = e->b;
		if (a->type == RY_ADDR && b->kind == RX_LIT && b->lit.v.type == V_STR) {
			if (coerce_addr(c, &b->lit))
				b->type = RY_ADDR;
			return;
		}
		if (b->type == RY_ADDR && a->kind == RX_LIT && a->lit.v.type == V_STR) {
			if (coerce_addr(c, &a->lit))
				a->type = RY_ADDR;
			return;
		}
		if (!compatible(a->type, b->type))
			mismatch(c, e->pos, a, b);
		return;
	}
	case RX_IN: {
		size_t before = c->errors;
		expr(c, e->a, nbound);
		e->type = RY_BOOL;
		if (c->errors != before)
			return;
		for (unsigned i = 0; i < e->nlist; i++) {
			struct rlit *l = &e->list[i];
			if (e->a->type == RY_ADDR && l->v.type == V_STR) {
				coerce_addr(c, l);
				continue;
			}
			if (l->cidr && e->a->type != RY_ADDR && e->a->type != RY_ANY) {
				err(c, l->pos, "type mismatch: a network needs an address, but '%s' is a %s",
				    e->a->kind == RX_FIELD ? e->a->name : "the value", type_name(e->a->type));
				continue;
			}
			struct rexpr tmp = { .kind = RX_LIT, .lit = *l, .type = lit_type(l) };
			if (!compatible(e->a->type, tmp.type))
				mismatch(c, l->pos, e->a, &tmp);
		}
		return;
	}
	case RX_REGEX:
		expr(c, e->a, nbound);
		e->type = RY_BOOL;
		compile_regex(c, e);
		return;
	}
}

/* ---- templates ---- */

static void tmpl_add(struct checker *c, struct rtmpl *t, unsigned *cap, const char *text, size_t len,
		     struct rexpr *f)
{
	if (t->nparts == *cap) {
		unsigned ncap = *cap ? *cap * 2 : 8;
		struct rtmpl_part *n = arena_alloc(&c->rs->arena, ncap * sizeof *n);
		if (t->nparts)
			memcpy(n, t->parts, t->nparts * sizeof *n);
		t->parts = n;
		*cap = ncap;
	}
	t->parts[t->nparts].text = text;
	t->parts[t->nparts].len = len;
	t->parts[t->nparts].field = f;
	t->nparts++;
}

/* File offset of the index-th byte of the unescaped string starting at pos. */
static uint32_t raw_offset(const struct rfile *f, uint32_t pos, size_t index)
{
	size_t o = pos;
	for (size_t k = 0; k < index && o < f->len; k++)
		o += f->text[o] == '\\' ? 2 : 1;
	return (uint32_t)o;
}

/* "{name}" or "{expression}" placeholders; "{{" and "}}" are literal braces. */
static void tmpl(struct checker *c, struct rtmpl *t, const char *s, uint32_t pos)
{
	unsigned cap = 0;
	const struct rule *r = c->r;
	size_t i = 0, lit = 0, n = strlen(s);
	char *buf = arena_alloc(&c->rs->arena, n + 1);
	size_t o = 0;
	while (i < n) {
		if ((s[i] == '{' && s[i + 1] == '{') || (s[i] == '}' && s[i + 1] == '}')) {
			buf[o++] = s[i];
			i += 2;
			continue;
		}
		if (s[i] == '}') {
			err(c, pos + (uint32_t)i, "'}' without '{' in template (write '}}' for a brace)");
			i++;
			continue;
		}
		if (s[i] != '{') {
			buf[o++] = s[i++];
			continue;
		}
		const char *close = strchr(s + i, '}');
		if (!close) {
			err(c, pos + (uint32_t)i, "unterminated '{' in template (write '{{' for a brace)");
			break;
		}
		if (o > lit)
			tmpl_add(c, t, &cap, buf + lit, o - lit, NULL);
		size_t nl = (size_t)(close - s) - i - 1;
		struct rexpr *f = NULL;
		char *text = arena_strndup(&c->rs->arena, s + i + 1, nl);
		uint32_t fpos = raw_offset(c->r->file, pos, i + 1);
		bool plain = true;
		for (size_t k = 0; k < nl; k++)
			if (!(isalnum((unsigned char)text[k]) || text[k] == '_' || text[k] == '.'))
				plain = false;
		if (!nl) {
			err(c, fpos, "empty '{}' in template");
		} else if (plain) {
			f = arena_alloc(&c->rs->arena, sizeof *f);
			f->kind = RX_FIELD;
			f->pos = fpos;
			f->name = text;
			resolve(c, f, r->nsteps, true);
		} else {
			/* an expression: parse it where it stands in the file */
			uint32_t fend = raw_offset(c->r->file, pos, i + 1 + nl);
			size_t e0 = c->rs->diags.n;
			f = rule_parse_expr(c->rs, c->r->file, fpos, fend);
			c->errors += c->rs->diags.n - e0;
			if (f) {
				c->in_template = true;
				expr(c, f, r->nsteps);
				c->in_template = false;
				f->name = text;
			}
		}
		if (!f) {
			i = (size_t)(close - s) + 1;
			lit = o;
			continue;
		}
		tmpl_add(c, t, &cap, NULL, 0, f);
		i = (size_t)(close - s) + 1;
		lit = o;
	}
	if (o > lit)
		tmpl_add(c, t, &cap, buf + lit, o - lit, NULL);
}

/* ---- rules ---- */

static void check_rule(struct checker *c, struct rule *r)
{
	size_t before = c->errors;
	c->cur_step = -1;
	if (r->kind == RK_NONE) {
		err(c, r->pos, "rule '%s' has no pattern (match, sequence or threshold)", r->name);
		return;
	}
	if (!r->title)
		r->title = r->name;
	if (r->severity < 0)
		r->severity = SEV_MEDIUM;
	for (unsigned i = 0; i < r->nsteps; i++) {
		struct rstep *s = &r->steps[i];
		if (s->absent && i == 0)
			err(c, s->pos, "a %s cannot start with an absence step",
			    r->kind == RK_SEQUENCE ? "sequence" : "pattern");
		if (s->absent && r->kind != RK_SEQUENCE && i > 0)
			err(c, s->pos, "absence steps belong in sequences");
		if (s->absent && s->name)
			err(c, s->name_pos, "an absence step binds no event: remove 'as %s'", s->name);
		if (s->name) {
			for (unsigned k = 0; k < i; k++)
				if (r->steps[k].name && !strcmp(r->steps[k].name, s->name))
					err(c, s->name_pos, "step name '%s' used twice", s->name);
			if (fields_lookup(s->name) || !strcmp(s->name, "flow") || !strcmp(s->name, "host"))
				err(c, s->name_pos, "step name '%s' is also a field name; choose another",
				    s->name);
		}
		for (unsigned k = 0; k <= s->nalt; k++) {
			const char *t = k ? s->alt[k - 1] : s->type;
			if (t && !fields_event_type_known(t)) {
				char hb[160];
				err(c, s->pos + (s->absent ? 2 : 1),
				    "unknown event type '%s': no parser or analyzer emits it, so the step never matches%s",
				    t, type_hint(t, hb, sizeof hb));
			}
		}
		c->cur_step = (int)i;
		expr(c, s->where, r->kind == RK_SEQUENCE ? i : 0);
		if (s->where && s->where->kind == RX_LIT && s->where->lit.v.type != V_BOOL)
			err(c, s->where->pos, "a value alone is not a condition");
	}
	c->cur_step = r->kind == RK_THRESHOLD ? 0 : -1;
	for (unsigned k = 0; k < r->nkeys; k++) {
		resolve(c, r->keys[k], 0, false);
		if (r->keys[k]->step >= 0)
			err(c, r->keys[k]->pos, "a key names a field of each event, not of a step");
	}
	if (r->distinct_field) {
		resolve(c, r->distinct_field, 0, false);
		if (r->distinct_field->step >= 0)
			err(c, r->distinct_field->pos, "'distinct' counts a field of each event, not of a step");
	}
	if (r->report)
		tmpl(c, &r->report_t, r->report, r->report_pos);
	if (r->advice)
		tmpl(c, &r->advice_t, r->advice, r->advice_pos);
	r->checked_ok = c->errors == before;
}

size_t rule_check(struct ruleset *rs)
{
	struct checker c = { .rs = rs, .cur_step = -1 };
	for (size_t i = 0; i < rs->nrules; i++) {
		struct rule *r = rs->rules[i];
		c.r = r;
		for (size_t k = 0; k < i; k++) {
			if (!strcmp(rs->rules[k]->name, r->name)) {
				unsigned line, col;
				rfile_locate(rs->rules[k]->file, rs->rules[k]->pos, &line, &col);
				err(&c, r->pos, "rule '%s' is already defined at %s:%u:%u", r->name,
				    rs->rules[k]->file->path, line, col);
				break;
			}
		}
		check_rule(&c, r);
	}
	rule_compile(rs);
	return c.errors;
}
