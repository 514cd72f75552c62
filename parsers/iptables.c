/*
 * parsers/iptables.c - Linux netfilter LOG target / nftables `log` lines
 * (kernel nf_log) carried in syslog or journal text: fw.drop / fw.accept /
 * fw.info events with the packet's addresses, ports, IP and TCP header
 * fields and the flow 5-tuple. Other lines of the same file become generic
 * syslog.message events.
 * Does not: read ulogd/NFLOG output or nft `monitor trace`; decode the OPT
 * hex of IP/TCP options; the ICMP-quoted packet gives only icmp.inner.*.
 * Spec: kernel net/netfilter/nf_log_syslog.c (token order below);
 * iptables-extensions(8) LOG; ../shared/formats/firewall-logs.md (e).
 *
 *   [prefix]IN=if OUT=if [PHYSIN= PHYSOUT=] [MAC=hex:..] SRC= DST= LEN= TOS= PREC= TTL= ID=
 *      [CE] [DF] [MF] [FRAG:n] [OPT (..)] PROTO=TCP SPT= DPT= [SEQ= ACK=] WINDOW= RES=
 *      [CWR] [ECE] [URG] [ACK] [PSH] [RST] [SYN] [FIN] URGP= [OPT (..)]
 *   IPv6: SRC= DST= LEN= TC= HOPLIMIT= FLOWLBL= PROTO= ...;  UDP: SPT= DPT= LEN=
 *   ICMP: TYPE= CODE= [ID= SEQ=] [MTU=] [ '[' quoted packet ']' ];  ESP: SPI=0x..
 *   tail: [UID= GID=] [MARK=0x..]
 * The second LEN= (UDP) and ID= (ICMP echo) come after PROTO=.
 * Time: syslog stamps; zoneless ones are local (--tz, else UTC, noted).
 * Action: the log prefix names it (DROP, DENY, REJECT, ACCEPT, ALLOW; or the
 * EdgeOS/VyOS "[rule-N-D]" / "-A]" / "-R]" suffix); otherwise fw.info.
 */
#include "../correlator/core/parser.h"
#include "syslog_hdr.h"
#include "../correlator/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ipt_state {
	struct syslog_stream s;
};

/* Offset of "IN=" starting a token in msg, or -1. */
static long find_in(const char *m, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++) {
		const char *q = memchr(m + i, 'I', n - i);
		if (!q)
			return -1;
		i = (size_t)(q - m);
		if (i + 3 <= n && q[1] == 'N' && q[2] == '=' &&
		    (i == 0 || m[i - 1] == ' ' || m[i - 1] == ']' || m[i - 1] == ':'))
			return (long)i;
	}
	return -1;
}

static bool ipt_match(const char *m, size_t n)
{
	long i = find_in(m, n);
	return i >= 0 && memmem(m + i, n - (size_t)i, " SRC=", 5) && memmem(m + i, n - (size_t)i, " PROTO=", 7);
}

static int ipt_sniff(const uint8_t *head, size_t len)
{
	unsigned nlines, nmatch;
	unsigned good = syslog_sniff(head, len, ipt_match, &nlines, &nmatch);
	if (nmatch == 0 || good * 2 < nlines)
		return 0;
	return nmatch * 4 >= good ? 90 : 60;
}

static int ipt_open(struct source *src, const char *path, void **state)
{
	src->ts_resolution = NS_PER_SEC;  /* its times are whole seconds */
	struct ipt_state *st = xcalloc(1, sizeof *st);
	if (syslog_stream_open(&st->s, src, path, "iptables") != 0) {
		free(st);
		return -1;
	}
	*state = st;
	return 0;
}

static bool has_ci(const char *p, size_t n, const char *word)
{
	size_t k = strlen(word);
	for (size_t i = 0; i + k <= n; i++)
		if (!strncasecmp(p + i, word, k))
			return true;
	return false;
}

/* Action named by a log prefix: "drop", "reject", "accept" or NULL. */
static const char *prefix_action(const char *p, size_t n)
{
	if (has_ci(p, n, "REJECT"))
		return "reject";
	if (has_ci(p, n, "DROP") || has_ci(p, n, "DENY") || has_ci(p, n, "BLOCK"))
		return "drop";
	/* "INVALID" prefixes log the conntrack-INVALID rule, which drops: a
	 * packet of no known connection (the idle-timeout evidence) */
	if (has_ci(p, n, "INVALID"))
		return "drop";
	if (has_ci(p, n, "ACCEPT") || has_ci(p, n, "ALLOW") || has_ci(p, n, "PASS"))
		return "accept";
	/* EdgeOS / VyOS: "[NAME-RULE-A]" accept, "-D]" drop, "-R]" reject */
	if (n >= 4 && p[0] == '[' && p[n - 1] == ']' && p[n - 3] == '-') {
		switch (p[n - 2]) {
		case 'A': return "accept";
		case 'D': return "drop";
		case 'R': return "reject";
		}
	}
	return NULL;
}

/* prefix_action through the stream's cache: most lines repeat a few prefixes. */
static const char *cached_action(struct syslog_stream *ss, const char *pre, size_t pn)
{
	for (unsigned i = 0; pn && i < SYSLOG_CACHE_N; i++)
		if (ss->cache[i].len == pn && !memcmp(pre, ss->cache[i].key, pn))
			return ss->cache[i].val;
	const char *action = prefix_action(pre, pn);
	if (pn && pn <= sizeof ss->cache[0].key) {
		struct syslog_cache *c = &ss->cache[ss->cache_next];
		ss->cache_next = (ss->cache_next + 1) % SYSLOG_CACHE_N;
		memcpy(c->key, pre, pn);
		c->len = pn;
		c->val = action;
	}
	return action;
}

struct tok {
	const char *k; size_t kn;   /* key (or the word) */
	const char *v; size_t vn;   /* value; vn 0 and v NULL for a bare word */
};

static bool next_tok(const char *m, size_t n, size_t *i, struct tok *t)
{
	size_t j = *i;
	while (j < n && m[j] == ' ')
		j++;
	if (j >= n)
		return false;
	const char *sp = memchr(m + j, ' ', n - j);
	size_t e = sp ? (size_t)(sp - m) : n;
	const char *eq = memchr(m + j, '=', e - j);
	t->k = m + j;
	if (eq) {
		t->kn = (size_t)(eq - t->k);
		t->v = eq + 1;
		t->vn = (size_t)(m + e - t->v);
	} else {
		t->kn = e - j;
		t->v = NULL;
		t->vn = 0;
	}
	*i = e;
	return true;
}

#define KEY(t, s) ((t)->kn == sizeof(s) - 1 && !memcmp((t)->k, s, sizeof(s) - 1))

static bool tok_u64(const struct tok *t, uint64_t max, uint64_t *out)
{
	return t->v && parse_u64(t->v, t->vn, max, out);
}

/* The quoted packet of an ICMP error: "[SRC=.. DST=.. ... PROTO=UDP SPT= DPT= ...]". */
static void inner_packet(struct event *ev, const char *m, size_t n)
{
	size_t i = 0;
	struct tok t;
	struct addr a;
	uint64_t v;
	while (next_tok(m, n, &i, &t)) {
		if (KEY(&t, "SRC") && t.v && addr_parse(t.v, t.vn, &a))
			ev_addr(ev, "icmp.inner.ip.src", &a);
		else if (KEY(&t, "DST") && t.v && addr_parse(t.v, t.vn, &a))
			ev_addr(ev, "icmp.inner.ip.dst", &a);
		else if (KEY(&t, "PROTO") && t.v) {
			int p = syslog_ip_proto(t.v, t.vn);
			if (p >= 0)
				ev_int(ev, "icmp.inner.proto", p);
		} else if (KEY(&t, "SPT") && tok_u64(&t, 65535, &v))
			ev_int(ev, "icmp.inner.srcport", (int64_t)v);
		else if (KEY(&t, "DPT") && tok_u64(&t, 65535, &v))
			ev_int(ev, "icmp.inner.dstport", (int64_t)v);
	}
}

static pr_status ipt_line(struct syslog_stream *ss, struct event *ev, const char *m, size_t n, long at)
{
	struct source *src = ss->src;
	/* the prefix: text before IN=, without the kernel's "[uptime]" stamp */
	const char *pre = m;
	size_t pn = (size_t)at;
	if (pn && pre[0] == '[') {
		size_t j = 1;
		while (j < pn && pre[j] == ' ')
			j++;
		size_t d = j;
		while (j < pn && ((pre[j] >= '0' && pre[j] <= '9') || pre[j] == '.'))
			j++;
		if (j > d && j < pn && pre[j] == ']') {
			pre += j + 1;
			pn -= j + 1;
		}
	}
	while (pn && pre[0] == ' ')
		pre++, pn--;
	while (pn && (pre[pn - 1] == ' ' || pre[pn - 1] == ':'))
		pn--;
	const struct syslog_hdr *h = &ss->hdr;
	if (!pn && h->prog_len && !(h->prog_len == 6 && !memcmp(h->prog, "kernel", 6))) {
		pre = h->prog; /* "Jan  8 03:37:09 DENY: IN=..": the prefix reads as a tag */
		pn = h->prog_len;
	}

	struct addr sa = { 0 }, da = { 0 };
	bool have_src = false, have_dst = false, after_proto = false;
	int proto = -1;
	uint64_t sport = 0, dport = 0, v;
	unsigned flags = 0;
	const char *in = NULL, *out = NULL;
	size_t inn = 0, outn = 0;
	const char *bad = NULL;
	size_t i = (size_t)at;
	struct tok t;
	bool v6 = false;

	ev->type = "fw.info";
	uint16_t fields_at = ev->nfields;
	(void)fields_at;
	while (!bad && next_tok(m, n, &i, &t)) {
		if (t.kn && t.k[0] == '[') { /* ICMP error: the quoted packet, up to ']' */
			const char *e = memchr(t.k, ']', n - (size_t)(t.k - m));
			size_t end = e ? (size_t)(e - m) : n;
			inner_packet(ev, t.k + 1, end - (size_t)(t.k - m) - 1);
			i = e ? end + 1 : n;
			continue;
		}
		if (!t.v) { /* a bare word */
			unsigned f;
			if (KEY(&t, "DF"))
				ev_bool(ev, "ip.flags.df", true);
			else if (KEY(&t, "MF"))
				ev_bool(ev, "ip.flags.mf", true);
			else if (KEY(&t, "CE"))
				ev_bool(ev, "ip.dsfield.ce", true);
			else if (KEY(&t, "OPT")) {
				/* "OPT (hex)": skip the parenthesised hex */
				size_t j = i;
				while (j < n && m[j] == ' ')
					j++;
				if (j < n && m[j] == '(') {
					const char *e = memchr(m + j, ')', n - j);
					i = e ? (size_t)(e - m) + 1 : n;
				}
			} else if (KEY(&t, "INCOMPLETE")) {
				ev_bool(ev, "iptables.incomplete", true);
				break;
			} else if (t.kn > 5 && !memcmp(t.k, "FRAG:", 5)) {
				if (parse_u64(t.k + 5, t.kn - 5, 65535, &v))
					ev_int(ev, "ip.frag_offset", (int64_t)v);
			} else if (after_proto && (f = syslog_tcp_flag(t.k, t.kn)))
				flags |= f;
			continue;
		}
		/* KEY=VALUE: by the key's first letter, then the key itself */
		switch (t.k[0]) {
		case 'I':
			if (KEY(&t, "IN")) {
				in = t.v;
				inn = t.vn;
			} else if (KEY(&t, "ID")) {
				if (!tok_u64(&t, 0xffffffffu, &v))
					bad = "ID";
				else
					ev_int(ev, after_proto ? "icmp.ident" : "ip.id", (int64_t)v);
			}
			break;
		case 'O':
			if (KEY(&t, "OUT")) {
				out = t.v;
				outn = t.vn;
			}
			break;
		case 'M':
			if (KEY(&t, "MAC")) {
				if (t.vn)
					ev_str(ev, "iptables.mac", t.v, t.vn);
			} else if (KEY(&t, "MTU")) {
				if (tok_u64(&t, 0xffffffffu, &v))
					ev_int(ev, "icmp.mtu", (int64_t)v);
			} else if (KEY(&t, "MARK")) {
				if (tok_u64(&t, 0xffffffffu, &v))
					ev_int(ev, "iptables.mark", (int64_t)v);
			}
			break;
		case 'P':
			if (KEY(&t, "PHYSIN")) {
				ev_str(ev, "iptables.physin", t.v, t.vn);
			} else if (KEY(&t, "PHYSOUT")) {
				ev_str(ev, "iptables.physout", t.v, t.vn);
			} else if (KEY(&t, "PROTO")) {
				proto = syslog_ip_proto(t.v, t.vn);
				if (proto < 0)
					bad = "PROTO";
				after_proto = true;
			}
			break;
		case 'S':
			if (KEY(&t, "SRC") && !have_src) {
				if (!addr_parse(t.v, t.vn, &sa))
					bad = "SRC";
				have_src = true;
				v6 = sa.family == 6;
			} else if (KEY(&t, "SPT")) {
				if (!tok_u64(&t, 65535, &sport))
					bad = "SPT";
			} else if (KEY(&t, "SEQ")) {
				if (tok_u64(&t, 0xffffffffu, &v))
					ev_int(ev, proto == 6 ? "tcp.seq" : "icmp.seq", (int64_t)v);
			} else if (KEY(&t, "SPI")) {
				if (tok_u64(&t, 0xffffffffu, &v))
					ev_int(ev, "esp.spi", (int64_t)v);
			}
			break;
		case 'D':
			if (KEY(&t, "DST") && !have_dst) {
				if (!addr_parse(t.v, t.vn, &da))
					bad = "DST";
				have_dst = true;
			} else if (KEY(&t, "DPT")) {
				if (!tok_u64(&t, 65535, &dport))
					bad = "DPT";
			}
			break;
		case 'L':
			if (KEY(&t, "LEN")) {
				if (!tok_u64(&t, 0xffffffffu, &v))
					bad = "LEN";
				else
					ev_int(ev, after_proto ? "udp.length" : (v6 ? "ipv6.plen" : "ip.len"), (int64_t)v);
			}
			break;
		case 'T':
		case 'H':
			if (KEY(&t, "TOS")) {
				if (tok_u64(&t, 255, &v) || (t.vn && parse_u64(t.v, t.vn, 255, &v)))
					ev_int(ev, "ip.dsfield", (int64_t)v);
			} else if (KEY(&t, "TC")) {
				if (tok_u64(&t, 255, &v))
					ev_int(ev, "ipv6.tclass", (int64_t)v);
			} else if (KEY(&t, "TTL") || KEY(&t, "HOPLIMIT")) {
				if (!tok_u64(&t, 255, &v))
					bad = "TTL";
				else
					ev_int(ev, v6 ? "ipv6.hlim" : "ip.ttl", (int64_t)v);
			} else if (KEY(&t, "TYPE")) {
				if (tok_u64(&t, 255, &v))
					ev_int(ev, proto == 58 ? "icmpv6.type" : "icmp.type", (int64_t)v);
			}
			break;
		case 'F':
			if (KEY(&t, "FLOWLBL")) {
				if (tok_u64(&t, 0xfffff, &v))
					ev_int(ev, "ipv6.flow", (int64_t)v);
			}
			break;
		case 'A':
			if (KEY(&t, "ACK")) {
				if (tok_u64(&t, 0xffffffffu, &v))
					ev_int(ev, "tcp.ack", (int64_t)v);
			}
			break;
		case 'W':
			if (KEY(&t, "WINDOW")) {
				if (tok_u64(&t, 0xffff, &v))
					ev_int(ev, "tcp.window_size_value", (int64_t)v);
			}
			break;
		case 'U':
			if (KEY(&t, "URGP")) {
				if (tok_u64(&t, 0xffff, &v))
					ev_int(ev, "tcp.urgent_pointer", (int64_t)v);
			} else if (KEY(&t, "UID")) {
				if (tok_u64(&t, 0xffffffffu, &v))
					ev_int(ev, "iptables.uid", (int64_t)v);
			}
			break;
		case 'C':
			if (KEY(&t, "CODE")) {
				if (tok_u64(&t, 255, &v))
					ev_int(ev, proto == 58 ? "icmpv6.code" : "icmp.code", (int64_t)v);
			}
			break;
		case 'G':
			if (KEY(&t, "GID")) {
				if (tok_u64(&t, 0xffffffffu, &v))
					ev_int(ev, "iptables.gid", (int64_t)v);
			}
			break;
		}
	}
	if (bad) {
		source_skip(src, ev->ref, "iptables: bad %s= value", bad);
		return PR_SKIP;
	}
	if (!have_src || !have_dst || proto < 0) {
		source_skip(src, ev->ref, "iptables: line lacks %s", !have_src ? "SRC=" : !have_dst ? "DST=" : "PROTO=");
		return PR_SKIP;
	}
	const char *action = cached_action(ss, pre, pn);
	if (action) {
		ev->type = action[0] == 'a' ? "fw.accept" : "fw.drop";
		ev_cstr(ev, "fw.action", action);
	}
	if (pn) {
		ev_str(ev, "fw.rule", pre, pn);
		ev_str(ev, "fw.reason", pre, pn);
	}
	if (in && inn)
		ev_str(ev, "fw.interface", in, inn);
	else if (out && outn)
		ev_str(ev, "fw.interface", out, outn);
	ev_cstr(ev, "fw.direction", inn && outn ? "forward" : inn ? "in" : outn ? "out" : "local");
	if (inn)
		ev_str(ev, "iptables.in", in, inn);
	if (outn)
		ev_str(ev, "iptables.out", out, outn);
	ev_int(ev, "ip.version", v6 ? 6 : 4);
	syslog_ev_flow(ev, &sa, (uint16_t)sport, &da, (uint16_t)dport, (uint8_t)proto);
	if (proto == 6)
		syslog_ev_tcp_flags(ev, flags);
	if (h->host_len)
		ev_str(ev, "syslog.host", h->host, h->host_len);

	/* "drop tcp 1.2.3.4:5 -> 6.7.8.9:10 [PSH,ACK] on eth0 by PREFIX" */
	char *mb = ss->msgbuf;
	size_t cap = sizeof ss->msgbuf, o = 0;
	bool ports = proto == 6 || proto == 17;
	o = syslog_msg_cstr(mb, cap, o, action ? action : "logged");
	o = syslog_msg_str(mb, cap, o, " ", 1);
	char pbuf[4];
	o = syslog_msg_cstr(mb, cap, o, syslog_proto_name((uint8_t)proto, pbuf));
	o = syslog_msg_str(mb, cap, o, " ", 1);
	o = syslog_msg_ep(mb, cap, o, &sa, (uint16_t)sport, ports);
	o = syslog_msg_str(mb, cap, o, " -> ", 4);
	o = syslog_msg_ep(mb, cap, o, &da, (uint16_t)dport, ports);
	if (proto == 6 && flags) {
		static const char *names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR" };
		const char *sep = " [";
		for (unsigned k = 0; k < 8; k++)
			if (flags & (1u << k)) {
				o = syslog_msg_cstr(mb, cap, o, sep);
				o = syslog_msg_cstr(mb, cap, o, names[k]);
				sep = ",";
			}
		o = syslog_msg_str(mb, cap, o, "]", 1);
	}
	o = syslog_msg_str(mb, cap, o, " on ", 4);
	o = syslog_msg_str(mb, cap, o, inn ? in : out ? out : "", inn ? inn : outn);
	if (pn) {
		o = syslog_msg_str(mb, cap, o, " by ", 4);
		o = syslog_msg_str(mb, cap, o, pre, pn);
	}
	ev->msg = ss->msgbuf;
	return PR_EVENT;
}

bool iptables_body(struct syslog_stream *s, struct event *ev, pr_status *rc)
{
	const struct syslog_hdr *h = &s->hdr;
	long at = find_in(h->msg, h->msg_len);
	if (at < 0)
		return false;
	size_t rest = h->msg_len - (size_t)at;
	if (!memmem(h->msg + at, rest, " SRC=", 5) && !memmem(h->msg + at, rest, " OUT=", 5))
		return false; /* "IN=" alone is no netfilter line */
	*rc = ipt_line(s, ev, h->msg, h->msg_len, at);
	return true;
}

static pr_status ipt_next(void *state, struct event *ev)
{
	struct ipt_state *st = state;
	pr_status rc = syslog_stream_next(&st->s, ev);
	if (rc != PR_EVENT)
		return rc;
	return syslog_stream_map(&st->s, ev, iptables_body);
}

static void ipt_close(void *state)
{
	struct ipt_state *st = state;
	if (!st)
		return;
	syslog_stream_close(&st->s);
	free(st);
}

const struct parser parser_iptables = {
	.api_version = PARSER_API_VERSION,
	.name = "iptables",
	.summary = "Linux iptables LOG / nftables log lines in syslog or journal text",
	.sniffs = "syslog lines whose body holds IN= ... SRC= ... PROTO=",
	.sniff = ipt_sniff,
	.open = ipt_open,
	.next_event = ipt_next,
	.close = ipt_close,
};
