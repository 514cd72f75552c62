/*
 * parsers/etw_msg.c - TCPIP / Winsock-AFD rendered ETW messages -> events
 * (see etw_msg.h).
 * Does not: read files or timestamps; depend on exact wording beyond the
 * manifest phrases below (anything else becomes etw.tcpip.other, never lost).
 * Spec: ../shared/formats/windows-events.md (c). Message shapes:
 *   TCP: connection 0xT transition from ClosedState to SynSentState, SndNxt = N.   (1051)
 *   TCP: Tcb 0xT (local=A:p remote=B:q) requested to connect.                     (1002)
 *   TCP: connection 0xT (local=A:p remote=B:q) connect completed. PID = N.         (1033)
 *   TCP: listener (local=A:p remote=B:q) accept completed. TCB = 0xT. PID = N.     (1017)
 *   TCP: connection 0xT (local=.. remote=..): TCP send event, SeqNo = N, ...       (1332)
 *   TCPIP: Network layer (Protocol 1(ICMP), ...) dropped 1 packet(s) on interface 13.
 *          SourceAddress = A DestAddress = B Reason = 9(Inspection drop). ...      (1215)
 *   datagram dropped: 0: Process 0xP, Endpoint 0xE, Buffer 0x.., Length N,
 *          Address A:p, Seq N, Reason Insufficient local buffer space           (AFD 1033)
 * Enumerations render as "Name" or "N(Name)": both are accepted, the name kept.
 */
#include "etw_msg.h"
#include "../correlator/core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct etw_ptr {
	uint64_t key;            /* pointer value, 0 = empty */
	bool afd;                /* AFD endpoint (else TCP Tcb) */
	struct addr local, remote;
	uint16_t lport, rport;
	bool has_local, has_remote;
	uint8_t proto;
};

void etw_dec_init(struct etw_dec *d, size_t cap)
{
	size_t c = 16;
	while (c < cap)
		c *= 2;
	d->cap = c;
	d->tab = xcalloc(c, sizeof *d->tab);
}

void etw_dec_fini(struct etw_dec *d)
{
	free(d->tab);
	d->tab = NULL;
}

/* Direct-mapped: a pointer lives in one slot; a colliding newer one replaces it
 * (bounded memory; losing an old connection only loses a flow, not an event). */
static struct etw_ptr *slot(struct etw_dec *d, uint64_t key, bool afd, bool create)
{
	uint64_t h = (key ^ (afd ? 0x9e3779b97f4a7c15ULL : 0)) * 0xff51afd7ed558ccdULL;
	struct etw_ptr *p = &d->tab[(h >> 32) & (d->cap - 1)];
	if (p->key == key && p->afd == afd)
		return p;
	if (!create)
		return NULL;
	memset(p, 0, sizeof *p);
	p->key = key;
	p->afd = afd;
	return p;
}

/* --- scanning the message ---------------------------------------------- */

struct msg { const char *p; size_t n; };

static const char *find(struct msg m, const char *needle)
{
	size_t k = strlen(needle);
	return k <= m.n ? memmem(m.p, m.n, needle, k) : NULL;
}

static const char *find_ci(struct msg m, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= m.n; i++)
		if (strncasecmp(m.p + i, needle, k) == 0)
			return m.p + i;
	return NULL;
}

/* Token after needle: up to a blank, ',', ')' or the end; trailing '.' dropped. */
static struct msg token_after(struct msg m, const char *needle)
{
	struct msg t = { NULL, 0 };
	const char *s = find(m, needle);
	if (!s)
		return t;
	s += strlen(needle);
	const char *end = m.p + m.n;
	while (s < end && *s == ' ')
		s++;
	const char *e = s;
	bool open = false;  /* "2(SynSentState)": the ')' belongs to the token */
	while (e < end && *e != ' ' && *e != ',' && (*e != ')' || open)) {
		if (*e == '(')
			open = true;
		else if (*e == ')')
			open = false;
		e++;
	}
	if (e > s && e[-1] == '.' && !(e - s >= 2 && e[-2] == '.'))
		e--;
	t.p = s;
	t.n = (size_t)(e - s);
	return t;
}

static bool hex_u64(struct msg t, uint64_t *out)
{
	if (t.n > 2 && t.p[0] == '0' && (t.p[1] == 'x' || t.p[1] == 'X')) {
		t.p += 2;
		t.n -= 2;
	}
	if (t.n == 0 || t.n > 16)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < t.n; i++) {
		int c = (unsigned char)t.p[i];
		int d = isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 :
			(c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

static bool dec_u64(struct msg t, uint64_t max, uint64_t *out)
{
	return t.n && parse_u64(t.p, t.n, max, out);
}

/* "A:p", "[v6]:p" or "v6:p" (last colon) -> address and port. */
static bool endpoint(struct msg t, struct addr *a, uint16_t *port)
{
	if (!t.n)
		return false;
	const char *colon = NULL;
	struct msg ap = t;
	if (t.p[0] == '[') {
		const char *rb = memchr(t.p, ']', t.n);
		if (!rb)
			return false;
		ap.p = t.p + 1;
		ap.n = (size_t)(rb - t.p - 1);
		colon = rb + 1 < t.p + t.n && rb[1] == ':' ? rb + 1 : NULL;
	} else {
		for (size_t i = t.n; i-- > 0;)
			if (t.p[i] == ':') {
				colon = t.p + i;
				break;
			}
		if (colon)
			ap.n = (size_t)(colon - t.p);
	}
	uint64_t pv = 0;
	if (colon) {
		struct msg pt = { colon + 1, (size_t)(t.p + t.n - colon - 1) };
		if (!dec_u64(pt, 65535, &pv) || !addr_parse(ap.p, ap.n, a)) {
			/* "fe80::1" alone: the last colon was part of the address */
			if (!addr_parse(t.p, t.n, a))
				return false;
			pv = 0;
		}
	} else if (!addr_parse(t.p, t.n, a)) {
		return false;
	}
	*port = (uint16_t)pv;
	return true;
}

/* "2(SynSentState)" -> "SynSentState"; "SynSentState" as is. */
static struct msg enum_name(struct msg t)
{
	const char *lp = t.n ? memchr(t.p, '(', t.n) : NULL;
	if (lp && t.p[t.n - 1] == ')') {
		t.n = (size_t)(t.p + t.n - 1 - (lp + 1));
		t.p = lp + 1;
	}
	return t;
}

/* Rest of the text after needle up to ". " / "," / end: "9(Inspection drop)". */
static struct msg phrase_after(struct msg m, const char *needle)
{
	struct msg t = { NULL, 0 };
	const char *s = find(m, needle);
	if (!s)
		return t;
	s += strlen(needle);
	const char *end = m.p + m.n;
	while (s < end && *s == ' ')
		s++;
	const char *e = s;
	int depth = 0;
	while (e < end) {
		if (*e == '(')
			depth++;
		else if (*e == ')')
			depth--;
		else if (depth <= 0 && (*e == ',' || (*e == '.' && (e + 1 == end || e[1] == ' '))))
			break;
		e++;
	}
	while (e > s && (e[-1] == ' ' || e[-1] == '\r'))
		e--;
	t.p = s;
	t.n = (size_t)(e - s);
	return t;
}

static void put_tok(struct event *ev, struct arena *a, const char *name, struct msg t)
{
	if (t.n)
		ev_str(ev, name, arena_strndup(a, t.p, t.n), t.n);
}

/* --- flows ---------------------------------------------------------------- */

static void set_flow(struct event *ev, const struct addr *s, uint16_t sp, const struct addr *d,
		     uint16_t dp, uint8_t proto)
{
	ev->flow.src = *s;
	ev->flow.dst = *d;
	ev->flow.sport = sp;
	ev->flow.dport = dp;
	ev->flow.proto = proto;
	ev->flags |= EV_HAS_FLOW;
}

/* TCP: local/remote from the message, else from the Tcb table. */
static void tcp_flow(struct etw_dec *d, struct msg m, struct event *ev, uint64_t tcb, bool inbound)
{
	struct addr la, ra;
	uint16_t lp = 0, rp = 0;
	bool hl = endpoint(token_after(m, "local="), &la, &lp);
	bool hr = endpoint(token_after(m, "remote="), &ra, &rp);
	if (tcb && hl && hr) {
		struct etw_ptr *p = slot(d, tcb, false, true);
		p->local = la;
		p->lport = lp;
		p->remote = ra;
		p->rport = rp;
		p->has_local = p->has_remote = true;
		p->proto = 6;
	} else if (tcb && !hl && !hr) {
		struct etw_ptr *p = slot(d, tcb, false, false);
		if (p) {
			la = p->local;
			lp = p->lport;
			ra = p->remote;
			rp = p->rport;
			hl = p->has_local;
			hr = p->has_remote;
		}
	}
	if (hl && hr) {
		if (inbound)
			set_flow(ev, &ra, rp, &la, lp, 6);
		else
			set_flow(ev, &la, lp, &ra, rp, 6);
	}
}

static const struct { const char *phrase; const char *type; } tcpip_kinds[] = {
	{ "transition from", "etw.tcpip.state_change" },
	{ "requested to connect", "etw.tcpip.connect" },
	{ "connect completed", "etw.tcpip.connect_completed" },
	{ "accept completed", "etw.tcpip.accept" },
	{ "retransmission timeout", "etw.tcpip.retransmit_timeout" },
	{ "retransmit timeout", "etw.tcpip.retransmit_timeout" },
	{ "retransmit", "etw.tcpip.retransmit" },
	{ "connect attempt failed", "etw.tcpip.connect_failed" },
	{ "connect failed", "etw.tcpip.connect_failed" },
	{ "keep-alive timeout", "etw.tcpip.keepalive_timeout" },
	{ "keepalive timeout", "etw.tcpip.keepalive_timeout" },
	{ "abort", "etw.tcpip.abort" },
	{ "close issued", "etw.tcpip.close" },
	{ "disconnect", "etw.tcpip.disconnect" },
	{ "shutdown", "etw.tcpip.shutdown" },
	{ "RST", "etw.tcpip.rst" },
	{ "reset", "etw.tcpip.rst" },
	{ "dropped", "etw.tcpip.drop" },
	{ "send event", "etw.tcpip.send" },
	{ "bytes sent", "etw.tcpip.send" },
	{ "receive", "etw.tcpip.recv" },
	{ "bytes received", "etw.tcpip.recv" },
	{ "created", "etw.tcpip.endpoint" },
	{ NULL, NULL },
};

static void decode_tcpip(struct etw_dec *d, struct arena *a, struct msg m, struct event *ev)
{
	ev->type = "etw.tcpip.other";
	for (size_t i = 0; tcpip_kinds[i].phrase; i++) {
		const char *ph = tcpip_kinds[i].phrase;
		bool upper = false;
		for (const char *c = ph; *c; c++)
			upper |= isupper((unsigned char)*c) != 0;
		/* "RST" must not match "first": upper-case phrases match exactly */
		if (upper ? find(m, ph) != NULL : find_ci(m, ph) != NULL) {
			ev->type = tcpip_kinds[i].type;
			break;
		}
	}
	ev_cstr(ev, "etw.event", ev->type + 10);
	uint64_t tcb = 0, u;
	struct msg t = token_after(m, "connection ");
	if (!hex_u64(t, &tcb)) {
		t = token_after(m, "Tcb ");
		if (!hex_u64(t, &tcb)) {
			t = token_after(m, "TCB = ");
			if (!hex_u64(t, &tcb))
				t.n = 0;
		}
	}
	put_tok(ev, a, "etw.tcb", t);
	if (!strcmp(ev->type, "etw.tcpip.state_change")) {
		put_tok(ev, a, "etw.tcpip.old_state", enum_name(token_after(m, "transition from")));
		put_tok(ev, a, "etw.tcpip.new_state", enum_name(token_after(m, " to ")));
	}
	if (dec_u64(token_after(m, "SndNxt = "), UINT32_MAX, &u))
		ev_int(ev, "etw.tcpip.snd_nxt", (int64_t)u);
	if (dec_u64(token_after(m, "SeqNo = "), UINT32_MAX, &u))
		ev_int(ev, "tcp.seq", (int64_t)u);
	if (dec_u64(token_after(m, "PID = "), UINT32_MAX, &u))
		ev_int(ev, "etw.process", (int64_t)u);
	struct msg st = token_after(m, "status = ");
	if (!st.n)
		st = token_after(m, "Status = ");
	put_tok(ev, a, "etw.status", st);
	put_tok(ev, a, "etw.reason", enum_name(phrase_after(m, "Reason = ")));
	if (dec_u64(token_after(m, "on interface "), UINT32_MAX, &u))
		ev_int(ev, "etw.interface", (int64_t)u);
	if (!strcmp(ev->type, "etw.tcpip.drop")) {
		/* network-layer drop: addresses and protocol, no ports */
		struct addr sa, da;
		uint16_t sp = 0, dp = 0;
		uint64_t proto = 0;
		struct msg pr = token_after(m, "Protocol ");
		const char *lp = pr.n ? memchr(pr.p, '(', pr.n) : NULL;
		if (lp)
			pr.n = (size_t)(lp - pr.p);
		if (endpoint(token_after(m, "SourceAddress = "), &sa, &sp) &&
		    endpoint(token_after(m, "DestAddress = "), &da, &dp) && dec_u64(pr, 255, &proto))
			set_flow(ev, &sa, sp, &da, dp, (uint8_t)proto);
		else
			tcp_flow(d, m, ev, tcb, false);
		return;
	}
	tcp_flow(d, m, ev, tcb, !strcmp(ev->type, "etw.tcpip.accept"));
}

/* AFD: "<name>: <n>: Process 0x.., Endpoint 0x.., ..., Address A:p, Seq N, Reason R" */
static void decode_afd(struct etw_dec *d, struct arena *a, struct msg m, struct event *ev)
{
	char name[48] = "other";
	const char *colon = memchr(m.p, ':', m.n);
	if (colon && colon > m.p && (size_t)(colon - m.p) < sizeof name) {
		size_t k = 0;
		for (const char *s = m.p; s < colon; s++) {
			char c = (char)tolower((unsigned char)*s);
			name[k++] = isalnum((unsigned char)c) ? c : '_';
		}
		name[k] = '\0';
	}
	char type[64];
	snprintf(type, sizeof type, "etw.afd.%s", name);
	ev->type = arena_strdup(a, type);
	ev_cstr(ev, "etw.event", ev->type + 8);
	uint64_t ep = 0, u;
	struct msg ept = token_after(m, "Endpoint ");
	bool has_ep = hex_u64(ept, &ep);
	put_tok(ev, a, "etw.afd.endpoint", ept);
	put_tok(ev, a, "etw.afd.process", token_after(m, "Process "));
	if (dec_u64(token_after(m, "Length "), UINT32_MAX, &u))
		ev_int(ev, "etw.afd.length", (int64_t)u);
	if (dec_u64(token_after(m, "Seq "), UINT64_MAX >> 1, &u))
		ev_int(ev, "etw.afd.seq", (int64_t)u);
	struct msg st = token_after(m, "Status ");
	put_tok(ev, a, "etw.status", st);
	put_tok(ev, a, "etw.reason", enum_name(phrase_after(m, "Reason ")));

	struct addr addr;
	uint16_t port = 0;
	struct msg at = token_after(m, "Address ");
	put_tok(ev, a, "etw.afd.address", at);
	bool has_addr = endpoint(at, &addr, &port);
	bool bind = !strncmp(name, "bind", 4);
	bool dgram = find(m, "datagram") != NULL || find(m, "recvfrom") != NULL ||
		     find(m, "sendto") != NULL || find(m, "WSASendMsg") != NULL;
	if (has_ep && has_addr && bind) {
		struct etw_ptr *p = slot(d, ep, true, true);
		p->local = addr;
		p->lport = port;
		p->has_local = true;
	}
	if (!has_addr || bind)
		return;
	/* the Address of a receive or drop is the sender; of a send or connect the peer */
	bool incoming = dgram && !find(m, "sendto") && !find(m, "WSASendMsg") &&
			strncmp(name, "send", 4) != 0;
	const struct etw_ptr *p = has_ep ? slot(d, ep, true, false) : NULL;
	bool local_known = p && p->has_local && !((p->local.family == 4 && !memcmp(p->local.b, "\0\0\0\0", 4)) ||
						  (p->local.family == 6 && !memcmp(p->local.b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16)));
	uint8_t proto = dgram ? 17 : 6;
	if (local_known) {
		if (incoming)
			set_flow(ev, &addr, port, &p->local, p->lport, proto);
		else
			set_flow(ev, &p->local, p->lport, &addr, port, proto);
		return;
	}
	/* one side only: as fields (a flow key needs both ends) */
	ev_addr(ev, incoming ? "ip.src" : "ip.dst", &addr);
	const char *pf = incoming ? (proto == 17 ? "udp.srcport" : "tcp.srcport")
				  : (proto == 17 ? "udp.dstport" : "tcp.dstport");
	ev_int(ev, pf, port);
	if (p && p->has_local)
		ev_int(ev, incoming ? (proto == 17 ? "udp.dstport" : "tcp.dstport")
				    : (proto == 17 ? "udp.srcport" : "tcp.srcport"), p->lport);
}

static bool prov_is(struct msg p, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (p.n == strlen(names[i]) && !strncasecmp(p.p, names[i], p.n))
			return true;
	return false;
}

void etw_decode(struct etw_dec *d, struct arena *a, const char *prov, size_t pn,
		const char *msg, size_t mn, struct event *ev)
{
	static const char *const tcpip[] = { "Microsoft-Windows-TCPIP", "Microsoft_Windows_TCPIP",
					     "TCPIP", NULL };
	static const char *const afd[] = { "Microsoft-Windows-Winsock-AFD", "Microsoft_Windows_Winsock_AFD",
					   "Winsock-AFD", "AFD", NULL };
	struct msg p = { prov, pn }, m = { msg, mn };
	while (m.n && (m.p[m.n - 1] == '\r' || m.p[m.n - 1] == ' '))
		m.n--;
	ev_str(ev, "etw.provider", arena_strndup(a, prov, pn), pn);
	ev->msg = arena_strndup(a, m.p, m.n > 400 ? 400 : m.n);
	if (prov_is(p, tcpip)) {
		decode_tcpip(d, a, m, ev);
	} else if (prov_is(p, afd)) {
		decode_afd(d, a, m, ev);
	} else {
		ev->type = "etw.event";
	}
}
