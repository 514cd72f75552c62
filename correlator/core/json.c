/*
 * correlator/core/json.c - JSON/CSV/terminal escaping through a buffered writer
 * (see json.h).
 */
#include "json.h"
#include "fields.h"

#include <inttypes.h>
#include <string.h>

/* Length of a valid UTF-8 sequence at s (max n), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void jbuf_flush(struct jbuf *j)
{
	if (j->n)
		fwrite(j->b, 1, j->n, j->f);
	j->n = 0;
}

void jbuf_put(struct jbuf *j, const void *p, size_t n)
{
	if (n > JBUF_SIZE - j->n) {
		jbuf_flush(j);
		if (n > JBUF_SIZE) {
			fwrite(p, 1, n, j->f);
			return;
		}
	}
	memcpy(j->b + j->n, p, n);
	j->n += n;
}

void jbuf_u64(struct jbuf *j, uint64_t v)
{
	char t[24];
	size_t i = sizeof t;
	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	jbuf_put(j, t + i, sizeof t - i);
}

void jbuf_i64(struct jbuf *j, int64_t v)
{
	if (v < 0) {
		jbuf_putc(j, '-');
		jbuf_u64(j, (uint64_t)0 - (uint64_t)v);
	} else {
		jbuf_u64(j, (uint64_t)v);
	}
}

/* Printable ASCII that needs no escape in a JSON string. */
static bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void jbuf_str(struct jbuf *j, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	jbuf_put(j, "\"\"", j->qn);
	for (size_t i = 0; i < n;) {
		size_t k = i;
		while (k < n && json_plain(u[k]))
			k++;
		if (k > i) {
			jbuf_put(j, u + i, k - i);
			i = k;
			continue;
		}
		unsigned char c = u[i];
		if (c == '"' || c == '\\') {
			jbuf_putc(j, '\\');
			if (c == '"')
				jbuf_put(j, "\"\"", j->qn);
			else
				jbuf_putc(j, (char)c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': jbuf_put(j, "\\n", 2); break;
			case '\r': jbuf_put(j, "\\r", 2); break;
			case '\t': jbuf_put(j, "\\t", 2); break;
			default: {
				static const char hex[] = "0123456789abcdef";
				char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				jbuf_put(j, e, 6);
				break;
			}
			}
			i++;
		} else {
			size_t l = utf8_len(u + i, n - i);
			if (l) {
				jbuf_put(j, u + i, l);
				i += l;
			} else {
				jbuf_put(j, "\\ufffd", 6);
				i++;
			}
		}
	}
	jbuf_put(j, "\"\"", j->qn);
}

void jbuf_cstr(struct jbuf *j, const char *s)
{
	if (!s) {
		jbuf_put(j, "null", 4);
		return;
	}
	jbuf_str(j, s, strlen(s));
}

void jbuf_value(struct jbuf *j, const struct value *v)
{
	char buf[128];
	switch (v->type) {
	case V_INT:
		jbuf_i64(j, v->u.i);
		return;
	case V_BOOL:
		jbuf_puts(j, v->u.i ? "true" : "false");
		return;
	case V_REAL: {
		int n = snprintf(buf, sizeof buf, "%.9g", v->u.r);
		if (n > 0)
			jbuf_put(j, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
		return;
	}
	case V_DUR:
		/* nanoseconds as a number: machines compute with it */
		jbuf_i64(j, v->u.i);
		return;
	case V_STR:
		jbuf_str(j, v->u.s.p, v->u.s.n);
		return;
	case V_ADDR:
		addr_format(&v->u.a, buf, sizeof buf);
		jbuf_cstr(j, buf);
		return;
	case V_NONE:
		break;
	}
	jbuf_put(j, "null", 4);
}

static uint32_t name_hash(const char *s, size_t n)  /* FNV-1a, as fields_is_parent_hashed wants */
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void fields_out(struct jbuf *j, const struct event *ev, bool indexable)
{
	/* a repeated name (several DNS answers) keeps its first value in JSON
	 * objects; the rest get an index suffix so nothing is lost. Names are
	 * told apart by hash and length first (a 64-bit filter of the hashes
	 * seen skips the search when a name cannot be a repeat). */
	uint32_t hs[EVENT_MAX_FIELDS];
	size_t ls[EVENT_MAX_FIELDS];
	uint64_t seen = 0;
	unsigned nf = ev->nfields < EVENT_MAX_FIELDS ? ev->nfields : EVENT_MAX_FIELDS;
	jbuf_putc(j, '{');
	for (unsigned i = 0; i < nf; i++) {
		const char *name = ev->fields[i].name;
		size_t len = strlen(name);
		uint32_t h = name_hash(name, len);
		uint64_t bit = 1ULL << (h & 63);
		hs[i] = h;
		ls[i] = len;
		unsigned dup = 0;
		if (seen & bit)
			for (unsigned k = 0; k < i; k++)
				if (hs[k] == h && ls[k] == len &&
				    (ev->fields[k].name == name || !memcmp(ev->fields[k].name, name, len)))
					dup++;
		seen |= bit;
		if (i)
			jbuf_putc(j, ',');
		if (dup) {
			char nb[128];
			snprintf(nb, sizeof nb, "%s%s#%u", name,
				 indexable && fields_is_parent_hashed(name, len, h) ? FIELDS_PARENT_SUFFIX : "", dup + 1);
			jbuf_cstr(j, nb);
		} else if (indexable && fields_is_parent_hashed(name, len, h)) {
			char nb[160];
			snprintf(nb, sizeof nb, "%s%s", name, FIELDS_PARENT_SUFFIX);
			jbuf_cstr(j, nb);
		} else {
			jbuf_str(j, name, len);
		}
		jbuf_putc(j, ':');
		jbuf_value(j, &ev->fields[i].v);
	}
	jbuf_putc(j, '}');
}

void jbuf_fields(struct jbuf *j, const struct event *ev)
{
	fields_out(j, ev, false);
}

void jbuf_fields_indexable(struct jbuf *j, const struct event *ev)
{
	fields_out(j, ev, true);
}

void jbuf_flow(struct jbuf *j, const struct event *ev)
{
	if (!(ev->flags & EV_HAS_FLOW)) {
		jbuf_put(j, "null", 4);
		return;
	}
	char a[64], b[64];
	size_t na = addr_format(&ev->flow.src, a, sizeof a);
	size_t nb = addr_format(&ev->flow.dst, b, sizeof b);
	const char *pn = ip_proto_name(ev->flow.proto);
	jbuf_put(j, "{\"src\":\"", 8);
	jbuf_put(j, a, na < sizeof a ? na : sizeof a - 1);
	jbuf_put(j, "\",\"sport\":", 10);
	jbuf_u64(j, ev->flow.sport);
	jbuf_put(j, ",\"dst\":\"", 8);
	jbuf_put(j, b, nb < sizeof b ? nb : sizeof b - 1);
	jbuf_put(j, "\",\"dport\":", 10);
	jbuf_u64(j, ev->flow.dport);
	jbuf_put(j, ",\"proto\":", 9);
	if (pn) {
		jbuf_putc(j, '"');
		jbuf_puts(j, pn);
		jbuf_putc(j, '"');
	} else {
		jbuf_u64(j, ev->flow.proto);
	}
	if (ev->session) {
		jbuf_put(j, ",\"session\":", 11);
		jbuf_u64(j, ev->session);
	}
	jbuf_putc(j, '}');
}

void json_str(FILE *f, const char *s, size_t n)
{
	struct jbuf j;
	jbuf_init(&j, f);
	jbuf_str(&j, s, n);
	jbuf_flush(&j);
}

void json_cstr(FILE *f, const char *s)
{
	struct jbuf j;
	jbuf_init(&j, f);
	jbuf_cstr(&j, s);
	jbuf_flush(&j);
}

void json_value(FILE *f, const struct value *v)
{
	struct jbuf j;
	jbuf_init(&j, f);
	jbuf_value(&j, v);
	jbuf_flush(&j);
}

void json_fields(FILE *f, const struct event *ev)
{
	struct jbuf j;
	jbuf_init(&j, f);
	jbuf_fields(&j, ev);
	jbuf_flush(&j);
}

void json_flow(FILE *f, const struct event *ev)
{
	struct jbuf j;
	jbuf_init(&j, f);
	jbuf_flow(&j, ev);
	jbuf_flush(&j);
}

/* A CSV cell needs quotes when it holds a comma, a quote or a line break. */
static bool csv_needs_quotes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			return true;
	return false;
}

void csv_cell(FILE *f, const char *s, size_t n)
{
	if (!csv_needs_quotes(s, n)) {
		fwrite(s, 1, n, f);
		return;
	}
	/* runs between quotes in one fwrite each; a quote is written twice */
	fputc('"', f);
	size_t i = 0;
	while (i < n) {
		const char *q = memchr(s + i, '"', n - i);
		size_t k = q ? (size_t)(q - s) + 1 : n;
		fwrite(s + i, 1, k - i, f);
		if (q)
			fputc('"', f);
		i = k;
	}
	fputc('"', f);
}

void jbuf_csv_cell(struct jbuf *j, const char *s, size_t n)
{
	if (!csv_needs_quotes(s, n)) {
		jbuf_put(j, s, n);
		return;
	}
	jbuf_putc(j, '"');
	size_t i = 0;
	while (i < n) {
		const char *q = memchr(s + i, '"', n - i);
		size_t k = q ? (size_t)(q - s) + 1 : n;
		jbuf_put(j, s + i, k - i);
		if (q)
			jbuf_putc(j, '"');
		i = k;
	}
	jbuf_putc(j, '"');
}

void jbuf_csv_fields(struct jbuf *j, const struct event *ev)
{
	/* the JSON of one field or more holds quotes (its keys) and never a raw
	 * newline (escaped), so csv_cell would quote it and double its quotes:
	 * jbuf_str writes each quote twice meanwhile; "{}" stays bare */
	if (!ev->nfields) {
		jbuf_put(j, "{}", 2);
		return;
	}
	jbuf_putc(j, '"');
	j->qn = 2;
	fields_out(j, ev, false);
	j->qn = 1;
	jbuf_putc(j, '"');
}

void text_safe(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}
