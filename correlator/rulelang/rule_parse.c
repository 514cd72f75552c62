/*
 * correlator/rulelang/rule_parse.c - recursive-descent parser of rule files into the
 * tree of rule_ast.h. Syntax errors are recorded with their offset and the
 * parser skips to the next `rule`, so one run reports every broken rule.
 * Names are not resolved and types not checked here (rule_check.c).
 *
 * Grammar (one production above each function below):
 *   file     -> rule*
 *   rule     -> 'rule' NAME clause*
 *   clause   -> 'title' STRING | 'severity' NAME | 'tags' NAME {',' NAME}
 *             | 'description' STRING | 'report' STRING | 'advice' STRING | 'quiet'
 *             | pattern
 *   pattern  -> 'match' step
 *             | 'sequence' ['by' key] 'within' DURATION step {step}
 *             | 'threshold' ('count' | 'distinct' FIELD) '>=' NUMBER
 *               ['by' key] 'within' DURATION step
 *   key      -> 'flow' | 'host' | FIELD {',' FIELD}
 *   step     -> ['!'] '[' TYPE {'|' TYPE} ['@' LABEL] ['where' expr] ']' ['as' NAME]
 *   expr     -> and {'or' and}
 *   and      -> not {'and' not}
 *   not      -> 'not' not | 'exists' FIELD | cmp
 *   cmp      -> sum [CMPOP sum | '~' REGEX | ['not'] 'in' set]
 *   set      -> '(' literal {',' literal} ')' | literal
 *   sum      -> atom {('+' | '-') atom}
 *   atom     -> FIELD | literal | '(' expr ')'
 *   literal  -> NUMBER | '-' NUMBER | DURATION | SIZE | STRING | ADDRESS | NETWORK
 *             | 'true' | 'false'
 */
#include "rule_ast.h"
#include "finding.h"
#include "../core/util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	struct rlex lx;
	struct rtoken cur;
	struct ruleset *rs;
	const struct rfile *file;
	jmp_buf fail;          /* a syntax error abandons the current rule */
	size_t errors;
	unsigned depth;
	unsigned nodes;        /* in the current rule: bounds the recursion of later passes */
	bool skip_rule;        /* the error makes the rest of the rule unreadable */
};

#define PARSE_MAX_NODES 4096

#define PARSE_MAX_DEPTH 64   /* nesting of parentheses and 'not' */

static void next(struct parser *p)
{
	rule_lex_next(&p->lx, &p->cur);
	if (p->cur.kind == RT_ERROR) {
		/* the lexer reported it; the rule is unusable */
		p->errors++;
		longjmp(p->fail, 1);
	}
}

static void __attribute__((noreturn, format(printf, 3, 4)))
syntax(struct parser *p, uint32_t pos, const char *fmt, ...);

static void syntax(struct parser *p, uint32_t pos, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	rdiag_error(&p->rs->diags, p->file, pos, "%s", buf);
	p->errors++;
	longjmp(p->fail, 1);
}

/* "name 'x'" / "string" ... for messages about the token at hand. */
static const char *found(struct parser *p, char *buf, size_t len)
{
	if (p->cur.kind == RT_IDENT || p->cur.kind == RT_NUMBER || p->cur.kind == RT_DURATION)
		snprintf(buf, len, "'%.*s'", (int)(p->cur.len > 40 ? 40 : p->cur.len), p->cur.p);
	else
		snprintf(buf, len, "%s", rule_tok_name(p->cur.kind));
	return buf;
}

static bool is_word(const struct parser *p, const char *w)
{
	return p->cur.kind == RT_IDENT && strlen(w) == p->cur.len && !memcmp(p->cur.p, w, p->cur.len);
}

static char *word(struct parser *p)
{
	return arena_strndup(&p->rs->arena, p->cur.p, p->cur.len);
}

static void expect(struct parser *p, enum rtok k, const char *what)
{
	char b[64];
	if (p->cur.kind != k)
		syntax(p, p->cur.pos, "expected %s, found %s", what, found(p, b, sizeof b));
	next(p);
}

static void expect_word(struct parser *p, const char *w)
{
	char b[64];
	if (!is_word(p, w))
		syntax(p, p->cur.pos, "expected '%s', found %s", w, found(p, b, sizeof b));
	next(p);
}

static const char *const reserved[] = { "and", "or", "not", "in", "exists", "where", "as", NULL };

static bool is_reserved(const struct parser *p)
{
	for (size_t i = 0; reserved[i]; i++)
		if (is_word(p, reserved[i]))
			return true;
	return false;
}

static struct rexpr *node(struct parser *p, enum rx_kind k, uint32_t pos)
{
	if (++p->nodes > PARSE_MAX_NODES)
		syntax(p, pos, "rule too long (more than %d terms)", PARSE_MAX_NODES);
	struct rexpr *e = arena_alloc(&p->rs->arena, sizeof *e);
	e->kind = k;
	e->pos = pos;
	e->step = -1;
	return e;
}

static struct rexpr *field_node(struct parser *p)
{
	char b[64];
	if (p->cur.kind != RT_IDENT || is_reserved(p))
		syntax(p, p->cur.pos, "expected a field name, found %s", found(p, b, sizeof b));
	struct rexpr *e = node(p, RX_FIELD, p->cur.pos);
	e->name = word(p);
	e->field = e->name;
	next(p);
	return e;
}

/* literal -> NUMBER | '-' NUMBER | DURATION | SIZE | STRING | ADDRESS | NETWORK | true | false */
static bool literal(struct parser *p, struct rlit *l)
{
	memset(l, 0, sizeof *l);
	l->pos = p->cur.pos;
	bool neg = false;
	if (p->cur.kind == RT_MINUS) {
		neg = true;
		next(p);
		if (p->cur.kind != RT_NUMBER && p->cur.kind != RT_DURATION)
			syntax(p, p->cur.pos, "expected a number after '-'");
	}
	switch (p->cur.kind) {
	case RT_NUMBER:
		if (p->cur.is_real) {
			l->v.type = V_REAL;
			l->v.u.r = neg ? -p->cur.r : p->cur.r;
		} else {
			l->v.type = V_INT;
			l->v.u.i = neg ? -p->cur.i : p->cur.i;
		}
		break;
	case RT_DURATION:
		l->v.type = V_DUR;
		l->v.u.i = neg ? -p->cur.i : p->cur.i;
		break;
	case RT_SIZE:
		l->v.type = V_INT;
		l->v.u.i = p->cur.i;
		l->is_size = true;
		break;
	case RT_STRING:
		l->v.type = V_STR;
		l->v.u.s.p = p->cur.s;
		l->v.u.s.n = (uint32_t)p->cur.slen;
		break;
	case RT_ADDR:
		l->v.type = V_ADDR;
		l->v.u.a = p->cur.a;
		break;
	case RT_CIDR:
		l->v.type = V_ADDR;
		l->v.u.a = p->cur.a;
		l->cidr = true;
		l->bits = p->cur.bits;
		break;
	case RT_IDENT:
		if (is_word(p, "true") || is_word(p, "false")) {
			l->v.type = V_BOOL;
			l->v.u.i = is_word(p, "true");
			break;
		}
		return false;
	default:
		return false;
	}
	l->len = p->cur.pos + p->cur.len - l->pos;
	next(p);
	return true;
}

static struct rexpr *expr(struct parser *p);

/* atom -> FIELD | literal | '(' expr ')' */
static struct rexpr *atom(struct parser *p)
{
	char b[64];
	if (p->cur.kind == RT_LPAREN) {
		uint32_t pos = p->cur.pos;
		next(p);
		if (++p->depth > PARSE_MAX_DEPTH)
			syntax(p, pos, "expression nested too deeply");
		struct rexpr *e = expr(p);
		p->depth--;
		if (p->cur.kind != RT_RPAREN) {
			unsigned line, col;
			rfile_locate(p->file, pos, &line, &col);
			syntax(p, p->cur.pos, "expected ')' (to close '(' at %u:%u), found %s", line, col,
			       found(p, b, sizeof b));
		}
		next(p);
		return e;
	}
	struct rexpr *e = node(p, RX_LIT, p->cur.pos);
	if (literal(p, &e->lit)) {
		if (e->lit.cidr)
			syntax(p, e->pos, "a network is only valid after 'in'");
		return e;
	}
	if (p->cur.kind == RT_IDENT && !is_reserved(p))
		return field_node(p);
	syntax(p, p->cur.pos, "expected a field, a value or '(', found %s", found(p, b, sizeof b));
}

/* sum -> atom {('+' | '-') atom} */
static struct rexpr *sum(struct parser *p)
{
	struct rexpr *a = atom(p);
	while (p->cur.kind == RT_PLUS || p->cur.kind == RT_MINUS) {
		struct rexpr *e = node(p, RX_ARITH, p->cur.pos);
		e->arith = p->cur.kind == RT_PLUS ? '+' : '-';
		next(p);
		e->a = a;
		e->b = atom(p);
		a = e;
	}
	return a;
}

/* set -> '(' literal {',' literal} ')' | literal */
static void set(struct parser *p, struct rexpr *e)
{
	char b[64];
	unsigned cap = 4;
	e->list = arena_alloc(&p->rs->arena, cap * sizeof *e->list);
	bool paren = p->cur.kind == RT_LPAREN;
	if (paren)
		next(p);
	for (;;) {
		if (e->nlist == cap) {
			struct rlit *n = arena_alloc(&p->rs->arena, 2 * cap * sizeof *n);
			memcpy(n, e->list, cap * sizeof *n);
			e->list = n;
			cap *= 2;
		}
		if (!literal(p, &e->list[e->nlist]))
			syntax(p, p->cur.pos, "expected a value in the 'in' list, found %s",
			       found(p, b, sizeof b));
		e->nlist++;
		if (!paren)
			return;
		if (p->cur.kind == RT_COMMA) {
			next(p);
			continue;
		}
		expect(p, RT_RPAREN, "',' or ')'");
		return;
	}
}

/* cmp -> sum [CMPOP sum | '~' REGEX | ['not'] 'in' set] */
static struct rexpr *cmp(struct parser *p)
{
	struct rexpr *a = sum(p);
	enum rx_cmp op;
	switch (p->cur.kind) {
	case RT_EQ: op = RC_EQ; break;
	case RT_NE: op = RC_NE; break;
	case RT_LT: op = RC_LT; break;
	case RT_LE: op = RC_LE; break;
	case RT_GT: op = RC_GT; break;
	case RT_GE: op = RC_GE; break;
	case RT_TILDE: {
		struct rexpr *e = node(p, RX_REGEX, p->cur.pos);
		struct rtoken t;
		rule_lex_regex(&p->lx, &t);
		if (t.kind == RT_ERROR) {
			p->errors++;
			longjmp(p->fail, 1);
		}
		e->a = a;
		e->re_src = t.s;
		e->re_len = t.slen;
		e->re_flags = t.re_flags;
		e->lit.pos = t.pos;   /* where the pattern starts, for PCRE2's offset */
		next(p);
		return e;
	}
	case RT_IDENT: {
		bool negate = false;
		uint32_t pos = p->cur.pos;
		if (is_word(p, "not")) {
			next(p);
			negate = true;
			if (!is_word(p, "in"))
				syntax(p, p->cur.pos, "expected 'in' after 'not' here");
		}
		if (!is_word(p, "in"))
			return a;   /* a field alone: true when present and non-zero */
		struct rexpr *e = node(p, RX_IN, p->cur.pos);
		next(p);
		e->a = a;
		set(p, e);
		if (!negate)
			return e;
		struct rexpr *n = node(p, RX_NOT, pos);
		n->a = e;
		return n;
	}
	default:
		/* no operator: the value itself (a field alone is true when present
		 * and non-zero; parentheses may hold arithmetic) */
		return a;
	}
	struct rexpr *e = node(p, RX_CMP, p->cur.pos);
	e->op = op;
	next(p);
	e->a = a;
	e->b = sum(p);
	return e;
}

/* not -> 'not' not | 'exists' FIELD | cmp */
static struct rexpr *notx(struct parser *p)
{
	if (is_word(p, "not")) {
		struct rexpr *e = node(p, RX_NOT, p->cur.pos);
		next(p);
		if (++p->depth > PARSE_MAX_DEPTH)
			syntax(p, e->pos, "expression nested too deeply");
		e->a = notx(p);
		p->depth--;
		return e;
	}
	if (is_word(p, "exists")) {
		struct rexpr *e = node(p, RX_EXISTS, p->cur.pos);
		next(p);
		e->a = field_node(p);
		return e;
	}
	return cmp(p);
}

/* and -> not {'and' not} */
static struct rexpr *andx(struct parser *p)
{
	struct rexpr *a = notx(p);
	while (is_word(p, "and")) {
		struct rexpr *e = node(p, RX_AND, p->cur.pos);
		next(p);
		e->a = a;
		e->b = notx(p);
		a = e;
	}
	return a;
}

/* expr -> and {'or' and} */
static struct rexpr *expr(struct parser *p)
{
	struct rexpr *a = andx(p);
	while (is_word(p, "or")) {
		struct rexpr *e = node(p, RX_OR, p->cur.pos);
		next(p);
		e->a = a;
		e->b = andx(p);
		a = e;
	}
	return a;
}

/* step -> ['!'] '[' TYPE {'|' TYPE} ['@' LABEL] ['where' expr] ']' ['as' NAME] */
static void step(struct parser *p, struct rule *r)
{
	char b[64];
	if (r->nsteps == RULE_MAX_STEPS)
		syntax(p, p->cur.pos, "more than %d steps", RULE_MAX_STEPS);
	struct rstep *s = &r->steps[r->nsteps++];
	s->pos = p->cur.pos;
	if (p->cur.kind == RT_BANG) {
		s->absent = true;
		next(p);
	}
	expect(p, RT_LBRACK, "'['");
	if (p->cur.kind != RT_IDENT || is_reserved(p))
		syntax(p, p->cur.pos, "expected an event type (tcp, fw.drop, ...), found %s",
		       found(p, b, sizeof b));
	s->type = word(p);
	/* TYPE|TYPE...: alternatives, written without spaces */
	while (p->lx.pos < p->lx.len && p->lx.src[p->lx.pos] == '|') {
		p->lx.pos++;
		next(p);
		if (p->cur.kind != RT_IDENT || is_reserved(p))
			syntax(p, p->cur.pos, "expected an event type after '|', found %s", found(p, b, sizeof b));
		if (s->nalt == RULE_MAX_ALT)
			syntax(p, p->cur.pos, "more than %d alternative types", RULE_MAX_ALT + 1);
		s->alt[s->nalt++] = word(p);
	}
	if (p->cur.kind == RT_IDENT && p->lx.pos < p->lx.len && p->lx.src[p->lx.pos] == '@') {
		p->lx.pos++;
		struct rtoken t;
		rule_lex_label(&p->lx, &t);
		if (t.kind == RT_ERROR) {
			p->errors++;
			longjmp(p->fail, 1);
		}
		s->label = arena_strndup(&p->rs->arena, t.p, t.len);
		s->label_pos = t.pos;
	}
	next(p);
	if (p->cur.kind == RT_AT)
		syntax(p, p->cur.pos, "no space allowed before '@' (write [type@label])");
	if (is_word(p, "where")) {
		next(p);
		s->where = expr(p);
	}
	if (p->cur.kind != RT_RBRACK) {
		unsigned line, col;
		rfile_locate(p->file, s->pos, &line, &col);
		syntax(p, p->cur.pos, "expected ']' (to close '[' at %u:%u), found %s", line, col,
		       found(p, b, sizeof b));
	}
	next(p);
	if (is_word(p, "as")) {
		next(p);
		if (p->cur.kind != RT_IDENT || is_reserved(p))
			syntax(p, p->cur.pos, "expected a step name after 'as', found %s",
			       found(p, b, sizeof b));
		if (memchr(p->cur.p, '.', p->cur.len))
			syntax(p, p->cur.pos, "a step name cannot contain '.'");
		s->name = word(p);
		s->name_pos = p->cur.pos;
		next(p);
	}
}

/* key -> 'flow' | 'host' | FIELD {',' FIELD} */
static void key(struct parser *p, struct rule *r)
{
	if (is_word(p, "flow")) {
		r->key = RKEY_FLOW;
		next(p);
		return;
	}
	if (is_word(p, "host")) {
		r->key = RKEY_HOST;
		next(p);
		return;
	}
	r->key = RKEY_FIELDS;
	for (;;) {
		if (r->nkeys == RULE_MAX_KEYS)
			syntax(p, p->cur.pos, "more than %d key fields", RULE_MAX_KEYS);
		r->keys[r->nkeys++] = field_node(p);
		if (p->cur.kind != RT_COMMA)
			return;
		next(p);
	}
}

static void within(struct parser *p, struct rule *r)
{
	char b[64];
	expect_word(p, "within");
	if (p->cur.kind != RT_DURATION || p->cur.i <= 0)
		syntax(p, p->cur.pos, "expected a duration after 'within' (500ms, 30s, 5m, 2h), found %s",
		       found(p, b, sizeof b));
	r->within = p->cur.i;
	next(p);
}

static bool step_start(const struct parser *p)
{
	return p->cur.kind == RT_LBRACK || p->cur.kind == RT_BANG;
}

/* pattern -> 'match' step | 'sequence' ... | 'threshold' ... */
static void pattern(struct parser *p, struct rule *r)
{
	char b[64];
	if (r->kind != RK_NONE) {
		unsigned line, col;
		rfile_locate(p->file, r->pattern_pos, &line, &col);
		syntax(p, p->cur.pos, "a rule has exactly one pattern (the first is at %u:%u)", line, col);
	}
	r->pattern_pos = p->cur.pos;
	if (is_word(p, "match")) {
		r->kind = RK_MATCH;
		next(p);
		step(p, r);
		return;
	}
	if (is_word(p, "sequence")) {
		r->kind = RK_SEQUENCE;
		next(p);
		if (is_word(p, "by")) {
			next(p);
			key(p, r);
		}
		within(p, r);
		if (!step_start(p))
			syntax(p, p->cur.pos, "expected a step '[type ...]', found %s", found(p, b, sizeof b));
		while (step_start(p))
			step(p, r);
		return;
	}
	r->kind = RK_THRESHOLD;
	next(p);
	if (is_word(p, "distinct")) {
		r->distinct = true;
		next(p);
		r->distinct_field = field_node(p);
	} else if (is_word(p, "count")) {
		next(p);
	} else {
		syntax(p, p->cur.pos, "expected 'count' or 'distinct FIELD' after 'threshold', found %s",
		       found(p, b, sizeof b));
	}
	expect(p, RT_GE, "'>='");
	if (p->cur.kind != RT_NUMBER || p->cur.is_real || p->cur.i < 1 || p->cur.i > RULE_MAX_THRESHOLD)
		syntax(p, p->cur.pos, "expected a whole number from 1 to %d, found %s", RULE_MAX_THRESHOLD,
		       found(p, b, sizeof b));
	r->threshold = p->cur.i;
	next(p);
	if (is_word(p, "by")) {
		next(p);
		key(p, r);
	}
	within(p, r);
	if (!step_start(p))
		syntax(p, p->cur.pos, "expected a step '[type ...]', found %s", found(p, b, sizeof b));
	step(p, r);
	if (step_start(p))
		syntax(p, p->cur.pos, "a threshold counts one kind of event: one step only");
}

static char *string_arg(struct parser *p, const char *clause, char *old, uint32_t *pos)
{
	char b[64];
	uint32_t at = p->cur.pos;
	next(p);
	if (old)
		syntax(p, at, "'%s' given twice", clause);
	if (p->cur.kind != RT_STRING)
		syntax(p, p->cur.pos, "expected a string after '%s', found %s", clause, found(p, b, sizeof b));
	char *s = p->cur.s;
	if (pos)
		*pos = p->cur.pos + 1;   /* template offsets count from inside the quote */
	next(p);
	return s;
}

static const char *const clause_words[] = {
	"title", "severity", "tags", "description", "match", "sequence", "threshold", "report",
	"advice", "quiet", NULL,
};

static bool is_clause_word(struct parser *p)
{
	for (size_t i = 0; clause_words[i]; i++)
		if (is_word(p, clause_words[i]))
			return true;
	return false;
}

/* the token at hand is the first of its line */
static bool at_line_start(const struct parser *p)
{
	uint32_t i = p->cur.pos;
	while (i > 0 && (p->file->text[i - 1] == ' ' || p->file->text[i - 1] == '\t'))
		i--;
	return i == 0 || p->file->text[i - 1] == '\n' || p->file->text[i - 1] == '\r';
}

/* After a syntax error in a clause: on to the next clause of the rule (a
 * clause word first on its line, not the one that failed; true), or to the
 * next 'rule' or the end (false). Lexer errors on the way are counted, not
 * reported again. */
static bool resync_clause(struct parser *p, uint32_t clause_at)
{
	for (;;) {
		if (p->cur.kind == RT_EOF || (p->cur.kind == RT_IDENT && is_word(p, "rule")))
			return false;
		if (!p->skip_rule && p->cur.kind == RT_IDENT && p->cur.pos != clause_at &&
		    is_clause_word(p) && at_line_start(p))
			return true;
		rule_lex_next(&p->lx, &p->cur);
		if (p->cur.kind == RT_ERROR)
			p->errors++;
	}
}

/* " (did you mean 'title'?)" for a word near a clause word, or "" */
static const char *clause_hint(struct parser *p, char *buf, size_t len)
{
	if (p->cur.kind != RT_IDENT || p->cur.len >= 32)
		return "";
	char w[32];
	memcpy(w, p->cur.p, p->cur.len);
	w[p->cur.len] = '\0';
	if (rdiag_distance(w, "rule", 1) <= 1) {
		snprintf(buf, len, " (did you mean 'rule'?)");
		p->skip_rule = true;   /* a misspelt rule start: its clauses are not this rule's */
		return buf;
	}
	for (size_t i = 0; clause_words[i]; i++)
		if (rdiag_distance(w, clause_words[i], 2) <= 2) {
			snprintf(buf, len, " (did you mean '%s'?)", clause_words[i]);
			return buf;
		}
	return "";
}

static void rule_clauses(struct parser *p, struct rule *r, volatile bool *broken);

/* rule -> 'rule' NAME clause*; false when a syntax error broke it (the
 * errors are reported; each clause after one is still read and checked) */
static bool rule(struct parser *p, struct rule *r)
{
	char b[64];
	r->pos = p->cur.pos;
	r->file = p->file;
	r->severity = -1;
	next(p);
	if (p->cur.kind != RT_IDENT || is_reserved(p))
		syntax(p, p->cur.pos, "expected a rule name after 'rule', found %s", found(p, b, sizeof b));
	r->name = word(p);
	next(p);
	jmp_buf outer;
	memcpy(outer, p->fail, sizeof outer);
	volatile bool broken = false;
	p->skip_rule = false;
	rule_clauses(p, r, &broken);
	memcpy(p->fail, outer, sizeof outer);
	return !broken;
}

static void rule_clauses(struct parser *p, struct rule *r, volatile bool *broken)
{
	char b[64];
	while (p->cur.kind != RT_EOF && !is_word(p, "rule")) {
		volatile uint32_t clause_at = p->cur.pos;
		if (setjmp(p->fail)) {
			*broken = true;
			if (!resync_clause(p, clause_at))
				return;
			continue;
		}
		if (is_word(p, "title")) {
			r->title = string_arg(p, "title", r->title, NULL);
		} else if (is_word(p, "description")) {
			r->description = string_arg(p, "description", r->description, NULL);
		} else if (is_word(p, "report")) {
			r->report = string_arg(p, "report", r->report, &r->report_pos);
		} else if (is_word(p, "advice")) {
			r->advice = string_arg(p, "advice", r->advice, &r->advice_pos);
		} else if (is_word(p, "severity")) {
			uint32_t at = p->cur.pos;
			next(p);
			if (r->severity_pos)
				syntax(p, at, "'severity' given twice");
			if (p->cur.kind != RT_IDENT || (is_clause_word(p) && at_line_start(p)))
				syntax(p, p->cur.pos, "expected a severity (info, low, medium, high, critical), found %s",
				       found(p, b, sizeof b));
			char *w = word(p);
			r->severity_pos = p->cur.pos;
			r->severity = severity_parse(w);
			if (r->severity < 0) {
				/* a semantic error: report it and keep parsing the rule */
				rdiag_error(&p->rs->diags, p->file, p->cur.pos,
					      "unknown severity '%s' (info, low, medium, high, critical)", w);
				p->errors++;
				r->severity = 0;
			}
			next(p);
		} else if (is_word(p, "quiet")) {
			r->quiet = true;
			next(p);
		} else if (is_word(p, "tags")) {
			next(p);
			for (;;) {
				if (p->cur.kind != RT_IDENT)
					syntax(p, p->cur.pos, "expected a tag name, found %s", found(p, b, sizeof b));
				r->tags = r->tags ? r->tags : arena_alloc(&p->rs->arena, 32 * sizeof *r->tags);
				if (r->ntags < 32)
					r->tags[r->ntags++] = word(p);
				next(p);
				if (p->cur.kind != RT_COMMA)
					break;
				next(p);
			}
		} else if (is_word(p, "match") || is_word(p, "sequence") || is_word(p, "threshold")) {
			pattern(p, r);
		} else {
			char hb[48];
			const char *hint = clause_hint(p, hb, sizeof hb);
			syntax(p, p->cur.pos,
			       "expected a clause (title, severity, tags, description, match, sequence, "
			       "threshold, report, advice, quiet), found %s%s", found(p, b, sizeof b), hint);
		}
	}
}

/* Skip to the next 'rule' word after an error; lexer errors inside are
 * counted but not re-reported. */
static void recover(struct parser *p)
{
	for (;;) {
		rule_lex_next(&p->lx, &p->cur);
		if (p->cur.kind == RT_EOF)
			return;
		if (p->cur.kind == RT_ERROR) {
			p->errors++;
			continue;
		}
		if (is_word(p, "rule"))
			return;
	}
}

size_t rule_parse(struct ruleset *rs, const struct rfile *file)
{
	struct parser *p = xcalloc(1, sizeof *p);
	p->rs = rs;
	p->file = file;
	rule_lex_init(&p->lx, rs, file);
	if (setjmp(p->fail))
		recover(p);
	else
		next(p);
	/* file -> rule* */
	while (p->cur.kind != RT_EOF) {
		char b[64];
		if (!is_word(p, "rule")) {
			uint32_t pos = p->cur.pos;
			const char *f = found(p, b, sizeof b);
			rdiag_error(&rs->diags, file, pos, "expected 'rule', found %s", f);
			p->errors++;
			if (setjmp(p->fail) == 0)
				recover(p);
			continue;
		}
		struct rule *r = arena_alloc(&rs->arena, sizeof *r);
		if (setjmp(p->fail)) {
			recover(p);
			continue;
		}
		p->depth = 0;
		p->nodes = 0;
		if (!rule(p, r))
			continue;
		if (rs->nrules == rs->caprules) {
			rs->caprules = rs->caprules ? rs->caprules * 2 : 16;
			rs->rules = xrealloc(rs->rules, rs->caprules * sizeof *rs->rules);
		}
		rs->rules[rs->nrules++] = r;
	}
	size_t n = p->errors;
	free(p);
	return n;
}

/* A template placeholder's expression: the text [start, end) of the file. */
struct rexpr *rule_parse_expr(struct ruleset *rs, const struct rfile *file, uint32_t start,
			      uint32_t end)
{
	struct parser *p = xcalloc(1, sizeof *p);
	p->rs = rs;
	p->file = file;
	rule_lex_init(&p->lx, rs, file);
	p->lx.pos = start;
	p->lx.len = end <= file->len ? end : file->len;
	struct rexpr *e = NULL;
	if (setjmp(p->fail) == 0) {
		next(p);
		e = sum(p);
		if (p->cur.kind != RT_EOF) {
			char b[64];
			syntax(p, p->cur.pos, "unexpected %s in '{...}' (a placeholder holds a name or a "
			       "sum or difference)", found(p, b, sizeof b));
		}
	} else {
		e = NULL;
	}
	free(p);
	return e;
}
