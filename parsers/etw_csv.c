/*
 * parsers/etw_csv.c - ETW traces as tables, read with libcsv and mapped by
 * their header row:
 *  - `netsh trace convert dump=CSV` / `tracerpt -of CSV`: "Event Name, Type,
 *    Event ID, ..., PID, TID, Processor Number, ..., Clock-Time, Kernel(ms),
 *    User(ms), User Data" with the payload spread over the trailing columns.
 *    Clock-Time is a FILETIME (UTC). The payload of the TCPIP and AFD events
 *    we know (1051, 1002, 1017, 1033, 1001; AFD 1033 datagram dropped) is put
 *    into the manifest's message template and decoded like the text (etw_msg.c);
 *    other ids keep their values in the message.
 *  - Message Analyzer "Export to CSV" and Network Monitor 3.4 frame-summary
 *    copies (comma or tab separated): the provider from Module / Protocol
 *    Name, the rendered message from Summary / Description, the time from
 *    Timestamp / Time Date Local Adjusted / Time Of Day (local time: --tz).
 * ref is the line number of the row. Rows with a bad time are counted skips.
 * Does not: read binary ETL, render payloads of events outside the table,
 * guess columns of a table without a header.
 * Spec: ../shared/formats/windows-events.md (c).
 */
#include "../correlator/core/parser.h"
#include "etw_msg.h"
#include "../correlator/core/util.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CSV_MAX_FIELDS 128

enum csv_kind { K_TRACERPT, K_ANALYZER };

struct etw_csv {
	struct source *src;
	FILE *f;
	struct csv_parser p;
	enum csv_kind kind;
	char *line;
	size_t cap;
	uint64_t lineno, row_line, consumed;
	/* the row being assembled */
	struct arena row;
	char *fld[CSV_MAX_FIELDS];
	size_t nfld;
	bool row_ready, too_many;
	bool have_header;
	/* columns (index or -1) */
	int c_name, c_id, c_pid, c_tid, c_cpu, c_time, c_user, c_prov, c_msg;
	struct etw_dec dec;
	struct arena scratch;
};

static void on_field(void *s, size_t len, void *data)
{
	struct etw_csv *st = data;
	if (st->nfld >= CSV_MAX_FIELDS) {
		st->too_many = true;
		return;
	}
	st->fld[st->nfld++] = arena_strndup(&st->row, s ? s : "", s ? len : 0);
}

static void on_row(int c, void *data)
{
	(void)c;
	((struct etw_csv *)data)->row_ready = true;
}

static int only_space(unsigned char c)
{
	return c == ' ';
}

static int col(struct etw_csv *st, const char *name)
{
	for (size_t i = 0; i < st->nfld; i++)
		if (!strcasecmp(st->fld[i], name))
			return (int)i;
	return -1;
}

static const char *get(struct etw_csv *st, int c)
{
	return c >= 0 && (size_t)c < st->nfld ? st->fld[c] : "";
}

static bool has_line(const uint8_t *h, size_t n, const char *a, const char *b)
{
	const uint8_t *nl = memchr(h, '\n', n);
	size_t k = nl ? (size_t)(nl - h) : n;
	return memmem(h, k, a, strlen(a)) && memmem(h, k, b, strlen(b));
}

static int etw_csv_sniff(const uint8_t *h, size_t n)
{
	if (has_line(h, n, "Event Name", "Clock-Time"))
		return 85;
	if (has_line(h, n, "Summary", "Module") && has_line(h, n, "Timestamp", "Summary"))
		return 75;
	if (has_line(h, n, "Protocol Name", "Description") && has_line(h, n, "Frame Number", "Description"))
		return 70;
	return 0;
}

/* Read lines into libcsv until one row is complete. False at the end. */
static bool next_row(struct etw_csv *st)
{
	st->nfld = 0;
	st->row_ready = st->too_many = false;
	arena_reset(&st->row);
	st->row_line = st->lineno + 1;
	for (;;) {
		ssize_t got = getline(&st->line, &st->cap, st->f);
		if (got < 0) {
			csv_fini(&st->p, on_field, on_row, st);
			return st->row_ready;
		}
		st->lineno++;
		st->consumed += (uint64_t)got;
		const char *s = st->line;
		size_t n = (size_t)got;
		if (st->lineno == 1 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
			s += 3;
			n -= 3;
		}
		if (st->nfld == 0 && (n == 0 || s[0] == '\n' || s[0] == '\r'))
			st->row_line = st->lineno + 1;  /* blank line */
		csv_parse(&st->p, s, n, on_field, on_row, st);
		if (st->row_ready)
			return true;
	}
}

static int etw_csv_open(struct source *src, const char *path, void **state)
{
	struct etw_csv *st = xcalloc(1, sizeof *st);
	st->src = src;
	*state = st;
	arena_init(&st->row, 16 * 1024);
	arena_init(&st->scratch, 16 * 1024);
	etw_dec_init(&st->dec, 4096);
	if (csv_init(&st->p, CSV_APPEND_NULL) != 0) {
		source_error(src, "%s: cannot start the CSV reader", path);
		return -1;
	}
	st->f = fopen(path, "rb");
	if (!st->f) {
		source_error(src, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* the delimiter: a tab in the first line means a Network Monitor copy */
	char first[4096];
	size_t k = fread(first, 1, sizeof first, st->f);
	const char *nl = memchr(first, '\n', k);
	if (memchr(first, '\t', nl ? (size_t)(nl - first) : k)) {
		csv_set_delim(&st->p, '\t');
		csv_set_space_func(&st->p, only_space);
	}
	rewind(st->f);
	if (!next_row(st)) {
		source_error(src, "%s: no header row", path);
		return -1;
	}
	st->c_name = col(st, "Event Name");
	st->c_id = col(st, "Event ID");
	st->c_pid = col(st, "PID");
	st->c_tid = col(st, "TID");
	st->c_cpu = col(st, "Processor Number");
	st->c_user = col(st, "User Data");
	st->c_time = col(st, "Clock-Time");
	if (st->c_name >= 0 && st->c_time >= 0) {
		st->kind = K_TRACERPT;
		return 0;
	}
	st->kind = K_ANALYZER;
	st->c_prov = col(st, "Module");
	if (st->c_prov < 0)
		st->c_prov = col(st, "Protocol Name");
	st->c_msg = col(st, "Summary");
	if (st->c_msg < 0)
		st->c_msg = col(st, "Description");
	static const char *const tcols[] = { "Timestamp", "Time Date Local Adjusted", "Time Of Day",
					     "Time", NULL };
	for (size_t i = 0; tcols[i] && st->c_time < 0; i++)
		st->c_time = col(st, tcols[i]);
	if (st->c_prov < 0 || st->c_msg < 0 || st->c_time < 0) {
		source_error(src, "%s: header lacks a provider (Module/Protocol Name), message "
			     "(Summary/Description) or time (Timestamp) column", path);
		return -1;
	}
	if (!src->tz_given)
		source_note(src, "%s times are local time of the exporting machine; read as UTC "
			    "(give --tz %s=ZONE otherwise)", path, src->label);
	return 0;
}

/* Manifest templates of the events whose CSV payload we can place. */
static const struct { bool afd; unsigned id; const char *tmpl; } templates[] = {
	{ false, 1051, "TCP: connection %4 transition from %1 to %2, SndNxt = %3." },
	{ false, 1002, "TCP: Tcb %1 (local=%3 remote=%5) requested to connect." },
	{ false, 1017, "TCP: listener (local=%2 remote=%4) accept completed. TCB = %8. PID = %6." },
	{ false, 1033, "TCP: connection %8 (local=%2 remote=%4) connect completed. PID = %6." },
	{ false, 1001, "TCP: endpoint %2 (Family=%3, PID=%4) created with status = %1." },
	/* AFD bind: positions assumed to follow 1033 (EnterExit, Seq, Process, Endpoint) */
	{ true, 1029, "bind: %1: Process %3, Endpoint %4, Address %6, Seq %2, Status %7" },
	{ true, 1033, "datagram dropped: %1: Process %3, Endpoint %4, Buffer %5, Length %6, "
		      "Address %8, Seq %2, Reason %9" },
	{ false, 0, NULL },
};

/* Types of TCPIP ids without a template (values stay in the message). */
static const struct { unsigned id; const char *phrase; } id_phrases[] = {
	{ 1034, "connect attempt failed" }, { 1038, "close issued" }, { 1039, "abort issued" },
	{ 1040, "abort completed" }, { 1043, "disconnect completed" }, { 1044, "shutdown initiated" },
	{ 1045, "connect failed" }, { 1046, "retransmission timeout" }, { 1047, "keep-alive timeout" },
	{ 1048, "disconnect timeout" }, { 1073, "bytes sent" }, { 1074, "bytes received" },
	{ 1077, "retransmit round" }, { 1182, "RST" }, { 1183, "RST" }, { 1184, "RST" },
	{ 1214, "dropped" }, { 1215, "dropped" }, { 1332, "send event" }, { 0, NULL },
};

static size_t render(char *out, size_t cap, const char *tmpl, char **vals, size_t nvals)
{
	size_t o = 0;
	for (const char *t = tmpl; *t && o + 1 < cap; t++) {
		if (*t == '%' && t[1] >= '1' && t[1] <= '9') {
			size_t i = (size_t)(t[1] - '1');
			const char *v = i < nvals ? vals[i] : "";
			size_t k = strlen(v);
			if (k > cap - 1 - o)
				k = cap - 1 - o;
			memcpy(out + o, v, k);
			o += k;
			t++;
		} else {
			out[o++] = *t;
		}
	}
	out[o] = '\0';
	return o;
}

/* "0x0F3C" (tracerpt writes PID/TID in hex) or "3900". */
static bool num_any(const char *s, uint64_t *out)
{
	size_t n = strlen(s);
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		uint64_t v = 0;
		for (size_t i = 2; i < n; i++) {
			char c = s[i];
			int d = c >= '0' && c <= '9' ? c - '0' : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10 : -1;
			if (d < 0 || i > 17)
				return false;
			v = v << 4 | (uint64_t)d;
		}
		*out = v;
		return true;
	}
	return parse_u64(s, n, UINT64_MAX >> 1, out);
}

static bool is_afd(const char *p)
{
	return strstr(p, "Winsock-AFD") || strstr(p, "Winsock_AFD") || !strcasecmp(p, "AFD");
}

static pr_status tracerpt_row(struct etw_csv *st, struct event *ev)
{
	const char *prov = get(st, st->c_name);
	if (!strcmp(prov, "EventTrace"))
		return PR_SKIP;  /* the trace's own header row: not an event, nothing lost */
	uint64_t ft, id = 0, pid = 0, tid = 0, cpu = 0;
	const char *t = get(st, st->c_time);
	if (!parse_u64(t, strlen(t), UINT64_MAX >> 1, &ft) || ft < 116444736000000000ULL ||
	    ft - 116444736000000000ULL > (uint64_t)INT64_MAX / 100) {
		source_skip(st->src, ev->ref, "bad Clock-Time '%.40s' (want a FILETIME)", t);
		return PR_SKIP;
	}
	ev->ts_raw = (int64_t)(ft - 116444736000000000ULL) * 100;
	const char *ids = get(st, st->c_id);
	parse_u64(ids, strlen(ids), 65535, &id);
	const char *ps = get(st, st->c_pid), *ts = get(st, st->c_tid), *cs = get(st, st->c_cpu);
	bool has_pid = num_any(ps, &pid), has_tid = num_any(ts, &tid), has_cpu = num_any(cs, &cpu);
	char **vals = st->c_user >= 0 && (size_t)st->c_user < st->nfld ? &st->fld[st->c_user] : NULL;
	size_t nvals = vals ? st->nfld - (size_t)st->c_user : 0;
	char msg[1024];
	bool afd = is_afd(prov);
	const char *tmpl = NULL;
	for (size_t i = 0; templates[i].tmpl; i++)
		if (templates[i].afd == afd && templates[i].id == id)
			tmpl = templates[i].tmpl;
	if (tmpl) {
		render(msg, sizeof msg, tmpl, vals, nvals);
	} else {
		const char *phrase = "event";
		for (size_t i = 0; !afd && id_phrases[i].phrase; i++)
			if (id_phrases[i].id == id)
				phrase = id_phrases[i].phrase;
		size_t o = (size_t)snprintf(msg, sizeof msg, "%s%s %llu:", afd ? "event" : "TCP: ",
					    afd ? "" : phrase, (unsigned long long)id);
		for (size_t i = 0; i < nvals && o + 2 < sizeof msg; i++)
			o += (size_t)snprintf(msg + o, sizeof msg - o, " %s", vals[i]);
		if (o >= sizeof msg)
			o = sizeof msg - 1;
	}
	etw_decode(&st->dec, &st->scratch, prov, strlen(prov), msg, strlen(msg), ev);
	ev_int(ev, "etw.id", (int64_t)id);
	if (has_pid && !event_get(ev, "etw.process"))
		ev_int(ev, "etw.process", (int64_t)pid);
	if (has_tid)
		ev_int(ev, "etw.thread", (int64_t)tid);
	if (has_cpu)
		ev_int(ev, "etw.cpu", (int64_t)cpu);
	return PR_EVENT;
}

/* "2025-03-27T16:12:19.9310024[Z]", "2025-03-27 16:12:19.931", "3/27/2025 4:12:19.931 PM" */
static bool analyzer_time(const char *s, int64_t *ns)
{
	int y, mo, d, h, mi, se, n = 0;
	char sep;
	if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &se, &n) == 7 &&
	    (sep == 'T' || sep == ' ')) {
	} else if (sscanf(s, "%2d/%2d/%4d %2d:%2d:%2d%n", &mo, &d, &y, &h, &mi, &se, &n) == 6) {
	} else {
		return false;
	}
	const char *p = s + n;
	int64_t frac = 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits < 9) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
		for (; digits < 9; digits++)
			frac *= 10;
	}
	while (*p == ' ')
		p++;
	if (!strncasecmp(p, "PM", 2) && h < 12)
		h += 12;
	else if (!strncasecmp(p, "AM", 2) && h == 12)
		h = 0;
	int64_t secs;
	if (!utc_seconds(y, mo, d, h, mi, se, &secs) || secs >= INT64_MAX / NS_PER_SEC - 1 ||
	    secs <= INT64_MIN / NS_PER_SEC + 1)
		return false;
	*ns = secs * NS_PER_SEC + frac;
	return true;
}

static pr_status analyzer_row(struct etw_csv *st, struct event *ev)
{
	const char *t = get(st, st->c_time);
	int64_t local;
	if (!analyzer_time(t, &local)) {
		source_skip(st->src, ev->ref, "bad time '%.40s'", t);
		return PR_SKIP;
	}
	ev->ts_raw = st->src->tz_given ? tz_local_to_utc(&st->src->tz, local / NS_PER_SEC) * NS_PER_SEC +
						 local % NS_PER_SEC
				       : local;
	const char *prov = get(st, st->c_prov), *msg = get(st, st->c_msg);
	/* Network Monitor prefixes the message with the parser name ("TCPIP: ...")
	 * only for some events; the decoder works on phrases either way */
	etw_decode(&st->dec, &st->scratch, prov, strlen(prov), msg, strlen(msg), ev);
	return PR_EVENT;
}

static pr_status etw_csv_next(void *state, struct event *ev)
{
	struct etw_csv *st = state;
	for (;;) {
		if (!next_row(st))
			return PR_EOF;
		st->src->bytes_cur = st->consumed;
		if (st->nfld == 0 || (st->nfld == 1 && !st->fld[0][0]))
			continue;
		ev->ref = st->row_line;
		if (st->too_many)
			source_warn(st->src, ev->ref, "more than %d columns; the rest ignored", CSV_MAX_FIELDS);
		arena_reset(&st->scratch);
		pr_status s = st->kind == K_TRACERPT ? tracerpt_row(st, ev) : analyzer_row(st, ev);
		if (s == PR_SKIP && st->kind == K_TRACERPT && !strcmp(get(st, st->c_name), "EventTrace"))
			continue;
		return s;
	}
}

static void etw_csv_close(void *state)
{
	struct etw_csv *st = state;
	if (!st)
		return;
	if (st->f)
		fclose(st->f);
	csv_free(&st->p);
	free(st->line);
	etw_dec_fini(&st->dec);
	arena_free(&st->row);
	arena_free(&st->scratch);
	free(st);
}

const struct parser parser_etw_csv = {
	.api_version = PARSER_API_VERSION,
	.name = "etw-csv",
	.summary = "ETW as a table: netsh/tracerpt CSV, Message Analyzer CSV, Network Monitor summary copy",
	.sniffs = "header row with Event Name + Clock-Time, Module + Summary + Timestamp, or "
		  "Frame Number + Protocol Name + Description",
	.sniff = etw_csv_sniff,
	.open = etw_csv_open,
	.next_event = etw_csv_next,
	.close = etw_csv_close,
};
