/*
 * parsers/asa.c - Cisco ASA / PIX / FWSM / FTD syslog messages
 * ("%ASA-<sev>-<id>: text") in any syslog envelope: connection build and
 * teardown, denies, NAT translations and threat detection become fw.* events
 * with the flow 5-tuple; every other message id becomes fw.info with asa.id
 * and the text. Lines without a %ASA mnemonic become syslog.message.
 * Does not: join Built and Teardown by connection id (both carry asa.conn_id;
 * rules join them), or parse message ids other than those listed below.
 * Spec: Cisco ASA Series Syslog Messages; ../shared/formats/firewall-logs.md (c).
 *
 *   302013/302015 Built {inbound|outbound} {TCP|UDP} connection ID for IF:IP/P (MIP/MP)[(user)]
 *                 to IF:IP/P (MIP/MP)[(user)]                         -> fw.accept
 *   302014/302016 Teardown {TCP|UDP} connection ID for IF:IP/P to IF:IP/P duration H:MM:SS
 *                 bytes N [reason] [(user)]                            -> fw.teardown
 *   106015 Deny TCP (no connection) from IP/P to IP/P flags F..  on interface IF -> fw.drop
 *   106023 Deny PROTO src IF:IP[/P] dst IF:IP[/P] [(type N, code N)] by access-group "ACL" -> fw.drop
 *   106100 access-list ACL {permitted|denied|est-allowed} PROTO IF/IP(P) -> IF/IP(P) hit-cnt N ..
 *   305011/305012 {Built|Teardown} {dynamic|static} PROTO translation from IF:IP[/P] to IF:IP[/P]
 *                 [duration H:MM:SS]                                   -> fw.nat
 *   710003 {TCP|UDP} access denied by ACL from IP/P to IF:IP/P         -> fw.drop
 *   733100 [OBJ] drop rate-N exceeded. Current burst rate is N per second, ...  -> fw.threat
 * "inbound": the initiator is the "for" side; "outbound": the "to" side.
 * ASA stamps have no zone (and often no year): --tz, year per syslog_hdr.c.
 */
#include "../correlator/core/parser.h"
#include "syslog_hdr.h"
#include "../correlator/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct asa_state {
	struct syslog_stream s;
};

/* A cursor over the message text. */
struct cur {
	const char *p;
	size_t n, i;
};

static void sp(struct cur *c)
{
	while (c->i < c->n && c->p[c->i] == ' ')
		c->i++;
}

/* Literal s at the cursor (then spaces skipped). */
static bool lit(struct cur *c, const char *s)
{
	size_t k = strlen(s);
	if (c->n - c->i < k || memcmp(c->p + c->i, s, k))
		return false;
	c->i += k;
	sp(c);
	return true;
}

/* A word up to a space (then spaces skipped). */
static bool word(struct cur *c, const char **w, size_t *wn)
{
	size_t s = c->i;
	while (c->i < c->n && c->p[c->i] != ' ')
		c->i++;
	*w = c->p + s;
	*wn = c->i - s;
	sp(c);
	return *wn > 0;
}

static bool is_word(const char *w, size_t wn, const char *s)
{
	return strlen(s) == wn && !strncasecmp(w, s, wn);
}

struct ep {
	const char *ifn; size_t ifl;
	struct addr a;
	uint16_t port;
	bool has_port;
};

/* "[IF:]IP[/PORT]" (need_if: the interface is required); sep is '/' or '('. */
static bool endpoint(const char *w, size_t wn, bool need_if, struct ep *e)
{
	memset(e, 0, sizeof *e);
	const char *colon = memchr(w, ':', wn);
	if (need_if) {
		if (!colon)
			return false;
		e->ifn = w;
		e->ifl = (size_t)(colon - w);
		wn -= e->ifl + 1;
		w = colon + 1;
	}
	const char *slash = NULL;
	for (size_t k = wn; k-- > 0;)
		if (w[k] == '/' || w[k] == '(') {
			slash = w + k;
			break;
		}
	size_t an = slash ? (size_t)(slash - w) : wn;
	if (!addr_parse(w, an, &e->a))
		return false;
	if (slash) {
		size_t pn = wn - an - 1;
		if (pn && slash[0] == '(' && slash[pn] == ')')
			pn--;
		uint64_t v;
		if (!parse_u64(slash + 1, pn, 65535, &v))
			return false;
		e->port = (uint16_t)v;
		e->has_port = true;
	}
	return true;
}

/* "IF/IP(PORT)" of message 106100. */
static bool endpoint_106100(const char *w, size_t wn, struct ep *e)
{
	memset(e, 0, sizeof *e);
	const char *slash = memchr(w, '/', wn);
	const char *lp = memchr(w, '(', wn);
	if (!slash || !lp || lp < slash || w[wn - 1] != ')')
		return false;
	e->ifn = w;
	e->ifl = (size_t)(slash - w);
	if (!addr_parse(slash + 1, (size_t)(lp - slash - 1), &e->a))
		return false;
	uint64_t v;
	if (!parse_u64(lp + 1, (size_t)(w + wn - 1 - lp - 1), 65535, &v))
		return false;
	e->port = (uint16_t)v;
	e->has_port = true;
	return true;
}

/* "H:MM:SS" (hours unbounded) or "Nd..": ns, or -1. */
static int64_t duration(const char *w, size_t wn)
{
	uint64_t part[3];
	size_t k = 0, s = 0;
	for (size_t i = 0; i <= wn; i++) {
		if (i == wn || w[i] == ':') {
			if (k == 3 || !parse_u64(w + s, i - s, 1000000000, &part[k]))
				return -1;
			k++;
			s = i + 1;
		}
	}
	if (k != 3 || part[0] > 1000000 || part[1] > 59 || part[2] > 59)  /* hours: no ns overflow */
		return -1;
	return ((int64_t)part[0] * 3600 + (int64_t)part[1] * 60 + (int64_t)part[2]) * NS_PER_SEC;
}

static void ev_if(struct event *ev, const char *name, const struct ep *e)
{
	if (e->ifl)
		ev_str(ev, name, e->ifn, e->ifl);
}

static void set_flow(struct event *ev, const struct ep *s, const struct ep *d, int proto)
{
	syslog_ev_flow(ev, &s->a, s->port, &d->a, d->port, (uint8_t)proto);
}

/* "(MIP/MP)" optionally followed by "(user)" glued on. */
static bool paren_ep(const char *w, size_t wn, struct ep *e)
{
	if (wn < 3 || w[0] != '(')
		return false;
	const char *close = memchr(w, ')', wn);
	if (!close)
		return false;
	return endpoint(w + 1, (size_t)(close - w - 1), false, e);
}

/* 302013/302015: Built {inbound|outbound} {TCP|UDP} connection ... */
static bool m_built(struct cur *c, struct event *ev)
{
	const char *w, *dir, *pr;
	size_t wn, dirn, prn;
	uint64_t id;
	struct ep f, t, fm, tm;
	if (!lit(c, "Built ") || !word(c, &dir, &dirn) || !word(c, &pr, &prn) || !lit(c, "connection ") ||
	    !word(c, &w, &wn) || !parse_u64(w, wn, UINT64_MAX, &id) || !lit(c, "for ") ||
	    !word(c, &w, &wn) || !endpoint(w, wn, true, &f) || !word(c, &w, &wn) ||
	    !paren_ep(w, wn, &fm))
		return false;
	/* optional "(user)" glued or spaced after the mapped endpoint */
	if (c->i < c->n && c->p[c->i] == '(' )
		word(c, &w, &wn);
	if (!lit(c, "to ") || !word(c, &w, &wn) || !endpoint(w, wn, true, &t) || !word(c, &w, &wn) ||
	    !paren_ep(w, wn, &tm))
		return false;
	int proto = syslog_ip_proto(pr, prn);
	bool inbound = is_word(dir, dirn, "inbound");
	ev->type = "fw.accept";
	ev_cstr(ev, "fw.action", "built");
	ev_int(ev, "asa.conn_id", (int64_t)id);
	ev_str(ev, "fw.direction", dir, dirn);
	ev_if(ev, "fw.interface", inbound ? &f : &t);
	ev_if(ev, "asa.for.interface", &f);
	ev_if(ev, "asa.to.interface", &t);
	ev_addr(ev, "asa.for.mapped_ip", &fm.a);
	ev_int(ev, "asa.for.mapped_port", fm.port);
	ev_addr(ev, "asa.to.mapped_ip", &tm.a);
	ev_int(ev, "asa.to.mapped_port", tm.port);
	const struct ep *real = NULL, *mapped = NULL;
	if (!addr_equal(&f.a, &fm.a) || f.port != fm.port)
		real = &f, mapped = &fm;
	else if (!addr_equal(&t.a, &tm.a) || t.port != tm.port)
		real = &t, mapped = &tm;
	if (real) {
		ev_addr(ev, "nat.real_ip", &real->a);
		ev_int(ev, "nat.real_port", real->port);
		ev_addr(ev, "nat.mapped_ip", &mapped->a);
		ev_int(ev, "nat.mapped_port", mapped->port);
	}
	if (inbound)
		set_flow(ev, &f, &t, proto);
	else
		set_flow(ev, &t, &f, proto);
	return proto == 6 || proto == 17;
}

/* 302014/302016: Teardown {TCP|UDP} connection ID for .. to .. duration D bytes N [reason] [(user)] */
static bool m_teardown(struct cur *c, struct event *ev)
{
	const char *w, *pr;
	size_t wn, prn;
	uint64_t id, bytes;
	struct ep f, t;
	if (!lit(c, "Teardown ") || !word(c, &pr, &prn) || !lit(c, "connection ") ||
	    !word(c, &w, &wn) || !parse_u64(w, wn, UINT64_MAX, &id) || !lit(c, "for ") ||
	    !word(c, &w, &wn) || !endpoint(w, wn, true, &f) || !lit(c, "to ") ||
	    !word(c, &w, &wn) || !endpoint(w, wn, true, &t))
		return false;
	/* the "to" endpoint may carry "(user)" glued on; endpoint() took the port only
	 * if the word ended in digits */
	int64_t dur = -1;
	if (lit(c, "duration ")) {
		if (!word(c, &w, &wn) || (dur = duration(w, wn)) < 0)
			return false;
	}
	bool have_bytes = false;
	if (lit(c, "bytes ")) {
		if (!word(c, &w, &wn) || !parse_u64(w, wn, UINT64_MAX, &bytes))
			return false;
		have_bytes = true;
	}
	/* the rest: reason up to an optional trailing "(user)" */
	size_t s = c->i, e = c->n;
	while (e > s && c->p[e - 1] == ' ')
		e--;
	if (e > s && c->p[e - 1] == ')') {
		size_t k = e;
		while (k > s && c->p[k - 1] != '(')
			k--;
		if (k > s && (k - 1 == s || c->p[k - 2] == ' '))
			e = k - 1;
		while (e > s && c->p[e - 1] == ' ')
			e--;
	}
	int proto = syslog_ip_proto(pr, prn);
	ev->type = "fw.teardown";
	ev_cstr(ev, "fw.action", "teardown");
	ev_int(ev, "asa.conn_id", (int64_t)id);
	ev_if(ev, "asa.for.interface", &f);
	ev_if(ev, "asa.to.interface", &t);
	if (dur >= 0)
		ev_dur(ev, "fw.duration", dur);
	if (have_bytes)
		ev_int(ev, "fw.bytes", (int64_t)bytes);
	if (e > s)
		ev_str(ev, "fw.reason", c->p + s, e - s);
	set_flow(ev, &f, &t, proto);
	return proto == 6 || proto == 17;
}

/* 106015: Deny TCP (no connection) from IP/P to IP/P flags F...  on interface IF */
static bool m_106015(struct cur *c, struct event *ev)
{
	const char *w;
	size_t wn;
	struct ep f, t;
	if (!lit(c, "Deny TCP (no connection) from ") || !word(c, &w, &wn) || !endpoint(w, wn, false, &f) ||
	    !lit(c, "to ") || !word(c, &w, &wn) || !endpoint(w, wn, false, &t) || !lit(c, "flags "))
		return false;
	unsigned flags = 0;
	while (c->i < c->n && !lit(c, "on interface ")) {
		word(c, &w, &wn);
		flags |= syslog_tcp_flag(w, wn);
	}
	ev->type = "fw.drop";
	ev_cstr(ev, "fw.action", "deny");
	ev_cstr(ev, "fw.reason", "no connection");
	if (c->i < c->n)
		ev_str(ev, "fw.interface", c->p + c->i, c->n - c->i);
	set_flow(ev, &f, &t, 6);
	syslog_ev_tcp_flags(ev, flags);
	return true;
}

/* 106023: Deny PROTO src IF:IP[/P] dst IF:IP[/P] [(type N, code N)] by access-group "ACL" [..] */
static bool m_106023(struct cur *c, struct event *ev)
{
	const char *w, *pr;
	size_t wn, prn;
	struct ep f, t;
	if (!lit(c, "Deny ") || !word(c, &pr, &prn))
		return false;
	int proto;
	if (is_word(pr, prn, "protocol")) {
		if (!word(c, &pr, &prn))
			return false;
	}
	proto = syslog_ip_proto(pr, prn);
	if (proto < 0 || !lit(c, "src ") || !word(c, &w, &wn) || !endpoint(w, wn, true, &f) ||
	    !lit(c, "dst ") || !word(c, &w, &wn) || !endpoint(w, wn, true, &t))
		return false;
	if (lit(c, "(type ")) {
		uint64_t ty, co;
		if (!word(c, &w, &wn) || !wn || !parse_u64(w, wn - 1, 255, &ty) || !lit(c, "code ") ||
		    !word(c, &w, &wn) || !wn || !parse_u64(w, wn - 1, 255, &co))
			return false;
		ev_int(ev, "icmp.type", (int64_t)ty);
		ev_int(ev, "icmp.code", (int64_t)co);
	}
	if (!lit(c, "by access-group "))
		return false;
	const char *q = c->p + c->i;
	size_t qn = c->n - c->i;
	if (qn >= 2 && q[0] == '"') {
		const char *e = memchr(q + 1, '"', qn - 1);
		if (!e)
			return false;
		ev_str(ev, "fw.rule", q + 1, (size_t)(e - q - 1));
	}
	ev->type = "fw.drop";
	ev_cstr(ev, "fw.action", "deny");
	ev_cstr(ev, "fw.reason", "access-group");
	ev_if(ev, "fw.interface", &f);
	set_flow(ev, &f, &t, proto);
	return true;
}

/* 106100: access-list ACL {permitted|denied|est-allowed} PROTO IF/IP(P) -> IF/IP(P) hit-cnt N ... */
static bool m_106100(struct cur *c, struct event *ev)
{
	const char *w, *acl, *act, *pr;
	size_t wn, acln, actn, prn;
	struct ep f, t;
	if (!lit(c, "access-list ") || !word(c, &acl, &acln) || !word(c, &act, &actn) || !word(c, &pr, &prn) ||
	    !word(c, &w, &wn) || !endpoint_106100(w, wn, &f) || !lit(c, "-> ") || !word(c, &w, &wn) ||
	    !endpoint_106100(w, wn, &t))
		return false;
	int proto = syslog_ip_proto(pr, prn);
	if (proto < 0)
		return false;
	uint64_t hits;
	if (lit(c, "hit-cnt ") && word(c, &w, &wn) && parse_u64(w, wn, UINT64_MAX, &hits))
		ev_int(ev, "asa.hit_count", (int64_t)hits);
	bool deny = is_word(act, actn, "denied");
	ev->type = deny ? "fw.drop" : "fw.accept";
	ev_str(ev, "fw.action", act, actn);
	ev_str(ev, "fw.rule", acl, acln);
	ev_if(ev, "fw.interface", &f);
	set_flow(ev, &f, &t, proto);
	return true;
}

/* 305011/305012: {Built|Teardown} {dynamic|static} PROTO translation from IF:IP[/P] to IF:IP[/P] */
static bool m_nat(struct cur *c, struct event *ev, bool built)
{
	const char *w, *kind, *pr;
	size_t wn, kindn, prn;
	struct ep r, m;
	if (!lit(c, built ? "Built " : "Teardown ") || !word(c, &kind, &kindn) || !word(c, &pr, &prn) ||
	    !lit(c, "translation from ") || !word(c, &w, &wn) || !endpoint(w, wn, true, &r) ||
	    !lit(c, "to ") || !word(c, &w, &wn) || !endpoint(w, wn, true, &m))
		return false;
	int proto = syslog_ip_proto(pr, prn);
	ev->type = "fw.nat";
	ev_cstr(ev, "fw.action", built ? "built" : "teardown");
	ev_str(ev, "nat.type", kind, kindn);
	if (proto >= 0)
		ev_int(ev, "ip.proto", proto);
	ev_if(ev, "nat.real_interface", &r);
	ev_addr(ev, "nat.real_ip", &r.a);
	if (r.has_port)
		ev_int(ev, "nat.real_port", r.port);
	ev_if(ev, "nat.mapped_interface", &m);
	ev_addr(ev, "nat.mapped_ip", &m.a);
	if (m.has_port)
		ev_int(ev, "nat.mapped_port", m.port);
	if (!built && lit(c, "duration ")) {
		int64_t d;
		if (word(c, &w, &wn) && (d = duration(w, wn)) >= 0)
			ev_dur(ev, "fw.duration", d);
	}
	return true;
}

/* 710003: {TCP|UDP} access denied by ACL from IP/P to IF:IP/P */
static bool m_710003(struct cur *c, struct event *ev)
{
	const char *w, *pr;
	size_t wn, prn;
	struct ep f, t;
	if (!word(c, &pr, &prn) || !lit(c, "access denied by ACL from ") || !word(c, &w, &wn) ||
	    !endpoint(w, wn, false, &f) || !lit(c, "to ") || !word(c, &w, &wn) || !endpoint(w, wn, true, &t))
		return false;
	int proto = syslog_ip_proto(pr, prn);
	if (proto < 0)
		return false;
	ev->type = "fw.drop";
	ev_cstr(ev, "fw.action", "deny");
	ev_cstr(ev, "fw.reason", "access denied by ACL (to the device)");
	ev_if(ev, "fw.interface", &t);
	set_flow(ev, &f, &t, proto);
	return true;
}

static bool num_after(const char *p, size_t n, const char *key, const char *name, struct event *ev)
{
	const char *k = memmem(p, n, key, strlen(key));
	if (!k)
		return false;
	size_t i = (size_t)(k - p) + strlen(key), s = i;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++;
	uint64_t v;
	if (!parse_u64(p + s, i - s, UINT64_MAX, &v))
		return false;
	ev_int(ev, name, (int64_t)v);
	return true;
}

/* 733100: [ OBJ] drop rate-N exceeded. Current burst rate is N per second, ... */
static bool m_733100(struct cur *c, struct event *ev)
{
	const char *p = c->p + c->i;
	size_t n = c->n - c->i;
	if (!n || p[0] != '[')
		return false;
	const char *e = memchr(p, ']', n);
	if (!e)
		return false;
	const char *o = p + 1;
	size_t on = (size_t)(e - o);
	while (on && *o == ' ')
		o++, on--;
	while (on && o[on - 1] == ' ')
		on--;
	ev->type = "fw.threat";
	ev_str(ev, "asa.threat.object", o, on);
	struct addr a;
	if (addr_parse(o, on, &a))
		ev_addr(ev, "ip.src", &a);
	const char *r = memmem(e, n - (size_t)(e - p), "drop ", 5);
	if (r) {
		const char *x = memchr(r + 5, ' ', n - (size_t)(r + 5 - p));
		if (x)
			ev_str(ev, "asa.threat.rate", r + 5, (size_t)(x - r - 5));
	}
	num_after(p, n, "Current burst rate is ", "asa.threat.burst_rate", ev);
	num_after(p, n, "Current average rate is ", "asa.threat.average_rate", ev);
	num_after(p, n, "Cumulative total count is ", "asa.threat.total", ev);
	ev_str(ev, "fw.reason", o, on);
	return true;
}

/* "%ASA-6-302013: " at the start of msg (or after a device id): id, severity, text. */
static bool mnemonic(const char *m, size_t n, unsigned *sev, unsigned *id, size_t *text)
{
	const char *pct = memchr(m, '%', n < 128 ? n : 128);
	if (!pct)
		return false;
	size_t i = (size_t)(pct - m) + 1;
	size_t s = i;
	while (i < n && ((m[i] >= 'A' && m[i] <= 'Z')))
		i++;
	if (i - s < 3 || i + 2 >= n || m[i] != '-' || m[i + 1] < '0' || m[i + 1] > '7' || m[i + 2] != '-')
		return false;
	*sev = (unsigned)(m[i + 1] - '0');
	i += 3;
	s = i;
	while (i < n && m[i] >= '0' && m[i] <= '9')
		i++;
	uint64_t v;
	if (i - s != 6 || !parse_u64(m + s, 6, 999999, &v) || i >= n || m[i] != ':')
		return false;
	*id = (unsigned)v;
	i++;
	while (i < n && m[i] == ' ')
		i++;
	*text = i;
	return true;
}

static bool asa_match(const char *m, size_t n)
{
	unsigned sev, id;
	size_t t;
	return mnemonic(m, n, &sev, &id, &t);
}

static int asa_sniff(const uint8_t *head, size_t len)
{
	unsigned nlines, nmatch;
	unsigned good = syslog_sniff(head, len, asa_match, &nlines, &nmatch);
	if (nmatch == 0 || good * 2 < nlines)
		return 0;
	return nmatch * 4 >= good ? 90 : 60;
}

static int asa_open(struct source *src, const char *path, void **state)
{
	src->ts_resolution = NS_PER_SEC;  /* its times are whole seconds */
	struct asa_state *st = xcalloc(1, sizeof *st);
	if (syslog_stream_open(&st->s, src, path, "asa") != 0) {
		free(st);
		return -1;
	}
	*state = st;
	return 0;
}

bool asa_body(struct syslog_stream *ss, struct event *ev, pr_status *rcp)
{
	const struct syslog_hdr *h = &ss->hdr;
	unsigned sev, id;
	size_t ti;
	if (!mnemonic(h->msg, h->msg_len, &sev, &id, &ti))
		return false;
	*rcp = PR_EVENT;
	struct cur c = { h->msg, h->msg_len, ti };
	const char *text = h->msg + ti;
	size_t textn = h->msg_len - ti;
	ev_int(ev, "asa.id", id);
	ev_int(ev, "asa.severity", sev);
	uint16_t base = ev->nfields;
	bool known = true, ok;
	switch (id) {
	case 302013: case 302015: ok = m_built(&c, ev); break;
	case 302014: case 302016: ok = m_teardown(&c, ev); break;
	case 106015: ok = m_106015(&c, ev); break;
	case 106023: ok = m_106023(&c, ev); break;
	case 106100: ok = m_106100(&c, ev); break;
	case 305011: ok = m_nat(&c, ev, true); break;
	case 305012: ok = m_nat(&c, ev, false); break;
	case 710003: ok = m_710003(&c, ev); break;
	case 733100: ok = m_733100(&c, ev); break;
	default: known = false; ok = true; break;
	}
	if (!ok) {
		/* a known id whose text does not follow its pattern: keep it as info, say so */
		source_warn(ss->src, ev->ref, "asa: message %06u does not match its documented pattern; kept as fw.info", id);
		ev->nfields = base;
		ev->flags &= ~(uint32_t)EV_HAS_FLOW;
		known = false;
	}
	if (!known)
		ev->type = "fw.info";
	ev_str(ev, "asa.text", text, textn);
	if (h->host_len)
		ev_str(ev, "syslog.host", h->host, h->host_len);
	char idtxt[12] = "ASA 000000: ";
	for (int k = 9; k >= 4; k--, id /= 10)
		idtxt[k] = (char)('0' + id % 10);
	size_t o = syslog_msg_str(ss->msgbuf, sizeof ss->msgbuf, 0, idtxt, sizeof idtxt);
	syslog_msg_str(ss->msgbuf, sizeof ss->msgbuf, o, text, textn);
	ev->msg = ss->msgbuf;
	return true;
}

static pr_status asa_next(void *state, struct event *ev)
{
	struct asa_state *st = state;
	pr_status rc = syslog_stream_next(&st->s, ev);
	if (rc != PR_EVENT)
		return rc;
	return syslog_stream_map(&st->s, ev, asa_body);
}

static void asa_close(void *state)
{
	struct asa_state *st = state;
	if (!st)
		return;
	syslog_stream_close(&st->s);
	free(st);
}

const struct parser parser_asa = {
	.api_version = PARSER_API_VERSION,
	.name = "asa",
	.summary = "Cisco ASA / PIX / FWSM syslog (%ASA-sev-id: connections, denies, NAT, threats)",
	.sniffs = "syslog lines whose body starts with %ASA-n-nnnnnn: (or %PIX-, %FWSM-, %FTD-)",
	.sniff = asa_sniff,
	.open = asa_open,
	.next_event = asa_next,
	.close = asa_close,
};
