/*
 * parsers/jsonl.c - correlator's own `timeline -f jsonl` output read back as
 * a source, so a saved timeline can be re-analyzed and rules tested on exact
 * event sequences. One JSON object a line: ts (RFC 3339) or timestamp (us),
 * source (kept as field orig.source), file (orig.file), ref, type, flow
 * {src, sport, dst, dport, proto}, fields {name: value}, msg.
 * Field types come back from JSON types and the field catalogue
 * (correlator/fields.c): integers V_INT (V_DUR for duration fields, written
 * as nanoseconds), fractions V_REAL, true/false V_BOOL, strings V_STR except
 * addresses in address-named fields (*.src, *.dst, ip.*, *addr*) -> V_ADDR.
 * A repeated field written as "name#2" gets its name back.
 * The JSON reader is a small bounded cursor: no recursion, nesting deeper
 * than JSONL_MAX_DEPTH makes the line a counted skip; nested values inside
 * fields are dropped with a warning.
 * Does not: read arbitrary JSON documents or JSON spanning lines.
 * Spec: RFC 8259; the jsonl shape of correlator/timeline_out.c.
 */
#include "../correlator/core/parser.h"
#include "../correlator/core/arena.h"
#include "../correlator/core/fields.h"
#include "../correlator/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSONL_MAX_DEPTH 32

struct jsonl_state {
	struct source *src;
	FILE *f;
	char *line;
	size_t cap, max;
	uint64_t lineno;
	struct arena scratch;   /* strings of the current event */
};

struct jcur {
	const char *p, *end;
	bool bad;
	const char *why;
};

static void fail(struct jcur *c, const char *why)
{
	if (!c->bad)
		c->why = why;
	c->bad = true;
	c->p = c->end;
}

static void ws(struct jcur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

static bool lit(struct jcur *c, char ch)
{
	ws(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

static int hexval(char h)
{
	if (h >= '0' && h <= '9') return h - '0';
	if (h >= 'a' && h <= 'f') return h - 'a' + 10;
	if (h >= 'A' && h <= 'F') return h - 'A' + 10;
	return -1;
}

static bool hex4(struct jcur *c, unsigned *out)
{
	if (c->end - c->p < 4)
		return false;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(c->p[i]);
		if (h < 0)
			return false;
		v = v << 4 | (unsigned)h;
	}
	c->p += 4;
	*out = v;
	return true;
}

static size_t utf8_put(char *o, unsigned cp)
{
	if (cp < 0x80) { o[0] = (char)cp; return 1; }
	if (cp < 0x800) { o[0] = (char)(0xc0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12); o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18); o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f)); o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A JSON string, unescaped into a; NUL-terminated; *n its length. */
static char *jstring(struct jcur *c, struct arena *a, size_t *n)
{
	ws(c);
	if (c->p >= c->end || *c->p != '"') {
		fail(c, "expected a string");
		return NULL;
	}
	c->p++;
	const char *start = c->p;
	/* unescaped text is never longer than the escaped text */
	const char *q = start;
	while (q < c->end && *q != '"') {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= c->end) {
		fail(c, "unterminated string");
		return NULL;
	}
	char *out = arena_alloc(a, (size_t)(q - start) + 1);
	size_t o = 0;
	while (c->p < q) {
		char ch = *c->p++;
		if (ch != '\\') {
			out[o++] = ch;
			continue;
		}
		char e = *c->p++;
		switch (e) {
		case '"': out[o++] = '"'; break;
		case '\\': out[o++] = '\\'; break;
		case '/': out[o++] = '/'; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (!hex4(c, &cp)) {
				fail(c, "bad \\u escape");
				return NULL;
			}
			if (cp >= 0xd800 && cp < 0xdc00 && q - c->p >= 6 && c->p[0] == '\\' &&
			    c->p[1] == 'u') {
				c->p += 2;
				if (!hex4(c, &lo) || lo < 0xdc00 || lo > 0xdfff) {
					fail(c, "bad surrogate pair");
					return NULL;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd;
			}
			/* 6 escaped bytes never give more than 4 */
			o += utf8_put(out + o, cp);
			break;
		}
		default:
			fail(c, "bad escape");
			return NULL;
		}
	}
	c->p = q + 1;
	out[o] = '\0';
	*n = o;
	return out;
}

/* A JSON number's text; *real when it has a fraction or exponent. */
static bool jnumber(struct jcur *c, const char **s, size_t *n, bool *real)
{
	ws(c);
	const char *st = c->p;
	*real = false;
	if (c->p < c->end && *c->p == '-')
		c->p++;
	const char *digits = c->p;
	while (c->p < c->end && ((*c->p >= '0' && *c->p <= '9') || *c->p == '.' || *c->p == 'e' ||
				 *c->p == 'E' || *c->p == '+' || *c->p == '-')) {
		if (*c->p == '.' || *c->p == 'e' || *c->p == 'E')
			*real = true;
		c->p++;
	}
	if (c->p == digits) {
		fail(c, "expected a value");
		return false;
	}
	*s = st;
	*n = (size_t)(c->p - st);
	return true;
}

/* Skip one value of any kind, without recursion; false if deeper than the limit. */
static bool jskip(struct jcur *c)
{
	unsigned depth = 0;
	ws(c);
	do {
		if (c->p >= c->end) {
			fail(c, "truncated value");
			return false;
		}
		char ch = *c->p;
		if (ch == '"') {
			c->p++;
			while (c->p < c->end && *c->p != '"') {
				if (*c->p == '\\')
					c->p++;
				c->p++;
			}
			if (c->p >= c->end) {
				fail(c, "unterminated string");
				return false;
			}
			c->p++;
		} else if (ch == '{' || ch == '[') {
			if (++depth > JSONL_MAX_DEPTH) {
				fail(c, "nested deeper than 32 levels");
				return false;
			}
			c->p++;
		} else if (ch == '}' || ch == ']') {
			if (depth == 0) {
				fail(c, "unbalanced bracket");
				return false;
			}
			depth--;
			c->p++;
		} else {
			c->p++;
		}
		ws(c);
	} while (depth > 0 || (c->p < c->end && *c->p != ',' && *c->p != '}' && *c->p != ']'));
	return true;
}

static bool word(struct jcur *c, const char *w)
{
	size_t n = strlen(w);
	ws(c);
	if ((size_t)(c->end - c->p) >= n && !memcmp(c->p, w, n)) {
		c->p += n;
		return true;
	}
	return false;
}

/* 2024-01-07T14:33:49.908123456Z, or with +01:00. */
static bool parse_rfc3339(const char *s, size_t n, int64_t *out)
{
	if (n < 20)
		return false;
	int64_t y, mo, d, h, mi, se;
	if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return false;
	if (!parse_i64(s, 4, &y) || !parse_i64(s + 5, 2, &mo) || !parse_i64(s + 8, 2, &d) ||
	    !parse_i64(s + 11, 2, &h) || !parse_i64(s + 14, 2, &mi) || !parse_i64(s + 17, 2, &se))
		return false;
	int64_t secs;
	if (!utc_seconds((int)y, (int)mo, (int)d, (int)h, (int)mi, (int)se, &secs))
		return false;
	size_t i = 19;
	int64_t frac = 0;
	if (i < n && s[i] == '.') {
		i++;
		int digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (digits < 9) {
				frac = frac * 10 + (s[i] - '0');
				digits++;
			}
			i++;
		}
		for (; digits < 9; digits++)
			frac *= 10;
	}
	int64_t off = 0;
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int64_t oh, om;
		if (!parse_i64(s + i + 1, 2, &oh) || !parse_i64(s + i + 4, 2, &om))
			return false;
		off = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
		i += 6;
	} else {
		return false;
	}
	if (i != n)
		return false;
	*out = (secs - off) * NS_PER_SEC + frac;
	return true;
}

static bool addr_named(const char *name, const struct field_def *d)
{
	if (d && d->type == V_ADDR)
		return true;
	size_t n = strlen(name);
	if (!strncmp(name, "ip.", 3) || strstr(name, "addr"))
		return true;
	return (n > 4 && (!strcmp(name + n - 4, ".src") || !strcmp(name + n - 4, ".dst")));
}

static void read_field(struct jsonl_state *st, struct jcur *c, struct event *ev, char *name)
{
	/* "name#2": the writer's spelling of a repeated name */
	char *hash = strrchr(name, '#');
	if (hash && hash[1]) {
		uint64_t k;
		if (parse_u64(hash + 1, strlen(hash + 1), 1000, &k))
			*hash = '\0';
	}
	/* "tcp.flags.value": the export's spelling of a parent's own value */
	size_t nl = strlen(name), sl = strlen(FIELDS_PARENT_SUFFIX);
	if (nl > sl && !strcmp(name + nl - sl, FIELDS_PARENT_SUFFIX) && fields_is_parent(name, nl - sl))
		name[nl - sl] = '\0';
	const struct field_def *d = fields_lookup(name);
	ws(c);
	if (c->p >= c->end) {
		fail(c, "truncated value");
		return;
	}
	char ch = *c->p;
	if (ch == '"') {
		size_t n;
		char *s = jstring(c, &st->scratch, &n);
		if (!s)
			return;
		struct addr a;
		if (addr_named(name, d) && addr_parse(s, n, &a))
			ev_addr(ev, name, &a);
		else
			ev_str(ev, name, s, n);
	} else if (ch == '{' || ch == '[') {
		source_warn(st->src, st->lineno, "field '%s': nested value dropped", name);
		jskip(c);
	} else if (word(c, "true")) {
		ev_bool(ev, name, true);
	} else if (word(c, "false")) {
		ev_bool(ev, name, false);
	} else if (word(c, "null")) {
		/* nothing to keep */
	} else {
		const char *s;
		size_t n;
		bool real;
		if (!jnumber(c, &s, &n, &real))
			return;
		int64_t i;
		if (!real && parse_i64(s, n, &i)) {
			if (d && d->type == V_DUR)
				ev_dur(ev, name, i);
			else if (d && d->type == V_BOOL && (i == 0 || i == 1))
				ev_bool(ev, name, i == 1);
			else
				ev_int(ev, name, i);
		} else {
			char tmp[64];
			if (n >= sizeof tmp) {
				fail(c, "number too long");
				return;
			}
			memcpy(tmp, s, n);
			tmp[n] = '\0';
			char *e;
			double r = strtod(tmp, &e);
			if (*e) {
				fail(c, "malformed number");
				return;
			}
			ev_real(ev, name, r);
		}
	}
}

static void read_fields(struct jsonl_state *st, struct jcur *c, struct event *ev)
{
	if (word(c, "null"))
		return;
	if (!lit(c, '{')) {
		fail(c, "fields: expected an object");
		return;
	}
	if (lit(c, '}'))
		return;
	do {
		size_t n;
		char *name = jstring(c, &st->scratch, &n);
		if (!name || !lit(c, ':')) {
			fail(c, "fields: expected \"name\": value");
			return;
		}
		read_field(st, c, ev, name);
	} while (!c->bad && lit(c, ','));
	if (!c->bad && !lit(c, '}'))
		fail(c, "fields: expected ',' or '}'");
}

static bool get_port(struct jcur *c, uint16_t *out)
{
	const char *s;
	size_t n;
	bool real;
	uint64_t v;
	if (!jnumber(c, &s, &n, &real) || real || !parse_u64(s, n, 65535, &v)) {
		fail(c, "flow: bad port");
		return false;
	}
	*out = (uint16_t)v;
	return true;
}

static uint8_t proto_number(const char *s)
{
	static const struct { const char *n; uint8_t p; } t[] = {
		{ "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 },
		{ "esp", 50 }, { "ah", 51 }, { "icmpv6", 58 }, { "sctp", 132 },
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		if (!strcmp(t[i].n, s))
			return t[i].p;
	return 0;
}

static void read_flow(struct jsonl_state *st, struct jcur *c, struct event *ev)
{
	if (word(c, "null"))
		return;
	if (!lit(c, '{')) {
		fail(c, "flow: expected an object");
		return;
	}
	unsigned have = 0;
	if (lit(c, '}'))
		return;
	do {
		size_t n;
		char *k = jstring(c, &st->scratch, &n);
		if (!k || !lit(c, ':')) {
			fail(c, "flow: expected \"name\": value");
			return;
		}
		if (!strcmp(k, "src") || !strcmp(k, "dst")) {
			size_t an;
			char *a = jstring(c, &st->scratch, &an);
			struct addr *dst = k[0] == 's' ? &ev->flow.src : &ev->flow.dst;
			if (!a || !addr_parse(a, an, dst)) {
				fail(c, "flow: bad address");
				return;
			}
			have |= k[0] == 's' ? 1 : 2;
		} else if (!strcmp(k, "sport")) {
			get_port(c, &ev->flow.sport);
		} else if (!strcmp(k, "dport")) {
			get_port(c, &ev->flow.dport);
		} else if (!strcmp(k, "proto")) {
			ws(c);
			if (c->p < c->end && *c->p == '"') {
				size_t pn;
				char *p = jstring(c, &st->scratch, &pn);
				if (p)
					ev->flow.proto = proto_number(p);
			} else {
				const char *s;
				size_t sn;
				bool real;
				uint64_t v;
				if (!jnumber(c, &s, &sn, &real) || real || !parse_u64(s, sn, 255, &v)) {
					fail(c, "flow: bad protocol");
					return;
				}
				ev->flow.proto = (uint8_t)v;
			}
		} else {
			jskip(c);
		}
	} while (!c->bad && lit(c, ','));
	if (!c->bad && !lit(c, '}'))
		fail(c, "flow: expected ',' or '}'");
	if (!c->bad && have == 3)
		ev->flags |= EV_HAS_FLOW;
}

static bool parse_line(struct jsonl_state *st, const char *line, size_t len, struct event *ev)
{
	struct jcur c = { line, line + len, false, NULL };
	bool have_ts = false;
	char *label = NULL, *file = NULL;
	size_t label_n = 0, file_n = 0;
	int64_t raw_off = 0;
	if (!lit(&c, '{')) {
		source_skip(st->src, st->lineno, "not a JSON object");
		return false;
	}
	if (!lit(&c, '}')) {
		do {
			size_t n;
			char *k = jstring(&c, &st->scratch, &n);
			if (!k || !lit(&c, ':')) {
				fail(&c, "expected \"name\": value");
				break;
			}
			if (!strcmp(k, "ts")) {
				size_t tn;
				char *t = jstring(&c, &st->scratch, &tn);
				if (t && !parse_rfc3339(t, tn, &ev->ts_raw)) {
					source_skip(st->src, st->lineno, "ts '%.40s' is not an RFC 3339 time", t);
					return false;
				}
				have_ts = t != NULL;
			} else if (!strcmp(k, "timestamp") && !have_ts) {
				const char *s;
				size_t sn;
				bool real;
				int64_t us;
				if (jnumber(&c, &s, &sn, &real) && !real && parse_i64(s, sn, &us) &&
				    us < INT64_MAX / 1000 && us > INT64_MIN / 1000) {
					ev->ts_raw = us * 1000;
					have_ts = true;
				}
			} else if (!strcmp(k, "source")) {
				label = jstring(&c, &st->scratch, &label_n);
			} else if (!strcmp(k, "file")) {
				file = jstring(&c, &st->scratch, &file_n);
			} else if (!strcmp(k, "ref")) {
				const char *s;
				size_t sn;
				bool real;
				uint64_t v;
				if (jnumber(&c, &s, &sn, &real) && !real && parse_u64(s, sn, UINT64_MAX, &v))
					ev->ref = v;
				else
					fail(&c, "ref is not a whole number");
			} else if (!strcmp(k, "type")) {
				size_t tn;
				char *t = jstring(&c, &st->scratch, &tn);
				if (t && tn)
					ev->type = t;
			} else if (!strcmp(k, "msg")) {
				size_t mn;
				char *m = jstring(&c, &st->scratch, &mn);
				if (m)
					ev->msg = m;
			} else if (!strcmp(k, "flow")) {
				read_flow(st, &c, ev);
			} else if (!strcmp(k, "fields")) {
				read_fields(st, &c, ev);
			} else if (!strcmp(k, "ts_raw_offset_ns")) {
				const char *s;
				size_t sn;
				bool real;
				if (jnumber(&c, &s, &sn, &real) && !real)
					parse_i64(s, sn, &raw_off);
			} else {
				jskip(&c);
			}
		} while (!c.bad && lit(&c, ','));
		if (!c.bad && !lit(&c, '}'))
			fail(&c, "expected ',' or '}'");
	}
	if (c.bad) {
		source_skip(st->src, st->lineno, "malformed JSON: %s", c.why ? c.why : "?");
		return false;
	}
	if (!have_ts) {
		source_skip(st->src, st->lineno, "no ts");
		return false;
	}
	/* the timeline wrote corrected times; the offset it applied is history */
	(void)raw_off;
	if (label)
		ev_str(ev, "orig.source", label, label_n);
	if (file)
		ev_str(ev, "orig.file", file, file_n);
	if (!ev->ref)
		ev->ref = st->lineno;
	return true;
}

/* Read one line of at most st->max bytes; false at EOF. *too_long when cut. */
static bool read_line(struct jsonl_state *st, size_t *len, bool *too_long)
{
	size_t n = 0;
	int ch;
	*too_long = false;
	while ((ch = getc_unlocked(st->f)) != EOF) {
		if (ch == '\n')
			break;
		if (n >= st->max) {
			*too_long = true;
			continue;
		}
		if (n + 1 >= st->cap) {
			st->cap = st->cap ? st->cap * 2 : 4096;
			if (st->cap > st->max + 1)
				st->cap = st->max + 1;
			st->line = xrealloc(st->line, st->cap);
		}
		st->line[n++] = (char)ch;
	}
	if (ch == EOF && n == 0 && !*too_long)
		return false;
	*len = n;
	return true;
}

static pr_status jsonl_next(void *state, struct event *ev)
{
	struct jsonl_state *st = state;
	arena_reset(&st->scratch);
	for (;;) {
		size_t len;
		bool too_long;
		if (!read_line(st, &len, &too_long))
			return PR_EOF;
		st->lineno++;
		if ((st->lineno & 0x3ff) == 0) {
			long pos = ftell(st->f);
			if (pos > 0)
				st->src->bytes_cur = (uint64_t)pos;
		}
		if (too_long) {
			source_skip(st->src, st->lineno, "line longer than %zu bytes", st->max);
			return PR_SKIP;
		}
		size_t i = 0;
		while (i < len && (st->line[i] == ' ' || st->line[i] == '\t' || st->line[i] == '\r'))
			i++;
		if (i == len)
			continue;   /* blank line */
		if (!parse_line(st, st->line, len, ev)) {
			event_reset(ev);
			return PR_SKIP;
		}
		return PR_EVENT;
	}
}

static int jsonl_sniff(const uint8_t *h, size_t n)
{
	size_t i = 0;
	if (n >= 3 && h[0] == 0xef && h[1] == 0xbb && h[2] == 0xbf)
		i = 3;
	while (i < n && (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n'))
		i++;
	if (i + 2 > n || h[i] != '{' || h[i + 1] != '"')
		return 0;
	/* the first line must carry the timeline's keys */
	const uint8_t *nl = memchr(h + i, '\n', n - i);
	size_t end = nl ? (size_t)(nl - h) : n;
	char buf[SNIFF_BYTES + 1];
	size_t l = end - i < SNIFF_BYTES ? end - i : SNIFF_BYTES;
	memcpy(buf, h + i, l);
	buf[l] = '\0';
	if (strstr(buf, "\"type\":") && (strstr(buf, "\"ts\":") || strstr(buf, "\"timestamp\":")))
		return 70;
	return 0;
}

static int jsonl_open(struct source *src, const char *path, void **state)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		source_error(src, "%s: cannot open", path);
		return -1;
	}
	struct jsonl_state *st = xcalloc(1, sizeof *st);
	st->src = src;
	st->f = f;
	st->max = src->limits && src->limits->max_line ? src->limits->max_line : (1u << 20);
	arena_init(&st->scratch, 0);
	*state = st;
	return 0;
}

static void jsonl_close(void *state)
{
	struct jsonl_state *st = state;
	if (!st)
		return;
	fclose(st->f);
	free(st->line);
	arena_free(&st->scratch);
	free(st);
}

const struct parser parser_jsonl = {
	.api_version = PARSER_API_VERSION,
	.name = "jsonl",
	.summary = "correlator timeline -f jsonl, read back (re-analysis, rule tests)",
	.sniffs = "a first line '{\"ts\":...,\"type\":...}' (JSON object with ts/timestamp and type)",
	.sniff = jsonl_sniff,
	.open = jsonl_open,
	.next_event = jsonl_next,
	.close = jsonl_close,
};
