/*
 * parsers/textlog.c - line reader, W3C header, column splitting and value
 * parsing shared by the text log parsers (see textlog.h).
 * CSV lines: a line whose values are bare (no quote) or wholly quoted is
 * split here by hand, with libcsv's rules for such a line (spaces and tabs
 * around a value dropped, "" inside quotes one quote, a line of blanks no
 * field); every other line (stray quotes, line breaks) goes to libcsv. Why
 * by hand: libcsv calls a function per byte and copies each value through
 * its own buffer and a callback, the larger part of an Exchange log's parse
 * time; such a line needs none of that. tests/unit/test_textlog.c
 * checks the two give the same fields on many lines, random ones included.
 * Does not: interpret any column; report anything but overlong lines.
 */
#include "textlog.h"
#include "../correlator/core/util.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEXTLOG_CHUNK (256u * 1024)
#define TEXTLOG_DEFAULT_MAX_LINE (1u << 20)

/* ---- line reader ---- */

int textlog_open(struct textlog *t, struct source *src, const char *path)
{
	memset(t, 0, sizeof *t);
	t->fd = -1;
	t->src = src;
	t->fd = open(path, O_RDONLY);
	if (t->fd < 0) {
		source_error(src, "%s: %s", path, strerror(errno));
		return -1;
	}
	t->max_line = src && src->limits && src->limits->max_line ? src->limits->max_line
								    : TEXTLOG_DEFAULT_MAX_LINE;
	t->cap = t->max_line + 2 + TEXTLOG_CHUNK;
	/* a small file needs no more buffer than its size (+ slack should it grow) */
	struct stat sb;
	if (fstat(t->fd, &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size + 65536 < t->cap)
		t->cap = (size_t)sb.st_size + 65536;
	t->buf = xmalloc(t->cap);
	return 0;
}

void textlog_close(struct textlog *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	free(t->buf);
	t->buf = NULL;
}

/* Read more bytes after compacting; false at EOF or on a read error. */
static bool fill(struct textlog *t)
{
	if (t->pos > 0) {
		memmove(t->buf, t->buf + t->pos, t->len - t->pos);
		t->offset += t->pos;
		t->len -= t->pos;
		t->pos = 0;
	}
	size_t room = t->cap - 1 - t->len;
	if (room == 0)
		return true;  /* caller handles a full buffer */
	ssize_t r;
	do
		r = read(t->fd, t->buf + t->len, room);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		if (r < 0)
			source_warn(t->src, t->line + 1, "read error: %s; the rest of the file is lost",
				    strerror(errno));
		t->eof = true;
		return false;
	}
	t->len += (size_t)r;
	if (t->src)
		t->src->bytes_cur = t->offset + t->len;
	return true;
}

static void report_long(struct textlog *t)
{
	t->too_long++;
	source_skip(t->src, t->line, "line longer than %zu bytes (--max-line); skipped", t->max_line);
}

bool textlog_next(struct textlog *t, char **p, size_t *n)
{
	bool discarding = false;
	for (;;) {
		char *start = t->buf + t->pos;
		char *nl = t->pos < t->len ? memchr(start, '\n', t->len - t->pos) : NULL;
		if (nl || (t->eof && t->pos < t->len)) {
			size_t len = nl ? (size_t)(nl - start) : t->len - t->pos;
			t->pos += len + (nl ? 1 : 0);
			t->line++;
			if (discarding || len > t->max_line + 1) {
				report_long(t);
				discarding = false;
				continue;
			}
			if (len && start[len - 1] == '\r')
				len--;
			if (len > t->max_line) {
				report_long(t);
				continue;
			}
			start[len] = '\0';
			if (t->line == 1 && len >= 3 && (uint8_t)start[0] == 0xEF && (uint8_t)start[1] == 0xBB &&
			    (uint8_t)start[2] == 0xBF) {
				start += 3;
				len -= 3;
			}
			*p = start;
			*n = len;
			return true;
		}
		if (t->eof)
			return false;
		if (t->pos == 0 && t->len >= t->cap - 1) {
			/* the buffer is full and holds no newline: an overlong line */
			discarding = true;
			t->offset += t->len;
			t->len = 0;
		}
		fill(t);
	}
}

static size_t head_skip_bom(const uint8_t *h, size_t len)
{
	return len >= 3 && h[0] == 0xEF && h[1] == 0xBB && h[2] == 0xBF ? 3 : 0;
}

bool textlog_head_next(const uint8_t *head, size_t len, size_t *start, size_t *n)
{
	size_t i = *start + *n;
	for (;;) {
		while (i < len && (head[i] == '\r' || head[i] == '\n'))
			i++;
		if (i >= len)
			return false;
		const uint8_t *nl = memchr(head + i, '\n', len - i);
		/* a buffer shorter than SNIFF_BYTES is the whole file: its tail is a line */
		if (!nl && len >= 4096)
			return false;
		size_t e = nl ? (size_t)(nl - head) : len;
		size_t k = e;
		if (k > i && head[k - 1] == '\r')
			k--;
		if (k > i) {
			*start = i;
			*n = k - i;
			return true;
		}
		i = e + 1;
	}
}

bool textlog_head_line(const uint8_t *head, size_t len, size_t *start, size_t *n)
{
	*start = head_skip_bom(head, len);
	*n = 0;
	return textlog_head_next(head, len, start, n);
}

bool textlog_head_has_line(const uint8_t *head, size_t len, const char *prefix)
{
	size_t s, n, pl = strlen(prefix);
	for (bool ok = textlog_head_line(head, len, &s, &n); ok; ok = textlog_head_next(head, len, &s, &n))
		if (n >= pl && strncasecmp((const char *)head + s, prefix, pl) == 0)
			return true;
	return false;
}

/* ---- W3C header ---- */

static void copy_value(char *dst, size_t cap, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

bool w3c_directive(struct w3c_header *h, const char *line, size_t n, char sep)
{
	if (n < 2 || line[0] != '#')
		return false;
	const char *colon = memchr(line, ':', n);
	if (!colon)
		return true;  /* a comment line */
	size_t klen = (size_t)(colon - line) - 1;
	const char *key = line + 1, *v = colon + 1;
	size_t vn = n - (size_t)(v - line);
	if (klen == 6 && strncasecmp(key, "Fields", 6) == 0) {
		while (vn && (*v == ' ' || *v == '\t') && !(sep == '\t' && *v == '\t')) {
			v++;
			vn--;
		}
		while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
			vn--;
		if (!sep)
			sep = memchr(v, '\t', vn) ? '\t' : memchr(v, ',', vn) ? ',' : ' ';
		free(h->fields_buf);
		h->fields_buf = xmalloc(vn + 1);
		memcpy(h->fields_buf, v, vn);
		h->fields_buf[vn] = '\0';
		h->sep = sep;
		h->ncols = 0;
		char *s = h->fields_buf, *end = s + vn;
		while (s <= end && h->ncols < TEXTLOG_MAX_COLS) {
			char *e = memchr(s, sep, (size_t)(end - s));
			if (!e)
				e = end;
			*e = '\0';
			if (sep != ' ' || e > s)
				h->name[h->ncols++] = s;
			s = e + 1;
		}
		h->short_reported = false;
		return true;
	}
	struct { const char *k; char *dst; size_t cap; } keys[] = {
		{ "Software", h->software, sizeof h->software },
		{ "Version", h->version, sizeof h->version },
		{ "Log-type", h->log_type, sizeof h->log_type },
		{ "Date", h->date, sizeof h->date },
		{ "Time Format", h->time_format, sizeof h->time_format },
	};
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (strlen(keys[i].k) == klen && strncasecmp(key, keys[i].k, klen) == 0)
			copy_value(keys[i].dst, keys[i].cap, v, vn);
	return true;
}

int w3c_col(const struct w3c_header *h, const char *name)
{
	for (size_t i = 0; i < h->ncols; i++)
		if (strcasecmp(h->name[i], name) == 0)
			return (int)i;
	return -1;
}

void w3c_free(struct w3c_header *h)
{
	free(h->fields_buf);
	h->fields_buf = NULL;
	h->ncols = 0;
}

void w3c_short_line(struct w3c_header *h, struct source *src, uint64_t line, size_t have)
{
	if (h->short_reported)
		return;
	h->short_reported = true;
	if (h->fields_line)
		source_warn(src, line,
			    "%zu columns where #Fields (line %llu) names %zu; missing columns read as empty "
			    "(reported once)",
			    have, (unsigned long long)h->fields_line, h->ncols);
	else
		source_warn(src, line,
			    "%zu columns where the default layout has %zu; missing columns read as empty "
			    "(reported once)",
			    have, h->ncols);
}

/* ---- columns ---- */

void cols_split(struct cols *c, const char *line, size_t n, char sep)
{
	c->count = 0;
	c->overflow = false;
	const char *s = line, *end = line + n;
	if (sep == ' ') {
		for (;;) {
			while (s < end && *s == ' ')
				s++;
			if (s >= end)
				return;
			const char *e = memchr(s, ' ', (size_t)(end - s));
			if (!e)
				e = end;
			if (c->count == TEXTLOG_MAX_COLS) {
				c->overflow = true;
				return;
			}
			c->p[c->count] = s;
			c->n[c->count++] = (uint32_t)(e - s);
			s = e;
		}
	}
	for (;;) {
		const char *e = memchr(s, sep, (size_t)(end - s));
		if (!e)
			e = end;
		if (c->count == TEXTLOG_MAX_COLS) {
			c->overflow = true;
			return;
		}
		c->p[c->count] = s;
		c->n[c->count++] = (uint32_t)(e - s);
		if (e == end)
			return;
		s = e + 1;
	}
}

bool cols_get(const struct cols *c, int i, const char **p, size_t *n)
{
	if (i < 0 || (size_t)i >= c->count || c->n[i] == 0)
		return false;
	if (c->n[i] == 1 && c->p[i][0] == '-')
		return false;
	*p = c->p[i];
	*n = c->n[i];
	return true;
}

/* Take buf[at..at+len), already in place, as the next field, NUL-terminated. */
static void csv_keep(struct textlog_csv *c, size_t at, size_t len)
{
	if (c->count == TEXTLOG_MAX_COLS) {
		c->overflow = true;
		c->used = at;
		return;
	}
	c->off[c->count] = at;
	c->len[c->count++] = len;
	c->used = at + len;
	c->buf[c->used++] = '\0';
}

/* Keep one value (copied, NUL-terminated) as the next field. */
static void csv_store(struct textlog_csv *c, const char *s, size_t len)
{
	if (c->count == TEXTLOG_MAX_COLS) {
		c->overflow = true;
		return;
	}
	/* the line buffer is as long as the line: values never outgrow it */
	if (c->used + len + 1 > c->cap) {
		c->overflow = true;
		return;
	}
	memcpy(c->buf + c->used, s, len);
	csv_keep(c, c->used, len);
}

static void csv_cb_field(void *s, size_t len, void *data)
{
	csv_store(data, s, len);
}

static void csv_cb_record(int ch, void *data)
{
	(void)ch;
	(void)data;
}

int textlog_csv_init(struct textlog_csv *c, char delim, char quote, bool strict)
{
	memset(c, 0, sizeof *c);
	c->opts = strict ? (CSV_STRICT | CSV_STRICT_FINI) : 0;
	c->delim = (unsigned char)delim;
	c->quote = (unsigned char)quote;
	if (csv_init(&c->p, c->opts) != 0)
		return -1;
	csv_set_delim(&c->p, c->delim);
	csv_set_quote(&c->p, c->quote);
	c->ready = true;
	return 0;
}

/* No fields stored yet. */
static void csv_clear(struct textlog_csv *c)
{
	c->used = 0;
	c->count = 0;
	c->overflow = false;
}

/* The stored fields as cols; true. */
static bool csv_fields_out(struct textlog_csv *c, size_t n, struct cols *out)
{
	if (n == 0 && c->count == 0) {
		c->off[0] = 0;
		c->len[0] = 0;
		c->buf[0] = '\0';
		c->count = 1;
	}
	for (size_t i = 0; i < c->count; i++) {
		out->p[i] = c->buf + c->off[i];
		out->n[i] = (uint32_t)c->len[i];
	}
	out->count = c->count;
	out->overflow = c->overflow;
	return true;
}

/* libcsv's blank: dropped around an unquoted value, unless it is the delimiter. */
static bool csv_blank(const struct textlog_csv *c, char ch)
{
	return (ch == ' ' || ch == '\t') && (unsigned char)ch != c->delim;
}

/* A quoted value from line[i] (the opening quote) to its closing quote,
 * doubled quotes made single, stored as the next field; the index after the
 * closing quote, or 0 when the quote is not closed. */
static size_t csv_quoted(struct textlog_csv *c, const char *line, size_t n, size_t i)
{
	size_t start = c->used;
	i++;
	for (;;) {
		const char *q = memchr(line + i, c->quote, n - i);
		if (!q)
			return 0;
		size_t k = (size_t)(q - line);
		/* fits: the values of a line are no longer than the line, and cap is more */
		memcpy(c->buf + c->used, line + i, k - i);
		c->used += k - i;
		if (k + 1 < n && (unsigned char)line[k + 1] == c->quote) {
			c->buf[c->used++] = (char)c->quote;
			i = k + 2;
			continue;
		}
		csv_keep(c, start, c->used - start);
		return k + 1;
	}
}

/* Split a line as libcsv does, when every value is either bare (no quote)
 * or wholly quoted with only blanks around; false for anything else (a
 * quote inside a bare value, text after a closing quote, an unclosed quote,
 * a line break), which libcsv then reads. */
static bool csv_split_simple(struct textlog_csv *c, const char *line, size_t n)
{
	if (memchr(line, '\n', n) || memchr(line, '\r', n))
		return false;
	size_t i = 0;
	while (i < n && csv_blank(c, line[i]))
		i++;
	if (i == n && n)
		return true;  /* blanks only: libcsv has not begun a row */
	for (;;) {
		while (i < n && csv_blank(c, line[i]))
			i++;
		size_t e;
		if (i < n && (unsigned char)line[i] == c->quote) {
			if (!(e = csv_quoted(c, line, n, i)))
				return false;
			while (e < n && csv_blank(c, line[e]))
				e++;
			if (e < n && (unsigned char)line[e] != c->delim)
				return false;
		} else {
			const char *d = memchr(line + i, c->delim, n - i);
			e = d ? (size_t)(d - line) : n;
			if (memchr(line + i, c->quote, e - i))
				return false;
			size_t b = e;
			while (b > i && csv_blank(c, line[b - 1]))
				b--;
			csv_store(c, line + i, b - i);
		}
		if (e == n)
			return true;
		i = e + 1;
	}
}

bool textlog_csv_line(struct textlog_csv *c, const char *line, size_t n, struct cols *out,
		      const char **why)
{
	if (!c->ready) {
		*why = "CSV reader unavailable";
		return false;
	}
	if (c->cap < n + TEXTLOG_MAX_COLS + 1) {
		/* grows to the longest line once, then is reused */
		c->cap = n + TEXTLOG_MAX_COLS + 1 + 256;
		c->buf = xrealloc(c->buf, c->cap);
	}
	out->count = 0;
	out->overflow = false;
	csv_clear(c);
	if (csv_split_simple(c, line, n))
		return csv_fields_out(c, n, out);
	csv_clear(c);  /* libcsv reads the line from the start */
	bool ok = csv_parse(&c->p, line, n, csv_cb_field, csv_cb_record, c) == n;
	/* an empty line is one empty field, as for a bare split */
	if (csv_fini(&c->p, csv_cb_field, csv_cb_record, c) != 0)
		ok = false;
	if (!ok) {
		*why = csv_error(&c->p) == CSV_EPARSE ? "malformed quoting" : "CSV error";
		/* libcsv keeps its error state: start a fresh parser for the next line */
		csv_free(&c->p);
		c->ready = false;
		if (csv_init(&c->p, c->opts) == 0) {
			csv_set_delim(&c->p, c->delim);
			csv_set_quote(&c->p, c->quote);
			c->ready = true;
		}
		return false;
	}
	return csv_fields_out(c, n, out);
}

void textlog_csv_free(struct textlog_csv *c)
{
	if (c->ready)
		csv_free(&c->p);
	free(c->buf);
	c->buf = NULL;
	c->ready = false;
}

/* ---- values ---- */

static bool digits(const char *s, size_t n, int *out)
{
	int v = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool textlog_date(const char *s, size_t n, int64_t *days)
{
	int y, m, d;
	if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
	    !digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > 31 || y < UTIL_YEAR_MIN ||
	    y > UTIL_YEAR_MAX)
		return false;
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return true;
}

/* ".f..." after the seconds: up to 9 digits count, more are ignored. */
static bool fraction(const char *s, size_t n, int64_t *ns)
{
	int64_t v = 0, scale = 100000000;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (scale) {
			v += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	*ns = v;
	return true;
}

bool textlog_time(const char *s, size_t n, int64_t *sec, int64_t *ns)
{
	int h, m, x;
	if (n < 8 || s[2] != ':' || s[5] != ':' || !digits(s, 2, &h) || !digits(s + 3, 2, &m) ||
	    !digits(s + 6, 2, &x) || h > 23 || m > 59 || x > 60)
		return false;
	*ns = 0;
	if (n > 8 && (s[8] != '.' && s[8] != ',' ? true : !fraction(s + 9, n - 9, ns)))
		return false;
	*sec = h * 3600 + m * 60 + x;
	return true;
}

bool textlog_iso8601(const char *s, size_t n, int64_t *ns, bool *zoned)
{
	int64_t days, sec, frac = 0;
	if (n < 19 || (s[10] != 'T' && s[10] != ' ') || !textlog_date(s, 10, &days))
		return false;
	/* time part: up to the zone designator */
	size_t e = 11;
	while (e < n && s[e] != 'Z' && s[e] != 'z' && s[e] != '+' && s[e] != '-')
		e++;
	if (!textlog_time(s + 11, e - 11, &sec, &frac))
		return false;
	int64_t off = 0;
	*zoned = false;
	if (e < n) {
		if (s[e] == 'Z' || s[e] == 'z') {
			if (e + 1 != n)
				return false;
		} else {
			int hh, mm;
			const char *z = s + e + 1;
			size_t zn = n - e - 1;
			if (zn == 5 && z[2] == ':' && digits(z, 2, &hh) && digits(z + 3, 2, &mm))
				;
			else if (zn == 4 && digits(z, 2, &hh) && digits(z + 2, 2, &mm))
				;
			else if (zn == 2 && digits(z, 2, &hh))
				mm = 0;
			else
				return false;
			off = (hh * 3600 + mm * 60) * (s[e] == '-' ? -1 : 1);
		}
		*zoned = true;
	}
	*ns = ((days * 86400 + sec) - off) * NS_PER_SEC + frac;
	return true;
}

bool textlog_epoch(const char *s, size_t n, int64_t *ns)
{
	const char *dot = memchr(s, '.', n);
	size_t in = dot ? (size_t)(dot - s) : n;
	uint64_t sec;
	int64_t frac = 0;
	if (!parse_u64(s, in, (uint64_t)INT64_MAX / NS_PER_SEC - 1, &sec))
		return false;
	if (dot && !fraction(dot + 1, n - in - 1, &frac))
		return false;
	*ns = (int64_t)sec * NS_PER_SEC + frac;
	return true;
}

int64_t textlog_local_to_utc(struct textlog_tzcache *c, const struct source *src, int64_t local)
{
	if (!src || !src->tz_given)
		return local;
	int64_t hour = local >= 0 ? local / 3600 : -((-local + 3599) / 3600);
	if (!c->valid || c->hour != hour) {
		c->valid = true;
		c->hour = hour;
		c->delta = tz_local_to_utc(&src->tz, hour * 3600) - hour * 3600;
	}
	return local + c->delta;
}

bool textlog_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	return parse_u64(s, n, max, out);
}

bool textlog_endpoint(const char *s, size_t n, struct addr *a, uint16_t *port, bool *has_port)
{
	uint64_t v;
	*port = 0;
	*has_port = false;
	if (n && s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		if (!rb)
			return false;
		size_t an = (size_t)(rb - s) - 1;
		if (!addr_parse(s + 1, an, a))
			return false;
		size_t rest = n - an - 2;
		if (rest == 0)
			return true;
		if (rb[1] != ':' || !parse_u64(rb + 2, rest - 1, 65535, &v))
			return false;
		*port = (uint16_t)v;
		*has_port = true;
		return true;
	}
	const char *c = memrchr(s, ':', n);
	if (c && memchr(s, ':', n) == c) {
		/* one colon: IPv4 (or name) with a port */
		size_t an = (size_t)(c - s);
		if (!addr_parse(s, an, a) || !parse_u64(c + 1, n - an - 1, 65535, &v))
			return false;
		*port = (uint16_t)v;
		*has_port = true;
		return true;
	}
	return addr_parse(s, n, a);
}

bool textlog_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

bool textlog_ip_proto(const char *s, size_t n, uint8_t *proto)
{
	static const struct { const char *name; uint8_t num; } names[] = {
		{ "TCP", 6 }, { "UDP", 17 }, { "ICMP", 1 }, { "ICMPv6", 58 }, { "ICMP6", 58 },
		{ "ESP", 50 }, { "AH", 51 }, { "GRE", 47 }, { "IGMP", 2 }, { "IPv6", 41 },
		{ "SCTP", 132 }, { "L2TP", 115 }, { "IPIP", 4 },
	};
	if (n == 3 && memcmp(s, "TCP", 3) == 0) {
		*proto = 6;
		return true;
	}
	if (n == 3 && memcmp(s, "UDP", 3) == 0) {
		*proto = 17;
		return true;
	}
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (textlog_eq(s, n, names[i].name)) {
			*proto = names[i].num;
			return true;
		}
	uint64_t v;
	if (parse_u64(s, n, 255, &v)) {
		*proto = (uint8_t)v;
		return true;
	}
	return false;
}

void textlog_set_flow(struct event *ev, const struct addr *src, uint16_t sport, const struct addr *dst,
		      uint16_t dport, uint8_t proto)
{
	ev->flags |= EV_HAS_FLOW;
	ev->flow.src = *src;
	ev->flow.dst = *dst;
	ev->flow.sport = sport;
	ev->flow.dport = dport;
	ev->flow.proto = proto;
	ev_addr(ev, "ip.src", src);
	ev_addr(ev, "ip.dst", dst);
	ev_int(ev, "ip.proto", proto);
	if (proto == 6) {
		ev_int(ev, "tcp.srcport", sport);
		ev_int(ev, "tcp.dstport", dport);
	} else if (proto == 17) {
		ev_int(ev, "udp.srcport", sport);
		ev_int(ev, "udp.dstport", dport);
	}
}

static int64_t field_int(const struct event *ev, const char *name, int64_t dflt)
{
	int64_t v;
	return event_get_int(ev, name, &v) ? v : dflt;
}

const char *textlog_pkt_msg(const struct event *ev, const char *prefix, char *buf, size_t len)
{
	char f[160] = "";
	const struct value *sv = event_get(ev, "ip.src"), *dv = event_get(ev, "ip.dst");
	if (!sv)
		sv = event_get(ev, "ipv6.src");
	if (!dv)
		dv = event_get(ev, "ipv6.dst");
	if (ev->flags & EV_HAS_FLOW) {
		flow_format(&ev->flow, f, sizeof f);
	} else if (sv && dv) {
		char a[48], b[48];
		value_format(sv, a, sizeof a);
		value_format(dv, b, sizeof b);
		snprintf(f, sizeof f, "%s -> %s", a, b);
	}
	size_t o = (size_t)snprintf(buf, len, "%s%s%s", prefix ? prefix : "", prefix ? " " : "", f);
	int64_t fl = field_int(ev, "tcp.flags", -1);
	if (o < len && fl >= 0) {
		static const struct { unsigned bit; const char *name; } names[] = {
			{ 0x02, "SYN" }, { 0x01, "FIN" }, { 0x04, "RST" }, { 0x08, "PSH" },
			{ 0x10, "ACK" }, { 0x20, "URG" }, { 0x40, "ECE" }, { 0x80, "CWR" },
		};
		o += (size_t)snprintf(buf + o, len - o, " [");
		bool first = true;
		for (size_t i = 0; i < ARRAY_LEN(names) && o < len; i++)
			if ((unsigned)fl & names[i].bit) {
				o += (size_t)snprintf(buf + o, len - o, "%s%s", first ? "" : ", ", names[i].name);
				first = false;
			}
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, "]");
	}
	static const struct { const char *field, *label; } nums[] = {
		{ "tcp.seq", "seq" }, { "tcp.ack", "ack" }, { "tcp.window_size_value", "win" },
		{ "tcp.len", "len" }, { "esp.spi", "spi" }, { "esp.sequence", "seq" },
	};
	for (size_t i = 0; i < ARRAY_LEN(nums) && o < len; i++) {
		int64_t v;
		if (event_get_int(ev, nums[i].field, &v))
			o += (size_t)snprintf(buf + o, len - o, " %s=%lld", nums[i].label, (long long)v);
	}
	const struct value *q = event_get(ev, "dns.qry.name");
	if (q && q->type == V_STR && o < len)
		snprintf(buf + o, len - o, " %.*s", (int)(q->u.s.n > 200 ? 200 : q->u.s.n), q->u.s.p);
	return buf;
}

bool w3c_next_record(struct textlog *t, struct w3c_header *h, char sep, char **p, size_t *n,
		     bool *directives, bool *fields)
{
	*directives = *fields = false;
	for (;;) {
		if (!textlog_next(t, p, n))
			return false;
		if (*n == 0)
			continue;
		if ((*p)[0] != '#')
			return true;
		w3c_directive(h, *p, *n, sep);
		*directives = true;
		if (starts_with_ci(*p, "#Fields:")) {
			h->fields_line = t->line;
			*fields = true;
		}
	}
}

int w3c_csv_open(struct textlog *t, struct textlog_csv *csv, struct w3c_header *h,
		 struct source *src, const char *path, const char *default_fields)
{
	if (textlog_open(t, src, path) != 0)
		return -1;
	if (textlog_csv_init(csv, ',', '"', true) != 0) {
		textlog_close(t);
		source_error(src, "%s: cannot set up the CSV reader", path);
		return -1;
	}
	w3c_directive(h, default_fields, strlen(default_fields), ',');
	return 0;
}

void w3c_csv_close(struct textlog *t, struct textlog_csv *csv, struct w3c_header *h)
{
	textlog_close(t);
	textlog_csv_free(csv);
	w3c_free(h);
}
