/*
 * parsers/pfirewall.c - Windows Firewall log (pfirewall.log), XP SP2 to 11.
 *
 *   #Version: 1.5
 *   #Software: Microsoft Windows Firewall
 *   #Time Format: Local
 *   #Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn
 *            tcpack tcpwin icmptype icmpcode info path [pid]
 *   2024-01-07 09:14:05 DROP TCP 94.232.47.52 10.0.0.5 28126 3390 52 S 607837051 0 8192 - - - RECEIVE
 *
 * One event per line, ref = line number: DROP -> fw.drop, ALLOW/OPEN/OPEN-INBOUND
 * -> fw.accept, CLOSE -> fw.teardown, INFO-EVENTS-LOST -> fw.info. Columns come
 * from #Fields (space separated, "-" = empty); without one the default layout
 * above is assumed and said. Times are local without a zone: --tz LABEL=ZONE,
 * else read as UTC and noted.
 * Does not: read the binary WFP audit events (those are EVTX 5152/5156).
 * Spec: ../shared/formats/firewall-logs.md section (d).
 */
#include "../correlator/core/parser.h"
#include "textlog.h"
#include "../correlator/core/util.h"

#include <stdlib.h>
#include <string.h>

enum pf_col {
	PF_DATE, PF_TIME, PF_ACTION, PF_PROTO, PF_SRC, PF_DST, PF_SPORT, PF_DPORT, PF_SIZE,
	PF_TCPFLAGS, PF_TCPSYN, PF_TCPACK, PF_TCPWIN, PF_ICMPTYPE, PF_ICMPCODE, PF_INFO, PF_PATH,
	PF_PID, PF_NCOLS
};

static const char *const pf_names[PF_NCOLS] = {
	"date", "time", "action", "protocol", "src-ip", "dst-ip", "src-port", "dst-port", "size",
	"tcpflags", "tcpsyn", "tcpack", "tcpwin", "icmptype", "icmpcode", "info", "path", "pid",
};

struct pf_state {
	struct source *src;
	struct textlog tl;
	struct w3c_header hdr;
	int col[PF_NCOLS];
	size_t need;            /* columns a data line must have (date..action) */
	bool have_fields;
	bool noted_tz;
	struct cols cols;
	char last_date[10];
	int64_t last_days;
	struct textlog_tzcache tzc;
};

static void map_default(struct pf_state *st)
{
	for (int i = 0; i < PF_NCOLS; i++)
		st->col[i] = i < PF_PID ? i : -1;
	st->hdr.ncols = PF_PID;
}

static void map_header(struct pf_state *st)
{
	for (int i = 0; i < PF_NCOLS; i++)
		st->col[i] = w3c_col(&st->hdr, pf_names[i]);
	st->have_fields = true;
}

static int pf_sniff(const uint8_t *h, size_t len)
{
	if (textlog_head_has_line(h, len, "#Software: Microsoft Windows Firewall"))
		return 100;
	if (textlog_head_has_line(h, len, "#Fields: date time action protocol src-ip dst-ip"))
		return 95;
	/* header-less: "yyyy-mm-dd hh:mm:ss ACTION PROTO " */
	size_t s, n;
	if (!textlog_head_line(h, len, &s, &n) || n < 24)
		return 0;
	const char *l = (const char *)h + s;
	int64_t d, sec, ns;
	if (!textlog_date(l, 10, &d) || l[10] != ' ' || !textlog_time(l + 11, 8, &sec, &ns) || l[19] != ' ')
		return 0;
	static const char *const acts[] = { "DROP ", "ALLOW ", "OPEN ", "CLOSE ", "OPEN-INBOUND ",
					    "INFO-EVENTS-LOST " };
	for (size_t i = 0; i < ARRAY_LEN(acts); i++)
		if (strncmp(l + 20, acts[i], strlen(acts[i])) == 0)
			return 60;
	return 0;
}

static int pf_open(struct source *src, const char *path, void **state)
{
	src->ts_resolution = NS_PER_SEC;  /* its times are whole seconds */
	struct pf_state *st = xcalloc(1, sizeof *st);
	st->src = src;
	if (textlog_open(&st->tl, src, path) != 0) {
		free(st);
		return -1;
	}
	map_default(st);
	*state = st;
	return 0;
}

static void pf_close(void *state)
{
	struct pf_state *st = state;
	if (!st)
		return;
	textlog_close(&st->tl);
	w3c_free(&st->hdr);
	free(st);
}

static bool get(const struct pf_state *st, int c, const char **p, size_t *n)
{
	return cols_get(&st->cols, st->col[c], p, n);
}

/* "AFPRSU" letters -> TH_* bits; false on any other letter. */
static bool tcp_letters(const char *p, size_t n, unsigned *flags)
{
	unsigned f = 0;
	for (size_t i = 0; i < n; i++) {
		switch (p[i]) {
		case 'F': f |= 0x01; break;
		case 'S': f |= 0x02; break;
		case 'R': f |= 0x04; break;
		case 'P': f |= 0x08; break;
		case 'A': f |= 0x10; break;
		case 'U': f |= 0x20; break;
		case 'E': f |= 0x40; break;
		case 'C': f |= 0x80; break;
		default: return false;
		}
	}
	*flags = f;
	return true;
}

static const char *action_type(const char *a, size_t n)
{
	/* upper case as Windows writes it; the common two first */
	if (n == 4 && memcmp(a, "DROP", 4) == 0)
		return "fw.drop";
	if (n == 5 && memcmp(a, "ALLOW", 5) == 0)
		return "fw.accept";
	if (textlog_eq(a, n, "DROP"))
		return "fw.drop";
	if (textlog_eq(a, n, "ALLOW") || textlog_eq(a, n, "OPEN") || textlog_eq(a, n, "OPEN-INBOUND"))
		return "fw.accept";
	if (textlog_eq(a, n, "CLOSE"))
		return "fw.teardown";
	if (textlog_eq(a, n, "INFO-EVENTS-LOST"))
		return "fw.info";
	return NULL;
}

static bool read_uint(struct pf_state *st, int c, uint64_t max, uint64_t *v, bool *bad)
{
	const char *p;
	size_t n;
	if (!get(st, c, &p, &n))
		return false;
	if (!parse_u64(p, n, max, v)) {
		*bad = true;
		return false;
	}
	return true;
}

static pr_status pf_next(void *state, struct event *ev)
{
	struct pf_state *st = state;
	char *line;
	size_t n;
	bool directives, fields;
	if (!w3c_next_record(&st->tl, &st->hdr, ' ', &line, &n, &directives, &fields))
		return PR_EOF;
	if (fields)
		map_header(st);
	uint64_t ln = st->tl.line;
	if (!st->have_fields) {
		st->have_fields = true;
		source_note(st->src, "no #Fields header: the default Windows Firewall column order is assumed");
	}
	if (!st->noted_tz) {
		st->noted_tz = true;
		if (!st->src->tz_given)
			source_note(st->src, "Windows Firewall logs local time without a zone; read as UTC "
				    "(use --tz %s=ZONE)", st->src->label);
	}
	cols_split(&st->cols, line, n, ' ');

	const char *p, *a;
	size_t pn, an;
	int64_t days, sec, frac;
	if (!get(st, PF_DATE, &p, &pn)) {
		source_skip(st->src, ln, "no date");
		return PR_SKIP;
	}
	if (pn == 10 && memcmp(p, st->last_date, 10) == 0) {
		days = st->last_days;
	} else if (textlog_date(p, pn, &days)) {
		memcpy(st->last_date, p, 10);
		st->last_days = days;
	} else {
		source_skip(st->src, ln, "date '%.*s' is not yyyy-mm-dd", (int)(pn > 40 ? 40 : pn), p);
		return PR_SKIP;
	}
	if (!get(st, PF_TIME, &p, &pn) || !textlog_time(p, pn, &sec, &frac)) {
		source_skip(st->src, ln, "time is missing or not hh:mm:ss");
		return PR_SKIP;
	}
	if (!get(st, PF_ACTION, &a, &an)) {
		source_skip(st->src, ln, "no action");
		return PR_SKIP;
	}
	const char *type = action_type(a, an);
	if (!type) {
		source_skip(st->src, ln, "unknown action '%.*s'", (int)(an > 40 ? 40 : an), a);
		return PR_SKIP;
	}
	if (st->cols.count < st->hdr.ncols)
		w3c_short_line(&st->hdr, st->src, ln, st->cols.count);
	int64_t utc = textlog_local_to_utc(&st->tzc, st->src, days * 86400 + sec);
	ev->ts_raw = utc * NS_PER_SEC + frac;
	ev->ref = ln;
	ev->type = type;
	ev_str(ev, "fw.action", a, an);

	bool bad = false;
	uint8_t proto = 0;
	bool have_proto = get(st, PF_PROTO, &p, &pn);
	if (have_proto && !textlog_ip_proto(p, pn, &proto)) {
		source_skip(st->src, ln, "protocol '%.*s' is neither a name nor a number", (int)(pn > 20 ? 20 : pn), p);
		return PR_SKIP;
	}
	struct addr sa, da;
	bool have_src = get(st, PF_SRC, &p, &pn), have_dst = false;
	if (have_src && !addr_parse(p, pn, &sa)) {
		source_skip(st->src, ln, "src-ip '%.*s' is not an address", (int)(pn > 46 ? 46 : pn), p);
		return PR_SKIP;
	}
	have_dst = get(st, PF_DST, &p, &pn);
	if (have_dst && !addr_parse(p, pn, &da)) {
		source_skip(st->src, ln, "dst-ip '%.*s' is not an address", (int)(pn > 46 ? 46 : pn), p);
		return PR_SKIP;
	}
	uint64_t sport = 0, dport = 0, v;
	bool ports = proto == 6 || proto == 17;
	bool have_ports = ports && read_uint(st, PF_SPORT, 65535, &sport, &bad) &&
			  read_uint(st, PF_DPORT, 65535, &dport, &bad);
	if (bad) {
		source_skip(st->src, ln, "port is not a number 0-65535");
		return PR_SKIP;
	}
	if (have_src && have_dst && have_proto) {
		textlog_set_flow(ev, &sa, (uint16_t)sport, &da, (uint16_t)dport, proto);
		if (ports && !have_ports) {
			ev->flow.sport = ev->flow.dport = 0;
		}
	} else {
		if (have_src)
			ev_addr(ev, "ip.src", &sa);
		if (have_dst)
			ev_addr(ev, "ip.dst", &da);
	}
	if (read_uint(st, PF_SIZE, UINT32_MAX, &v, &bad))
		ev_int(ev, "fw.size", (int64_t)v);
	unsigned flags = 0;
	bool have_flags = false;
	if (get(st, PF_TCPFLAGS, &p, &pn)) {
		if (!tcp_letters(p, pn, &flags)) {
			source_skip(st->src, ln, "tcpflags '%.*s' are not TCP flag letters", (int)(pn > 20 ? 20 : pn), p);
			return PR_SKIP;
		}
		have_flags = true;
		ev_str(ev, "tcp.flags.str", p, pn);
		ev_int(ev, "tcp.flags", flags);
		ev_bool(ev, "tcp.flags.syn", flags & 0x02);
		ev_bool(ev, "tcp.flags.ack", flags & 0x10);
		ev_bool(ev, "tcp.flags.fin", flags & 0x01);
		ev_bool(ev, "tcp.flags.reset", flags & 0x04);
		ev_bool(ev, "tcp.flags.push", flags & 0x08);
	}
	uint64_t seq = 0, ack = 0, win = 0;
	bool have_seq = read_uint(st, PF_TCPSYN, UINT32_MAX, &seq, &bad);
	bool have_ack = read_uint(st, PF_TCPACK, UINT32_MAX, &ack, &bad);
	bool have_win = read_uint(st, PF_TCPWIN, 65535 * 16384ull, &win, &bad);
	if (have_seq && (have_flags || seq))
		ev_int(ev, "tcp.seq", (int64_t)seq);
	if (have_ack && (have_flags || ack))
		ev_int(ev, "tcp.ack", (int64_t)ack);
	if (have_win && (have_flags || win))
		ev_int(ev, "tcp.window_size_value", (int64_t)win);
	if (read_uint(st, PF_ICMPTYPE, 255, &v, &bad))
		ev_int(ev, proto == 58 ? "icmpv6.type" : "icmp.type", (int64_t)v);
	if (read_uint(st, PF_ICMPCODE, 255, &v, &bad))
		ev_int(ev, proto == 58 ? "icmpv6.code" : "icmp.code", (int64_t)v);
	if (bad) {
		source_skip(st->src, ln, "a TCP or ICMP column is not a number in range");
		return PR_SKIP;
	}
	if (get(st, PF_INFO, &p, &pn)) {
		ev_str(ev, "fw.info", p, pn);
		if (type[3] == 'i' && parse_u64(p, pn, INT64_MAX, &v))
			ev_int(ev, "fw.events_lost", (int64_t)v);
	}
	if (get(st, PF_PATH, &p, &pn)) {
		ev_str(ev, "fw.path", p, pn);
		if (textlog_eq(p, pn, "RECEIVE"))
			ev_cstr(ev, "fw.direction", "in");
		else if (textlog_eq(p, pn, "SEND"))
			ev_cstr(ev, "fw.direction", "out");
		else if (textlog_eq(p, pn, "FORWARD"))
			ev_cstr(ev, "fw.direction", "forward");
	}
	if (read_uint(st, PF_PID, UINT32_MAX, &v, &bad))
		ev_int(ev, "proc.pid", (int64_t)v);
	return PR_EVENT;
}

const struct parser parser_pfirewall = {
	.api_version = PARSER_API_VERSION,
	.name = "pfirewall",
	.summary = "Windows Firewall log (pfirewall.log, W3C-style, local time)",
	.sniffs = "#Software: Microsoft Windows Firewall, or date time DROP|ALLOW|OPEN|CLOSE lines",
	.sniff = pf_sniff,
	.open = pf_open,
	.next_event = pf_next,
	.close = pf_close,
};
