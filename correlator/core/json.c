/*
 * correlator/core/json.c - JSON/CSV/terminal escaping through a buffered writer
 * (see json.h).
 */
#include "json.h"
#include "fields.h"
#include "util.h"

#include <inttypes.h>
#include <stdlib.h>
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
	if (n > j->cap - j->n) {
		jbuf_flush(j);
		if (n > j->cap) {
			fwrite(p, 1, n, j->f);
			return;
		}
	}
	memcpy(j->b + j->n, p, n);
	j->n += n;
}

void jbuf_u64(struct jbuf *j, uint64_t v)
{
	if (FORMAT_U64_MAX > j->cap - j->n)
		jbuf_flush(j);
	j->n += format_u64(v, j->b + j->n);
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

/*
 * The key cache. A field name is looked up by its pointer first (names are
 * mostly string literals, the same pointer every event) and the hit checked
 * against the cached copy (a name owned by an event may be freed and its
 * memory reused), then by content (FNV-1a). Each name keeps its length, hash
 * and the "name": text of each way of writing it, made when first needed.
 * Names longer than JKEY_NAME_MAX, and names past JKEYS_MAX, go the slow way.
 */
#define JKEYS_SLOTS 1024  /* slots of each index; a power of two */
#define JKEYS_MAX 512     /* names cached */
#define JKEY_NAME_MAX 200
#define JKEY_PROBES 8

enum { JKEY_JSON, JKEY_CSV, JKEY_INDEX_JSON, JKEY_INDEX_CSV, JKEY_WAYS };

struct jkey {
	char *name;  /* copy, NUL-terminated */
	size_t len;
	uint32_t hash;
	char *text[JKEY_WAYS];  /* "name": as written, by way; NULL until needed */
	size_t tlen[JKEY_WAYS];
};

struct jkeys {
	const char *ptr[JKEYS_SLOTS];
	uint16_t ptr_key[JKEYS_SLOTS];
	uint16_t by_hash[JKEYS_SLOTS];  /* key index + 1; 0 = empty */
	unsigned nkeys;
	struct jkey key[JKEYS_MAX];
};

struct jkeys *jkeys_new(void)
{
	return xcalloc(1, sizeof(struct jkeys));
}

void jkeys_free(struct jkeys *k)
{
	if (!k)
		return;
	for (unsigned i = 0; i < k->nkeys; i++) {
		free(k->key[i].name);
		for (unsigned w = 0; w < JKEY_WAYS; w++)
			free(k->key[i].text[w]);
	}
	free(k);
}

static unsigned ptr_slot(const char *p)
{
	return (unsigned)(((uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull) >> 54) & (JKEYS_SLOTS - 1);
}

/* The cached name equal to name[0..len), added when new; NULL when full. */
static struct jkey *jkeys_by_content(struct jkeys *k, const char *name, size_t len, uint32_t h)
{
	unsigned s = h & (JKEYS_SLOTS - 1);
	for (unsigned i = 0; i < JKEYS_SLOTS; i++, s = (s + 1) & (JKEYS_SLOTS - 1)) {
		unsigned id = k->by_hash[s];
		if (!id)
			break;
		struct jkey *e = &k->key[id - 1];
		if (e->hash == h && e->len == len && !memcmp(e->name, name, len))
			return e;
	}
	if (k->nkeys == JKEYS_MAX || len > JKEY_NAME_MAX)
		return NULL;
	struct jkey *e = &k->key[k->nkeys];
	e->name = xmalloc(len + 1);
	memcpy(e->name, name, len + 1);
	e->len = len;
	e->hash = h;
	k->by_hash[s] = (uint16_t)++k->nkeys;  /* JKEYS_MAX < JKEYS_SLOTS: a free slot is left */
	return e;
}

static struct jkey *jkeys_get(struct jkeys *k, const char *name)
{
	unsigned s = ptr_slot(name), free_slot = s;
	for (unsigned i = 0; i < JKEY_PROBES; i++) {
		unsigned t = (s + i) & (JKEYS_SLOTS - 1);
		if (k->ptr[t] == name) {
			struct jkey *e = &k->key[k->ptr_key[t]];
			if (!strcmp(e->name, name))
				return e;
			free_slot = t;  /* the memory now holds another name */
			break;
		}
		if (!k->ptr[t]) {
			free_slot = t;
			break;
		}
	}
	size_t len = strlen(name);
	struct jkey *e = jkeys_by_content(k, name, len, name_hash(name, len));
	if (e) {
		k->ptr[free_slot] = name;
		k->ptr_key[free_slot] = (uint16_t)(e - k->key);
	}
	return e;
}

/* "name": the slow way: escaped and classified now. */
static void key_out(struct jbuf *j, const char *name, size_t len, uint32_t h, unsigned dup, bool indexable)
{
	bool parent = indexable && fields_is_parent_hashed(name, len, h);
	if (dup) {
		char nb[128];
		snprintf(nb, sizeof nb, "%s%s#%u", name, parent ? FIELDS_PARENT_SUFFIX : "", dup + 1);
		jbuf_cstr(j, nb);
	} else if (parent) {
		char nb[160];
		snprintf(nb, sizeof nb, "%s%s", name, FIELDS_PARENT_SUFFIX);
		jbuf_cstr(j, nb);
	} else {
		jbuf_str(j, name, len);
	}
	jbuf_putc(j, ':');
}

/* The "name": text of e written way w (made on first use, by key_out). */
static const char *jkey_text(struct jkey *e, unsigned w, size_t *n)
{
	if (!e->text[w]) {
		struct jbuf t;
		jbuf_init(&t, NULL);  /* JKEY_NAME_MAX escaped, doubled and suffixed fits */
		t.qn = (w == JKEY_CSV || w == JKEY_INDEX_CSV) ? 2 : 1;
		key_out(&t, e->name, e->len, e->hash, 0, w == JKEY_INDEX_JSON || w == JKEY_INDEX_CSV);
		e->text[w] = xmalloc(t.n);
		memcpy(e->text[w], t.b, t.n);
		e->tlen[w] = t.n;
	}
	*n = e->tlen[w];
	return e->text[w];
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
	unsigned way = (indexable ? JKEY_INDEX_JSON : JKEY_JSON) + (j->qn == 2);
	jbuf_putc(j, '{');
	for (unsigned i = 0; i < nf; i++) {
		const char *name = ev->fields[i].name;
		struct jkey *e = j->keys ? jkeys_get(j->keys, name) : NULL;
		size_t len = e ? e->len : strlen(name);
		uint32_t h = e ? e->hash : name_hash(name, len);
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
		size_t tn;
		const char *text = e && !dup ? jkey_text(e, way, &tn) : NULL;
		if (text)
			jbuf_put(j, text, tn);
		else
			key_out(j, name, len, h, dup, indexable);
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
