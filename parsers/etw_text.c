/*
 * parsers/etw_text.c - ETW traces as text: the TXT that `netsh trace convert`
 * (dump=TXT, the default) and `tracerpt` write, one event a line:
 *
 *   [<cpu>]<pid hex>.<tid hex>::<yyyy/mm/dd-hh:mm:ss.fffffffff> [<Provider>]<message>
 *
 * Microsoft-Windows-TCPIP and Microsoft-Windows-Winsock-AFD messages become
 * etw.tcpip.* / etw.afd.* events with their flow (etw_msg.c); other providers
 * become etw.event. ref is the line number. The time is the wall clock of the
 * machine that converted the trace: read as UTC unless --tz is given (noted).
 * Lines that do not start like an event (headers, wrapped text) are counted
 * and reported once; a line that starts like one but has a bad time is a skip.
 * Does not: read UTF-16 text, join wrapped continuation lines to their event,
 * read binary .etl, read CSV exports (etw_csv.c).
 * Spec: ../shared/formats/windows-events.md (c).
 */
#include "../correlator/core/parser.h"
#include "etw_msg.h"
#include "../correlator/core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct etw_text {
	struct source *src;
	FILE *f;
	char *line;
	size_t cap;
	uint64_t lineno, consumed;
	uint64_t other_lines, first_other;
	struct etw_dec dec;
	struct arena scratch;
};

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_dig(char c)
{
	return c >= '0' && c <= '9';
}

/* Parsed line prefix. */
struct etw_head {
	uint64_t cpu, pid, tid;
	int64_t local_ns;          /* wall clock read as UTC */
	const char *prov, *msg;
	size_t pn, mn;
};

/* Does the line start like an event ("[n]hex.hex::")? */
static bool looks_like_event(const char *s, size_t n)
{
	size_t i = 0;
	if (n < 8 || s[0] != '[')
		return false;
	for (i = 1; i < n && is_dig(s[i]); i++)
		;
	if (i == 1 || i >= n || s[i] != ']')
		return false;
	size_t j = ++i;
	for (; i < n && is_hex(s[i]); i++)
		;
	if (i == j || i >= n || s[i] != '.')
		return false;
	j = ++i;
	for (; i < n && is_hex(s[i]); i++)
		;
	return i > j && i + 1 < n && s[i] == ':' && s[i + 1] == ':';
}

static bool hexnum(const char *s, size_t n, uint64_t *out)
{
	if (n == 0 || n > 16)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		v = v << 4 | (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	*out = v;
	return true;
}

/* Full parse of an event line; false (with *why) when it is damaged. */
static bool parse_head(const char *s, size_t n, struct etw_head *h, const char **why)
{
	const char *rb = memchr(s, ']', n);
	const char *dot = memchr(rb, '.', (size_t)(s + n - rb));
	const char *cc = memmem(dot, (size_t)(s + n - dot), "::", 2);
	if (!parse_u64(s + 1, (size_t)(rb - s - 1), UINT32_MAX, &h->cpu) ||
	    !hexnum(rb + 1, (size_t)(dot - rb - 1), &h->pid) ||
	    !hexnum(dot + 1, (size_t)(cc - dot - 1), &h->tid)) {
		*why = "bad CPU/process/thread prefix";
		return false;
	}
	const char *t = cc + 2;
	size_t left = (size_t)(s + n - t);
	/* yyyy/mm/dd-hh:mm:ss[.f{1,9}] */
	uint64_t y, mo, d, hh, mi, se;
	if (left < 19 || t[4] != '/' || t[7] != '/' || t[10] != '-' || t[13] != ':' || t[16] != ':' ||
	    !parse_u64(t, 4, 9999, &y) || !parse_u64(t + 5, 2, 12, &mo) || !parse_u64(t + 8, 2, 31, &d) ||
	    !parse_u64(t + 11, 2, 23, &hh) || !parse_u64(t + 14, 2, 59, &mi) ||
	    !parse_u64(t + 17, 2, 60, &se)) {
		*why = "bad timestamp (want yyyy/mm/dd-hh:mm:ss.fffffffff)";
		return false;
	}
	size_t i = 19;
	int64_t frac = 0;
	if (i < left && t[i] == '.') {
		int digits = 0;
		for (i++; i < left && is_dig(t[i]); i++)
			if (digits < 9) {
				frac = frac * 10 + (t[i] - '0');
				digits++;
			}
		for (; digits < 9; digits++)
			frac *= 10;
	}
	int64_t secs;
	if (!utc_seconds((int)y, (int)mo, (int)d, (int)hh, (int)mi, (int)se, &secs) ||
	    secs >= INT64_MAX / NS_PER_SEC - 1 || secs <= INT64_MIN / NS_PER_SEC + 1) {
		*why = "timestamp out of range";
		return false;
	}
	h->local_ns = secs * NS_PER_SEC + frac;
	while (i < left && t[i] == ' ')
		i++;
	const char *p = t + i;
	left = (size_t)(s + n - p);
	const char *pe = left && p[0] == '[' ? memchr(p, ']', left) : NULL;
	if (!pe) {
		*why = "no [Provider] after the timestamp";
		return false;
	}
	h->prov = p + 1;
	h->pn = (size_t)(pe - p - 1);
	h->msg = pe + 1;
	h->mn = (size_t)(s + n - h->msg);
	return true;
}

static int etw_text_sniff(const uint8_t *head, size_t len)
{
	const char *s = (const char *)head;
	size_t i = 0;
	int lines = 0;
	while (i < len && lines < 20) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (s + i)) : len - i;
		if (looks_like_event(s + i, n)) {
			const char *cc = memmem(s + i, n, "::", 2);
			size_t k = cc ? (size_t)(cc - (s + i)) + 2 : n;
			if (n - k >= 11 && s[i + k + 4] == '/' && s[i + k + 7] == '/' && s[i + k + 10] == '-')
				return 90;
		}
		if (!nl)
			break;
		i += n + 1;
		lines++;
	}
	return 0;
}

static int etw_text_open(struct source *src, const char *path, void **state)
{
	struct etw_text *st = xcalloc(1, sizeof *st);
	st->src = src;
	*state = st;
	st->f = fopen(path, "rb");
	if (!st->f) {
		source_error(src, "%s: %s", path, strerror(errno));
		return -1;
	}
	etw_dec_init(&st->dec, 4096);
	arena_init(&st->scratch, 16 * 1024);
	if (!src->tz_given)
		source_note(src, "netsh trace text times are the converting machine's local time; "
			    "read as UTC (give --tz %s=ZONE if that machine was not on UTC)", src->label);
	return 0;
}

static pr_status etw_text_next(void *state, struct event *ev)
{
	struct etw_text *st = state;
	size_t max = st->src->limits && st->src->limits->max_line ? st->src->limits->max_line : 1u << 20;
	for (;;) {
		ssize_t got = getline(&st->line, &st->cap, st->f);
		if (got < 0) {
			if (st->other_lines)
				source_warn(st->src, st->first_other,
					    "%llu lines are not events (header or wrapped text) and were "
					    "not read, the first at this line",
					    (unsigned long long)st->other_lines);
			st->other_lines = 0;
			return PR_EOF;
		}
		st->lineno++;
		st->consumed += (uint64_t)got;
		st->src->bytes_cur = st->consumed;
		size_t n = (size_t)got;
		while (n && (st->line[n - 1] == '\n' || st->line[n - 1] == '\r'))
			n--;
		const char *s = st->line;
		if (st->lineno == 1 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
			s += 3;
			n -= 3;
		}
		if (n == 0)
			continue;
		if (!looks_like_event(s, n)) {
			if (!st->other_lines++)
				st->first_other = st->lineno;
			continue;
		}
		ev->ref = st->lineno;
		if (n > max) {
			source_skip(st->src, ev->ref, "line of %zu bytes is longer than the limit %zu", n, max);
			return PR_SKIP;
		}
		struct etw_head h;
		const char *why = NULL;
		if (!parse_head(s, n, &h, &why)) {
			source_skip(st->src, ev->ref, "%s", why);
			return PR_SKIP;
		}
		arena_reset(&st->scratch);
		ev->ts_raw = st->src->tz_given
			     ? tz_local_to_utc(&st->src->tz, h.local_ns / NS_PER_SEC) * NS_PER_SEC +
				       h.local_ns % NS_PER_SEC
			     : h.local_ns;
		etw_decode(&st->dec, &st->scratch, h.prov, h.pn, h.msg, h.mn, ev);
		if (!event_get(ev, "etw.process"))
			ev_int(ev, "etw.process", (int64_t)h.pid);
		ev_int(ev, "etw.thread", (int64_t)h.tid);
		ev_int(ev, "etw.cpu", (int64_t)h.cpu);
		return PR_EVENT;
	}
}

static void etw_text_close(void *state)
{
	struct etw_text *st = state;
	if (!st)
		return;
	if (st->f)
		fclose(st->f);
	free(st->line);
	etw_dec_fini(&st->dec);
	arena_free(&st->scratch);
	free(st);
}

const struct parser parser_etw_text = {
	.api_version = PARSER_API_VERSION,
	.name = "etw-text",
	.summary = "ETW trace as text (netsh trace convert / tracerpt TXT): TCPIP and Winsock-AFD events",
	.sniffs = "lines \"[cpu]pid.tid::yyyy/mm/dd-hh:mm:ss.f [Provider]message\"",
	.sniff = etw_text_sniff,
	.open = etw_text_open,
	.next_event = etw_text_next,
	.close = etw_text_close,
};
