/*
 * correlator/rulelang/rule_ast.h - the rule language's data: tokens (rule_lex.c), the
 * syntax tree the parser builds (rule_parse.c) and the checker resolves and
 * types (rule_check.c), the rule set (rule_set.c; diagnostics in rule_diag.h), and
 * the evaluation context (rule_eval.c). The language is described in
 * docs/rules.md; the grammar sits above each function in rule_parse.c.
 *
 * Ownership: everything in a ruleset (files, rules, trees, strings, compiled
 * regexes) belongs to it and goes with ruleset_free().
 * Does not: run rules over a timeline (rule_engine.c).
 */
#ifndef CORRELATOR_RULE_AST_H
#define CORRELATOR_RULE_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/arena.h"
#include "../core/event.h"
#include "rule_diag.h"

/* ---- tokens ---- */

enum rtok {
	RT_EOF, RT_ERROR, RT_IDENT, RT_STRING, RT_NUMBER, RT_DURATION, RT_SIZE, RT_ADDR,
	RT_CIDR, RT_REGEX, RT_LBRACK, RT_RBRACK, RT_LPAREN, RT_RPAREN, RT_COMMA, RT_BANG,
	RT_AT, RT_EQ, RT_NE, RT_LT, RT_LE, RT_GT, RT_GE, RT_TILDE, RT_PLUS, RT_MINUS,
	RT_LBRACE, RT_RBRACE,
};

struct rtoken {
	enum rtok kind;
	uint32_t pos, len;      /* byte offset and length in the file text */
	const char *p;          /* the token's text (borrowed from the file) */
	int64_t i;              /* RT_NUMBER (integer), RT_DURATION (ns), RT_SIZE (bytes) */
	double r;               /* RT_NUMBER when is_real */
	bool is_real;
	struct addr a;          /* RT_ADDR, RT_CIDR */
	unsigned bits;          /* RT_CIDR prefix length */
	char *s;                /* RT_STRING unescaped, RT_REGEX pattern (arena) */
	size_t slen;
	uint32_t re_flags;      /* RT_REGEX: PCRE2 option bits */
	const char *err;        /* RT_ERROR: message */
};

struct ruleset;
struct rfile;

struct rlex {
	struct ruleset *rs;
	const struct rfile *file;
	const char *src;
	size_t len, pos;
};

void rule_lex_init(struct rlex *lx, struct ruleset *rs, const struct rfile *file);
/* Next token; RT_ERROR tokens carry a message (the lexer has already
 * reported it) and the lexer moves past the bad text. */
void rule_lex_next(struct rlex *lx, struct rtoken *t);
/* After '~': read /pattern/flags starting at the current position. */
void rule_lex_regex(struct rlex *lx, struct rtoken *t);
/* After '@': read a source label (letters, digits, _ . - :). */
void rule_lex_label(struct rlex *lx, struct rtoken *t);
const char *rule_tok_name(enum rtok k);

/* ---- the tree ---- */

enum rx_kind {
	RX_OR, RX_AND, RX_NOT, RX_CMP, RX_IN, RX_REGEX, RX_EXISTS, RX_FIELD, RX_LIT,
	RX_ARITH, RX_TRUTH,
};
enum rx_cmp { RC_EQ, RC_NE, RC_LT, RC_LE, RC_GT, RC_GE };

/* Names a field can have besides the event's own fields. */
enum rx_special {
	RS_FIELD, RS_TS, RS_SOURCE, RS_TYPE, RS_REF, RS_MSG, RS_SESSION, RS_FLOW, RS_FILE,
	RS_FLOW_SRC, RS_FLOW_DST, RS_FLOW_SPORT, RS_FLOW_DPORT, RS_FLOW_PROTO, RS_HOST,
	/* templates only */
	RS_KEY, RS_COUNT, RS_DISTINCT, RS_WINDOW, RS_FIRST, RS_LAST, RS_SPAN, RS_RULE, RS_TITLE,
};

/* What the checker knows about a value's type. */
enum rx_type { RY_ANY, RY_NUM, RY_BOOL, RY_STR, RY_ADDR, RY_DUR, RY_TIME };

struct rlit {
	struct value v;        /* V_INT V_REAL V_STR V_ADDR V_DUR */
	bool cidr;             /* v is a network address of prefix bits */
	unsigned bits;
	uint32_t pos, len;     /* where it is written, and how long */
	bool is_size;          /* written with a size unit */
};

struct rexpr {
	enum rx_kind kind;
	uint32_t pos;
	enum rx_cmp op;        /* RX_CMP */
	char arith;            /* RX_ARITH: '+' or '-' */
	struct rexpr *a, *b;   /* operands; RX_NOT/RX_TRUTH/RX_IN/RX_REGEX use a */
	struct rlit *list;     /* RX_IN */
	unsigned nlist;
	/* RX_FIELD */
	char *name;            /* as written: "drop.ts", "ip.src" */
	const char *field;     /* the field part (after "step.") */
	int step;              /* -1: the event at hand; else a bound step's index */
	enum rx_special special;
	unsigned fid;          /* RS_FIELD: 1 + its index in the set's fnames (rule_compile.c), else 0 */
	enum rx_type type;     /* checker's type (any node) */
	/* RX_LIT */
	struct rlit lit;
	/* RX_REGEX */
	char *re_src;
	size_t re_len;
	uint32_t re_flags;
	void *re;              /* pcre2_code *, compiled by the checker */
};

#define RULE_MAX_ALT 8

struct rstep {
	uint32_t pos;
	bool absent;           /* ![...] */
	char *type;            /* dotted type prefix; "any" matches everything */
	char *alt[RULE_MAX_ALT]; /* further prefixes: [udp|dns.response ...] */
	unsigned nalt;
	char *label;           /* @LABEL or NULL */
	uint32_t label_pos;
	struct rexpr *where;   /* may be NULL */
	char *name;            /* as NAME, or NULL */
	uint32_t name_pos;
};

enum rule_kind { RK_NONE, RK_MATCH, RK_SEQUENCE, RK_THRESHOLD };
enum rule_key { RKEY_NONE, RKEY_FLOW, RKEY_HOST, RKEY_FIELDS };

/* A report/advice template, split into text and placeholders. */
struct rtmpl_part {
	const char *text;      /* literal text (len bytes), or NULL for a placeholder */
	size_t len;
	struct rexpr *field;   /* placeholder: an RX_FIELD node */
};

struct rtmpl {
	struct rtmpl_part *parts;
	unsigned nparts;
};

#define RULE_MAX_STEPS 16
#define RULE_MAX_KEYS 8
#define RULE_MAX_THRESHOLD 1000000

struct rule {
	char *name;
	uint32_t pos;
	const struct rfile *file;
	char *title, *description, *report, *advice;
	uint32_t report_pos, advice_pos, severity_pos;
	char **tags;
	unsigned ntags;
	int severity;          /* enum severity; -1 until given */
	enum rule_kind kind;
	uint32_t pattern_pos;
	enum rule_key key;
	struct rexpr *keys[RULE_MAX_KEYS];  /* RKEY_FIELDS: RX_FIELD nodes */
	unsigned nkeys;
	int64_t within;        /* ns; 0 for match */
	bool distinct;         /* threshold distinct FIELD */
	struct rexpr *distinct_field;
	int64_t threshold;     /* N */
	struct rstep steps[RULE_MAX_STEPS];
	unsigned nsteps;
	struct rtmpl report_t, advice_t;
	bool quiet;            /* findings only feed rule.NAME events, not the report */
	bool checked_ok;
	/* rule_compile.c: the event fields (fid - 1) the rule reads anywhere (steps,
	 * keys, distinct, templates), sorted, no duplicates */
	unsigned *reads;
	unsigned nreads;
};

/* ---- the set and its diagnostics ---- */

struct ruleset {
	struct arena arena;
	struct rfile **files;
	size_t nfiles;
	struct rule **rules;
	size_t nrules, caprules;
	struct rdiags diags;   /* errors of every stage (rule_diag.c) */
	void **res;            /* compiled regexes, freed with the set */
	size_t nres, capres;
	const char **fnames;   /* rule_compile.c: every field name rules read, by fid - 1 */
	unsigned nfnames;
};

/* rule_set.c */
struct ruleset *ruleset_new(void);
void ruleset_free(struct ruleset *rs);
/* Add a file's text (copied) to the set; the returned file belongs to rs. */
const struct rfile *ruleset_add_text(struct ruleset *rs, const char *path, const char *text,
				     size_t len);
/* Read and parse one file or every *.rule file of a directory (sorted by name).
 * Returns the number of errors added (0 = clean); unreadable paths are errors. */
size_t ruleset_load(struct ruleset *rs, const char *path);
/* rule_parse.c: parse text into rules (appended to rs->rules). Returns the
 * number of syntax errors. */
size_t rule_parse(struct ruleset *rs, const struct rfile *file);
/* One expression from the text [start, end) of file (template placeholders);
 * NULL after recording the error. */
struct rexpr *rule_parse_expr(struct ruleset *rs, const struct rfile *file, uint32_t start,
			      uint32_t end);

/* rule_check.c: resolve names, type every expression, compile regexes and
 * templates. Returns the number of errors added. */
size_t rule_check(struct ruleset *rs);
/* rule_compile.c (run by rule_check): number the field names rules read (fid)
 * and list each rule's reads. */
void rule_compile(struct ruleset *rs);
/* The fields the engine reads of a kept event itself (fids 1..n, in every
 * rule's reads), NULL-terminated. */
extern const char *const rule_engine_fields[];
/* Regex limits every compiled pattern runs under (rule_check.c sets them up). */
#define RULE_RE_MATCH_LIMIT 100000u
#define RULE_RE_DEPTH_LIMIT 2000u

/* ---- evaluation (rule_eval.c) ---- */

struct rctx {
	const struct event *ev;              /* the event at hand, or NULL */
	const struct event *const *bound;    /* per step: bound event or NULL */
	const char *const *labels;           /* source index -> label */
	size_t nlabels;
	void *match_data;                    /* pcre2_match_data * */
	void *match_ctx;                     /* pcre2_match_context * */
	uint64_t re_errors;                  /* matches stopped by a limit */
	/* templates: what a finding knows besides events */
	const struct rule *rule;
	const char *key;
	int64_t count, distinct, window, first, last;
	const struct event *anchor;          /* unqualified names in templates */
	uint16_t *fslot;                     /* per fid - 1: index where the name was last
	                                      * found in an event (a hint; NULL: none) */
};

/* The value of field e (RS_FIELD) in ev, or NULL: event_get() with the slot hint. */
const struct value *rule_field(const struct rctx *c, const struct event *ev, const struct rexpr *e);
/* The same by field id (1-based; 0: plain event_get) and name; *index: where. */
const struct value *rule_field_id(const struct rctx *c, const struct event *ev, unsigned fid,
				  const char *name, unsigned *index);

/* The source label of an event: its orig.source field (a replayed timeline)
 * or the run's label. */
const char *rule_event_label(const struct rctx *c, const struct event *ev, size_t *len);
/* Evaluate a condition; missing fields make comparisons false. */
bool rule_eval(const struct rexpr *e, struct rctx *c);
/* Evaluate a value; V_NONE when missing. scratch holds rendered text. */
void rule_eval_value(const struct rexpr *e, struct rctx *c, struct value *out, char *scratch,
		     size_t slen);
/* Fill a template into buf (always NUL-terminated); returns the length. */
size_t rule_fill(const struct rtmpl *t, struct rctx *c, char *buf, size_t len);

#endif
