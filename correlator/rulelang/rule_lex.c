/*
 * correlator/rulelang/rule_lex.c - tokens of the rule language: words (field names,
 * keywords and step names are all RT_IDENT; the parser knows which is which),
 * "strings", numbers with duration (500ms 30s 5m 2h 1d) or size (64KB 1MB)
 * units, hex numbers (0xc0040034), IPv4/IPv6 addresses and CIDR networks
 * (10.0.0.0/8), /regex/flags on request, punctuation, and # comments.
 * Every token carries its byte offset; line and column are computed only
 * when a message is printed (rule_set.c).
 * Does not: know the grammar (rule_parse.c).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "rule_ast.h"
#include "../core/util.h"

#include <ctype.h>
#include <math.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

void rule_lex_init(struct rlex *lx, struct ruleset *rs, const struct rfile *file)
{
	lx->rs = rs;
	lx->file = file;
	lx->src = file->text;
	lx->len = file->len;
	lx->pos = 0;
}

const char *rule_tok_name(enum rtok k)
{
	static const char *const names[] = {
		[RT_EOF] = "end of file", [RT_ERROR] = "error", [RT_IDENT] = "name",
		[RT_STRING] = "string", [RT_NUMBER] = "number", [RT_DURATION] = "duration",
		[RT_SIZE] = "size", [RT_ADDR] = "address", [RT_CIDR] = "network",
		[RT_REGEX] = "regex", [RT_LBRACK] = "'['", [RT_RBRACK] = "']'", [RT_LPAREN] = "'('",
		[RT_RPAREN] = "')'", [RT_COMMA] = "','", [RT_BANG] = "'!'", [RT_AT] = "'@'",
		[RT_EQ] = "'=='", [RT_NE] = "'!='", [RT_LT] = "'<'", [RT_LE] = "'<='",
		[RT_GT] = "'>'", [RT_GE] = "'>='", [RT_TILDE] = "'~'", [RT_PLUS] = "'+'",
		[RT_MINUS] = "'-'", [RT_LBRACE] = "'{'", [RT_RBRACE] = "'}'",
	};
	return (unsigned)k < ARRAY_LEN(names) && names[k] ? names[k] : "token";
}

static void lex_error(struct rlex *lx, struct rtoken *t, uint32_t pos, const char *msg)
{
	t->kind = RT_ERROR;
	t->err = msg;
	rdiag_error(&lx->rs->diags, lx->file, pos, "%s", msg);
}

static void skip_space(struct rlex *lx)
{
	while (lx->pos < lx->len) {
		char c = lx->src[lx->pos];
		if (c == '#') {
			while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
				lx->pos++;
		} else if (isspace((unsigned char)c)) {
			lx->pos++;
		} else {
			break;
		}
	}
}

static bool ident_start(char c) { return isalpha((unsigned char)c) || c == '_'; }
static bool ident_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '.'; }

struct unit { const char *name; int64_t mult; bool size; };

static const struct unit units[] = {
	{ "ns", 1, false }, { "us", 1000, false }, { "ms", 1000000, false },
	{ "s", NS_PER_SEC, false }, { "m", 60 * NS_PER_SEC, false },
	{ "min", 60 * NS_PER_SEC, false }, { "h", 3600 * NS_PER_SEC, false },
	{ "d", 86400 * NS_PER_SEC, false },
	{ "B", 1, true }, { "KB", 1024, true }, { "kB", 1024, true }, { "MB", 1024 * 1024, true },
	{ "GB", 1024LL * 1024 * 1024, true }, { "KiB", 1024, true }, { "MiB", 1024 * 1024, true },
	{ "GiB", 1024LL * 1024 * 1024, true },
	{ NULL, 0, false },
};

/* A word that starts with a digit: number, number+unit, address, network. */
static void lex_numberish(struct rlex *lx, struct rtoken *t)
{
	size_t start = lx->pos, end = start;
	while (end < lx->len) {
		char c = lx->src[end];
		if (isalnum((unsigned char)c) || c == '.' || c == ':' || c == '/' || c == '_')
			end++;
		else
			break;
	}
	/* "10.0.0.0/8": the prefix length is part of the word; "a/b" is not division
	 * here, the language has none */
	const char *s = lx->src + start;
	size_t n = end - start;
	lx->pos = end;
	t->p = s;
	t->len = (uint32_t)n;
	size_t dots = 0, colons = 0;
	const char *slash = memchr(s, '/', n);
	for (size_t i = 0; i < n; i++) {
		dots += s[i] == '.';
		colons += s[i] == ':';
	}
	if (colons || dots == 3 || slash) {
		size_t alen = slash ? (size_t)(slash - s) : n;
		if (!addr_parse(s, alen, &t->a)) {
			lex_error(lx, t, (uint32_t)start, "malformed address");
			return;
		}
		if (slash) {
			uint64_t bits;
			unsigned max = t->a.family == 4 ? 32 : 128;
			if (!parse_u64(slash + 1, n - alen - 1, max, &bits)) {
				lex_error(lx, t, (uint32_t)(start + alen + 1), "malformed network prefix length");
				return;
			}
			t->bits = (unsigned)bits;
			t->kind = RT_CIDR;
		} else {
			t->kind = RT_ADDR;
		}
		return;
	}
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		uint64_t v;
		if (!parse_u64(s, n, INT64_MAX, &v)) {
			lex_error(lx, t, (uint32_t)start, "malformed hex number");
			return;
		}
		t->kind = RT_NUMBER;
		t->i = (int64_t)v;
		return;
	}
	size_t k = 0;
	while (k < n && (isdigit((unsigned char)s[k]) || s[k] == '.'))
		k++;
	char num[64];
	if (k >= sizeof num || dots > 1) {
		lex_error(lx, t, (uint32_t)start, "malformed number");
		return;
	}
	memcpy(num, s, k);
	num[k] = '\0';
	bool real = memchr(num, '.', k) != NULL;
	const char *unit = s + k;
	size_t ulen = n - k;
	if (ulen == 0) {
		t->kind = RT_NUMBER;
		if (real) {
			t->is_real = true;
			t->r = strtod(num, NULL);
		} else {
			uint64_t v;
			if (!parse_u64(num, k, INT64_MAX, &v)) {
				lex_error(lx, t, (uint32_t)start, "number out of range");
				return;
			}
			t->i = (int64_t)v;
		}
		return;
	}
	for (const struct unit *u = units; u->name; u++) {
		if (strlen(u->name) != ulen || memcmp(u->name, unit, ulen))
			continue;
		double v = strtod(num, NULL) * (double)u->mult;
		if (!(v < 9.2e18)) {
			lex_error(lx, t, (uint32_t)start, "value out of range");
			return;
		}
		t->kind = u->size ? RT_SIZE : RT_DURATION;
		t->i = (int64_t)llround(v);
		return;
	}
	lex_error(lx, t, (uint32_t)(start + k),
		  "unknown unit (durations: ns us ms s m h d; sizes: B KB MB GB)");
}

static void lex_string(struct rlex *lx, struct rtoken *t)
{
	size_t start = lx->pos++;
	char *out = arena_alloc(&lx->rs->arena, lx->len - start + 1);
	size_t o = 0;
	while (lx->pos < lx->len) {
		char c = lx->src[lx->pos++];
		if (c == '"') {
			out[o] = '\0';
			t->kind = RT_STRING;
			t->s = out;
			t->slen = o;
			t->p = lx->src + start;
			t->len = (uint32_t)(lx->pos - start);
			return;
		}
		if (c == '\n') {
			break;
		}
		if (c == '\\' && lx->pos < lx->len) {
			char e = lx->src[lx->pos++];
			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case '\\': c = '\\'; break;
			case '"': c = '"'; break;
			default:
				lex_error(lx, t, (uint32_t)(lx->pos - 2), "unknown escape in string (use \\\\ \\\" \\n \\t)");
				continue;
			}
		}
		out[o++] = c;
	}
	lex_error(lx, t, (uint32_t)start, "unterminated string");
}

void rule_lex_next(struct rlex *lx, struct rtoken *t)
{
	memset(t, 0, sizeof *t);
	skip_space(lx);
	t->pos = (uint32_t)lx->pos;
	if (lx->pos >= lx->len) {
		t->kind = RT_EOF;
		return;
	}
	const char *s = lx->src + lx->pos;
	char c = *s;
	if (ident_start(c)) {
		size_t e = lx->pos;
		while (e < lx->len && ident_char(lx->src[e]))
			e++;
		/* a trailing dot belongs to no name */
		while (e > lx->pos + 1 && lx->src[e - 1] == '.')
			e--;
		t->kind = RT_IDENT;
		t->p = s;
		t->len = (uint32_t)(e - lx->pos);
		lx->pos = e;
		return;
	}
	if (isdigit((unsigned char)c)) {
		lex_numberish(lx, t);
		return;
	}
	if (c == '"') {
		lex_string(lx, t);
		return;
	}
	char n = lx->pos + 1 < lx->len ? s[1] : '\0';
	t->p = s;
	t->len = 1;
	lx->pos++;
	switch (c) {
	case '[': t->kind = RT_LBRACK; return;
	case ']': t->kind = RT_RBRACK; return;
	case '(': t->kind = RT_LPAREN; return;
	case ')': t->kind = RT_RPAREN; return;
	case '{': t->kind = RT_LBRACE; return;
	case '}': t->kind = RT_RBRACE; return;
	case ',': t->kind = RT_COMMA; return;
	case '@': t->kind = RT_AT; return;
	case '~': t->kind = RT_TILDE; return;
	case '+': t->kind = RT_PLUS; return;
	case '-': t->kind = RT_MINUS; return;
	case '!':
		if (n == '=') {
			lx->pos++;
			t->len = 2;
			t->kind = RT_NE;
		} else {
			t->kind = RT_BANG;
		}
		return;
	case '=':
		if (n == '=') {
			lx->pos++;
			t->len = 2;
			t->kind = RT_EQ;
			return;
		}
		lex_error(lx, t, t->pos, "'=' is not an operator: compare with '=='");
		return;
	case '<':
	case '>':
		if (n == '=') {
			lx->pos++;
			t->len = 2;
			t->kind = c == '<' ? RT_LE : RT_GE;
		} else {
			t->kind = c == '<' ? RT_LT : RT_GT;
		}
		return;
	default:
		break;
	}
	lex_error(lx, t, t->pos, "unexpected character");
}

/* Source labels (@fw-out) may hold '-' and ':'; read them as one word. */
void rule_lex_label(struct rlex *lx, struct rtoken *t)
{
	memset(t, 0, sizeof *t);
	t->pos = (uint32_t)lx->pos;
	size_t e = lx->pos;
	while (e < lx->len && lx->src[e] && (isalnum((unsigned char)lx->src[e]) || strchr("_.-:", lx->src[e])))
		e++;
	if (e == lx->pos) {
		lex_error(lx, t, t->pos, "expected a source label after '@'");
		return;
	}
	t->kind = RT_IDENT;
	t->p = lx->src + lx->pos;
	t->len = (uint32_t)(e - lx->pos);
	lx->pos = e;
}

void rule_lex_regex(struct rlex *lx, struct rtoken *t)
{
	memset(t, 0, sizeof *t);
	skip_space(lx);
	t->pos = (uint32_t)lx->pos;
	if (lx->pos >= lx->len || lx->src[lx->pos] != '/') {
		lex_error(lx, t, t->pos, "expected /regex/ after '~'");
		return;
	}
	size_t start = ++lx->pos;
	char *out = arena_alloc(&lx->rs->arena, lx->len - start + 1);
	size_t o = 0;
	for (;;) {
		if (lx->pos >= lx->len || lx->src[lx->pos] == '\n') {
			lex_error(lx, t, t->pos, "unterminated regex");
			return;
		}
		char c = lx->src[lx->pos++];
		if (c == '/')
			break;
		/* "\/" is a slash in the pattern; other escapes pass to PCRE2 */
		if (c == '\\' && lx->pos < lx->len && lx->src[lx->pos] == '/') {
			out[o++] = '/';
			lx->pos++;
			continue;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	uint32_t flags = 0;
	while (lx->pos < lx->len && isalpha((unsigned char)lx->src[lx->pos])) {
		switch (lx->src[lx->pos]) {
		case 'i': flags |= PCRE2_CASELESS; break;
		case 'm': flags |= PCRE2_MULTILINE; break;
		case 's': flags |= PCRE2_DOTALL; break;
		case 'x': flags |= PCRE2_EXTENDED; break;
		default:
			lex_error(lx, t, (uint32_t)lx->pos, "unknown regex flag (i m s x)");
			lx->pos++;
			continue;
		}
		lx->pos++;
	}
	t->kind = RT_REGEX;
	t->s = out;
	t->slen = o;
	t->re_flags = flags;
	t->p = lx->src + t->pos;
	t->len = (uint32_t)(lx->pos - t->pos);
}
