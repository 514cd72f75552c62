/*
 * parsers/tshark.c - tshark `-T fields -E header=y` exports (CSV, TSV, ';' or
 * '|' separated), the usual way packet details travel by mail.
 *
 *   frame.number,frame.time,frame.time_epoch,ip.src,ip.dst,...,tcp.flags,...
 *   "1","Mar 27, 2024 16:12:19.937105000 CET","1711552339.937105000","192.168.5.68",...
 *
 * The header row names the columns; the separator is sniffed from it (TAB , ;
 * |, the most frequent wins); values may be quoted (-E quote=d|s, libcsv).
 * Each row becomes a packet-like event: type tcp / udp / dns.query /
 * dns.response / esp / icmp / icmpv6 / arp.request|reply / ip / frame, one
 * field per non-empty column named as the header says (0x hex and decimals
 * as integers, addresses as addresses, 0/1/True/False for *.flags.* as
 * booleans, else text), the flow from ip/ipv6 and tcp/udp ports. Aggregated
 * repeated values ("10.0.0.25,192.168.5.68", -E occurrence=a) keep their first
 * occurrence (the outer header) and the note says so.
 * ref = frame.number when exported, else the line number.
 * Time: frame.time_epoch (number or ISO 8601), else frame.time / frame.time_utc
 * (ISO 8601, or the <= 4.4 "Mar 27, 2024 16:12:19.937105000 CET" text whose
 * zone abbreviation is ambiguous: UTC/GMT are honoured, anything else needs
 * --tz, else it is read as UTC and noted). A row without a time is a skip.
 * tcp.seq/tcp.ack are relative unless tshark ran with
 * -o tcp.relative_sequence_numbers:FALSE: noted, as cross-vantage matching
 * needs raw numbers (tcp.seq_raw).
 * Does not: read the GUI's "Export Packet Dissections as CSV" (summary columns).
 * Spec: ../shared/formats/capture-exports.md section 1.
 */
#include "../correlator/core/parser.h"
#include "textlog.h"
#include "../correlator/core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum role {
	R_NUMBER, R_EPOCH, R_TIME, R_TIME_UTC, R_IPSRC, R_IPDST, R_IP6SRC, R_IP6DST, R_IPPROTO,
	R_IP6NXT, R_TSPORT, R_TDPORT, R_USPORT, R_UDPORT, R_TFLAGS, R_TSEQ, R_ESPSPI, R_DNSNAME,
	R_DNSRESP, R_ICMPTYPE, R_ICMP6TYPE, R_ARPOP, R_TSYN, R_N
};
static const char *const role_names[R_N] = {
	"frame.number", "frame.time_epoch", "frame.time", "frame.time_utc", "ip.src", "ip.dst",
	"ipv6.src", "ipv6.dst", "ip.proto", "ipv6.nxt", "tcp.srcport", "tcp.dstport",
	"udp.srcport", "udp.dstport", "tcp.flags", "tcp.seq", "esp.spi", "dns.qry.name",
	"dns.flags.response", "icmp.type", "icmpv6.type", "arp.opcode", "tcp.flags.syn",
};

struct ts_state {
	struct source *src;
	struct textlog tl;
	struct textlog_csv csv;
	struct cols cols;
	char *hbuf;                          /* header copy: the field names */
	const char *name[TEXTLOG_MAX_COLS];
	uint8_t kind[TEXTLOG_MAX_COLS];      /* K_* */
	size_t ncols;
	int role[R_N];
	char sep;
	bool csv_ready;
	bool noted_agg;
	unsigned noted_zone;
	struct textlog_tzcache tzc;
	char msg[200];
};

enum { K_AUTO, K_ADDR, K_BOOL, K_TEXT };

static const char seps[] = { '\t', ',', ';', '|' };

/* A header token: a display-filter field name ("ip.src", "_ws.col.Info"). */
static bool field_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!(isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return isalpha((unsigned char)s[0]) || s[0] == '_';
}

static char pick_sep(const char *l, size_t n)
{
	size_t best = 0;
	char sep = 0;
	for (size_t k = 0; k < sizeof seps; k++) {
		size_t c = 0;
		for (size_t i = 0; i < n; i++)
			c += l[i] == seps[k];
		if (c > best) {
			best = c;
			sep = seps[k];
		}
	}
	return sep;
}

/* prefix match (ASCII case-insensitive) within the n bytes at s: the sniff
 * head is not NUL-terminated */
static bool prefix_ci_n(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && strncasecmp(s, prefix, k) == 0;
}

static int ts_sniff(const uint8_t *h, size_t len)
{
	size_t s, n;
	if (!textlog_head_line(h, len, &s, &n))
		return 0;
	const char *l = (const char *)h + s;
	char sep = pick_sep(l, n);
	if (!sep)  /* one column */
		return field_name(l, n) && memchr(l, '.', n) && (prefix_ci_n(l, n, "frame.") ||
								     prefix_ci_n(l, n, "ip.")) ? 40 : 0;
	size_t cols = 0, dotted = 0, known = 0;
	const char *p = l, *end = l + n;
	while (p <= end) {
		const char *e = memchr(p, sep, (size_t)(end - p));
		if (!e)
			e = end;
		if (!field_name(p, (size_t)(e - p)))
			return 0;
		cols++;
		dotted += memchr(p, '.', (size_t)(e - p)) != NULL;
		static const char *const protos[] = { "frame.", "ip.", "ipv6.", "tcp.", "udp.", "eth.",
						      "esp.", "dns.", "icmp", "_ws.", "arp.", "sll." };
		for (size_t i = 0; i < ARRAY_LEN(protos); i++)
			if (prefix_ci_n(p, (size_t)(e - p), protos[i]))
				known++;
		p = e + 1;
	}
	if (dotted != cols || known == 0)
		return 0;
	return known >= 2 ? 90 : 60;
}

static int ts_open(struct source *src, const char *path, void **state)
{
	struct ts_state *st = xcalloc(1, sizeof *st);
	st->src = src;
	if (textlog_open(&st->tl, src, path) != 0) {
		free(st);
		return -1;
	}
	for (int i = 0; i < R_N; i++)
		st->role[i] = -1;
	*state = st;
	return 0;
}

static void ts_close(void *state)
{
	struct ts_state *st = state;
	if (!st)
		return;
	textlog_close(&st->tl);
	if (st->csv_ready)
		textlog_csv_free(&st->csv);
	free(st->hbuf);
	free(st);
}

/* The header row: names, separator, column roles. -1 when it is not one. */
static int read_header(struct ts_state *st, char *line, size_t n)
{
	st->sep = pick_sep(line, n);
	if (!st->sep)
		st->sep = '\t';
	st->hbuf = xmalloc(n + 1);
	memcpy(st->hbuf, line, n);
	st->hbuf[n] = '\0';
	char *p = st->hbuf, *end = st->hbuf + n;
	while (p <= end && st->ncols < TEXTLOG_MAX_COLS) {
		char *e = memchr(p, st->sep, (size_t)(end - p));
		if (!e)
			e = end;
		*e = '\0';
		if (!field_name(p, (size_t)(e - p)))
			return -1;
		st->name[st->ncols] = p;
		const char *nm = p;
		uint8_t k = K_AUTO;
		if (!strcmp(nm, "ip.src") || !strcmp(nm, "ip.dst") || !strcmp(nm, "ip.addr") ||
		    !strcmp(nm, "ipv6.src") || !strcmp(nm, "ipv6.dst") || !strcmp(nm, "ipv6.addr") ||
		    !strncmp(nm, "arp.src.proto", 13) || !strncmp(nm, "arp.dst.proto", 13) ||
		    !strcmp(nm, "dns.a") || !strcmp(nm, "dns.aaaa"))
			k = K_ADDR;
		else if (strstr(nm, ".flags.") && strcmp(nm, "tcp.flags.str") != 0)
			k = K_BOOL;
		else if (!strncmp(nm, "frame.time", 10) || !strcmp(nm, "dns.qry.name") ||
			 !strncmp(nm, "_ws.col", 7) || !strcmp(nm, "tcp.flags.str"))
			k = K_TEXT;
		st->kind[st->ncols] = k;
		for (int r = 0; r < R_N; r++)
			if (!strcmp(nm, role_names[r]) && st->role[r] < 0)
				st->role[r] = (int)st->ncols;
		st->ncols++;
		p = e + 1;
	}
	if (st->role[R_EPOCH] < 0 && st->role[R_TIME] < 0 && st->role[R_TIME_UTC] < 0) {
		source_error(st->src, "tshark export has no time column (export -e frame.time_epoch)");
		return -2;
	}
	bool seq = false, raw = false;
	for (size_t i = 0; i < st->ncols; i++) {
		seq |= !strcmp(st->name[i], "tcp.seq") || !strcmp(st->name[i], "tcp.ack");
		raw |= !strcmp(st->name[i], "tcp.seq_raw");
	}
	if (seq && !raw)
		source_note(st->src, "tcp.seq/tcp.ack are relative unless tshark ran with "
				     "-o tcp.relative_sequence_numbers:FALSE; matching across vantage points "
				     "needs raw numbers (export tcp.seq_raw, tcp.ack_raw)");
	return 0;
}

static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* "Mar  4, 2024 19:53:20.000005000 EST" -> ns, zone read per --tz. */
static bool legacy_time(struct ts_state *st, const char *s, size_t n, int64_t *ns)
{
	char tmp[96];
	if (n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	char mon[4], zone[48] = "";
	int d, y, consumed = 0;
	if (sscanf(tmp, "%3s %d, %d %n", mon, &d, &y, &consumed) != 3 || consumed == 0)
		return false;
	int m = -1;
	for (int i = 0; i < 12; i++)
		if (!strcmp(mon, months[i]))
			m = i + 1;
	if (m < 0 || d < 1 || d > 31 || y < 1970 || y > UTIL_YEAR_MAX)
		return false;
	const char *t = tmp + consumed, *sp = strchr(t, ' ');
	size_t tn = sp ? (size_t)(sp - t) : strlen(t);
	int64_t sec, frac;
	if (!textlog_time(t, tn, &sec, &frac))
		return false;
	if (sp)
		snprintf(zone, sizeof zone, "%s", sp + 1);
	int64_t local = days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + sec;
	bool utc = !zone[0] || !strcmp(zone, "UTC") || !strcmp(zone, "GMT");
	if (!utc) {
		if (st->src->tz_given)
			local = textlog_local_to_utc(&st->tzc, st->src, local);
		else if (!st->noted_zone++)
			source_note(st->src, "frame.time is tshark's local time ('%s', an ambiguous zone name); "
				    "read as UTC (use --tz %s=ZONE, or export frame.time_epoch)", zone,
				    st->src->label);
	}
	*ns = local * NS_PER_SEC + frac;
	return true;
}

static bool row_time(struct ts_state *st, int64_t *ns)
{
	const char *p;
	size_t n;
	bool zoned;
	if (cols_get(&st->cols, st->role[R_EPOCH], &p, &n))
		return textlog_epoch(p, n, ns) || textlog_iso8601(p, n, ns, &zoned);
	int c = st->role[R_TIME] >= 0 ? st->role[R_TIME] : st->role[R_TIME_UTC];
	if (!cols_get(&st->cols, c, &p, &n))
		return false;
	if (textlog_iso8601(p, n, ns, &zoned)) {
		if (!zoned && st->src->tz_given)
			*ns = textlog_local_to_utc(&st->tzc, st->src, *ns / NS_PER_SEC) * NS_PER_SEC +
			      *ns % NS_PER_SEC;
		return true;
	}
	return legacy_time(st, p, n, ns);
}

/* First occurrence of an aggregated value ("a,b"): noted once. */
static size_t first_occurrence(struct ts_state *st, const char *p, size_t n, uint8_t kind)
{
	if (kind == K_TEXT)
		return n;
	const char *c = memchr(p, ',', n);
	if (!c)
		return n;
	if (!st->noted_agg) {
		st->noted_agg = true;
		source_note(st->src, "some fields hold several occurrences (e.g. a quoted inner IP header); "
				     "the first (outer) one is used");
	}
	return (size_t)(c - p);
}

static bool col_uint(struct ts_state *st, int role, uint64_t max, uint64_t *v)
{
	const char *p;
	size_t n;
	if (!cols_get(&st->cols, st->role[role], &p, &n))
		return false;
	n = first_occurrence(st, p, n, K_AUTO);
	return parse_u64(p, n, max, v);
}

static bool col_addr(struct ts_state *st, int role, struct addr *a)
{
	const char *p;
	size_t n;
	if (!cols_get(&st->cols, st->role[role], &p, &n))
		return false;
	n = first_occurrence(st, p, n, K_ADDR);
	return addr_parse(p, n, a);
}

static bool present(const struct ts_state *st, int role)
{
	const char *p;
	size_t n;
	return cols_get(&st->cols, st->role[role], &p, &n);
}

static pr_status ts_next(void *state, struct event *ev)
{
	struct ts_state *st = state;
	char *line;
	size_t n;
	for (;;) {
		if (!textlog_next(&st->tl, &line, &n))
			return PR_EOF;
		if (n == 0)
			continue;
		if (!st->ncols) {
			int rc = read_header(st, line, n);
			if (rc == -2)
				return PR_FATAL;
			if (rc < 0) {
				source_error(st->src, "line %llu is not a tshark -E header=y row of field names",
					     (unsigned long long)st->tl.line);
				return PR_FATAL;
			}
			continue;
		}
		break;
	}
	uint64_t ln = st->tl.line;
	if (!st->csv_ready) {
		/* -E quote=s writes single quotes; the first data row tells */
		char q = line[0] == '\'' ? '\'' : '"';
		if (textlog_csv_init(&st->csv, st->sep, q, false) != 0) {
			source_error(st->src, "cannot set up the CSV reader");
			return PR_FATAL;
		}
		st->csv_ready = true;
	}
	const char *why = "";
	if (!textlog_csv_line(&st->csv, line, n, &st->cols, &why)) {
		source_skip(st->src, ln, "%s", why);
		return PR_SKIP;
	}
	if (st->cols.count != st->ncols) {
		source_skip(st->src, ln, "%zu columns where the header (line 1) names %zu%s", st->cols.count,
			    st->ncols,
			    st->sep == ',' && st->cols.count > st->ncols
				    ? " (repeated fields joined with ',' and no quotes: export with -E quote=d "
				      "or -E occurrence=f)"
				    : "");
		return PR_SKIP;
	}
	int64_t ns;
	if (!row_time(st, &ns)) {
		source_skip(st->src, ln, "no readable time (frame.time_epoch / frame.time)");
		return PR_SKIP;
	}
	uint64_t num = 0;
	ev->ts_raw = ns;
	ev->ref = col_uint(st, R_NUMBER, UINT64_MAX, &num) ? num : ln;

	/* every column, typed */
	for (size_t i = 0; i < st->ncols; i++) {
		const char *p = st->cols.p[i];
		size_t vn = st->cols.n[i];
		if (vn == 0)
			continue;
		uint8_t k = st->kind[i];
		size_t fn = first_occurrence(st, p, vn, k);
		uint64_t v;
		struct addr a;
		if (k == K_ADDR && addr_parse(p, fn, &a)) {
			ev_addr(ev, st->name[i], &a);
		} else if (k == K_BOOL && (textlog_eq(p, fn, "1") || textlog_eq(p, fn, "True"))) {
			ev_bool(ev, st->name[i], true);
		} else if (k == K_BOOL && (textlog_eq(p, fn, "0") || textlog_eq(p, fn, "False"))) {
			ev_bool(ev, st->name[i], false);
		} else if (k != K_TEXT && parse_u64(p, fn, INT64_MAX, &v)) {
			ev_int(ev, st->name[i], (int64_t)v);
		} else {
			ev_str(ev, st->name[i], p, vn);
		}
	}

	/* type and flow */
	uint8_t proto = 0;
	uint64_t v;
	const char *type = "frame";
	bool tcp = present(st, R_TSPORT) || present(st, R_TFLAGS) || present(st, R_TSEQ);
	bool udp = present(st, R_USPORT);
	/* ICMP first: tcp/udp fields in an ICMP error belong to the quoted packet */
	if (present(st, R_ICMPTYPE)) {
		type = "icmp";
		proto = 1;
	} else if (present(st, R_ICMP6TYPE)) {
		type = "icmpv6";
		proto = 58;
	} else if (tcp) {
		type = "tcp";
		proto = 6;
	} else if (present(st, R_DNSNAME) || present(st, R_DNSRESP)) {
		uint64_t r = 0;
		const char *p;
		size_t pn;
		if (cols_get(&st->cols, st->role[R_DNSRESP], &p, &pn))
			r = textlog_eq(p, 1, "1") || starts_with_ci(p, "true");
		type = r ? "dns.response" : "dns.query";
		proto = udp ? 17 : 0;
	} else if (udp) {
		type = "udp";
		proto = 17;
	} else if (present(st, R_ESPSPI)) {
		type = "esp";
		proto = 50;
	} else if (col_uint(st, R_ARPOP, 65535, &v)) {
		type = v == 2 ? "arp.reply" : "arp.request";
	} else if (present(st, R_IPSRC) || present(st, R_IP6SRC)) {
		type = "ip";
	}
	if (!proto && (col_uint(st, R_IPPROTO, 255, &v) || col_uint(st, R_IP6NXT, 255, &v)))
		proto = (uint8_t)v;
	ev->type = type;
	struct addr sa, da;
	bool hs = col_addr(st, R_IPSRC, &sa) || col_addr(st, R_IP6SRC, &sa);
	bool hd = col_addr(st, R_IPDST, &da) || col_addr(st, R_IP6DST, &da);
	if (hs && hd && proto) {
		uint64_t sp = 0, dp = 0;
		if (proto == 6) {
			col_uint(st, R_TSPORT, 65535, &sp);
			col_uint(st, R_TDPORT, 65535, &dp);
		} else if (proto == 17) {
			col_uint(st, R_USPORT, 65535, &sp);
			col_uint(st, R_UDPORT, 65535, &dp);
		}
		ev->flags |= EV_HAS_FLOW;
		ev->flow.src = sa;
		ev->flow.dst = da;
		ev->flow.sport = (uint16_t)sp;
		ev->flow.dport = (uint16_t)dp;
		ev->flow.proto = proto;
	}
	/* tcp.flags.* from tcp.flags when only the bitmask was exported */
	if (col_uint(st, R_TFLAGS, 0xffff, &v) && st->role[R_TSYN] < 0) {
		ev_bool(ev, "tcp.flags.syn", v & 0x02);
		ev_bool(ev, "tcp.flags.ack", v & 0x10);
		ev_bool(ev, "tcp.flags.fin", v & 0x01);
		ev_bool(ev, "tcp.flags.reset", v & 0x04);
		ev_bool(ev, "tcp.flags.push", v & 0x08);
	}
	ev->msg = textlog_pkt_msg(ev, NULL, st->msg, sizeof st->msg);
	return PR_EVENT;
}

const struct parser parser_tshark = {
	.api_version = PARSER_API_VERSION,
	.name = "tshark",
	.summary = "tshark -T fields exports with a header row (CSV/TSV, ; or | separated)",
	.sniffs = "a first line of display-filter field names (frame.number, ip.src, ...) joined by TAB , ; or |",
	.sniff = ts_sniff,
	.open = ts_open,
	.next_event = ts_next,
	.close = ts_close,
};
