/*
 * correlator/analyze/an_udp.c - the UDP analyzer: pairs requests with responses per
 * 5-tuple (at each source separately) and reports
 *   udp.unanswered               a request with no response within 2 s, at
 *                                the deadline, citing the request
 *   udp.reply_from_other_address a response that comes back from another
 *                                address of the same network (/24, /64) or
 *                                from another port than the request went to,
 *                                citing the response and (cite) the request;
 *                                fields expected_addr, actual_addr,
 *                                expected_port, actual_port, request_ref
 * Pairing by service:
 *   dns      (port 53)   a query is a request; the response must carry its id
 *                        and question. Unanswered queries are left to the dns
 *                        analyzer (dns.unanswered), not reported twice.
 *   browser  (SQL Server Browser, UDP 1434) every datagram to 1434 is a request
 *                        (client retries count one by one); the reply must
 *                        come from port 1434.
 *   generic  the first datagram of a new 5-tuple is a request; any datagram
 *                        the other way answers it.
 * Replies from another address are matched by the client's address and port
 * (the reply's destination) against its pending requests: the cluster case,
 * where a client asks a virtual IP and the node answers from its own IP.
 * Does not: pair requests sent to broadcast or multicast addresses (answers
 * come from anywhere; an IPv4 .255 destination counts as a broadcast), or well-known one-way streams (syslog, SNMP traps,
 * NetFlow/IPFIX/sFlow, VXLAN, UDP-encapsulated ESP).
 * Spec: RFC 768; SQL Server Browser: [MC-SQLR] (SSRP).
 */
#include "an_common.h"
#include "../core/analyzer.h"
#include "../core/flowtab.h"
#include "pendq.h"
#include "../core/run.h"
#include "../core/util.h"
#include "../core/pkt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UDP_TIMEOUT (2 * NS_PER_SEC)
#define UDP_FLOW_IDLE (120 * NS_PER_SEC)  /* a typical firewall UDP timeout */
#define UDP_PEND 8                        /* pending requests remembered per flow / client */

enum service { SVC_GENERIC, SVC_DNS, SVC_BROWSER };
static const char *const service_name[] = { "udp", "dns", "sql-browser" };

struct upend {
	struct an_cause req;
	struct addr client, server;
	uint16_t cport, sport;
	uint8_t service;
	bool group;           /* sent to a broadcast/multicast address: any answer goes */
	uint16_t dns_id;
	uint64_t qhash;
};

struct uflow {
	uint16_t source;
	bool reply_flow;      /* carries replies from another address */
	pendq_handle pend[UDP_PEND];
};

struct uclient {
	uint16_t source;
	pendq_handle pend[UDP_PEND];
};

struct udp_state {
	const struct run *run;
	struct flowtab *flows, *clients;
	struct pendq *pq;
	int64_t timeout;
	size_t nsources;
	uint64_t *cap_flows, *cap_pending;
	struct event ev;
	char msg[320];
	char cite[96];
};

static void on_evict(void *ctx, const struct flow *key, void *data, bool by_cap)
{
	struct udp_state *s = ctx;
	const struct uflow *f = data;
	if (by_cap && f->source < s->nsources)
		s->cap_flows[f->source]++;
}

static void *udp_create(const struct run *run)
{
	struct udp_state *s = xcalloc(1, sizeof *s);
	s->run = run;
	s->timeout = UDP_TIMEOUT;
	size_t cap = run->opt.max_sessions;
	s->flows = flowtab_new(sizeof(struct uflow), cap, UDP_FLOW_IDLE, on_evict, s);
	s->clients = flowtab_new(sizeof(struct uclient), cap, 2 * UDP_TIMEOUT, NULL, NULL);
	s->pq = pendq_new(sizeof(struct upend), cap);
	s->nsources = run->nsources ? run->nsources : 1;
	s->cap_flows = xcalloc(s->nsources, sizeof *s->cap_flows);
	s->cap_pending = xcalloc(s->nsources, sizeof *s->cap_pending);
	return s;
}

static bool one_way_port(uint16_t p)
{
	static const uint16_t ports[] = { 514, 162, 2055, 9995, 9996, 4739, 6343, 4789, 4500, 5353, 5355, 1900 };
	for (size_t i = 0; i < ARRAY_LEN(ports); i++)
		if (p == ports[i])
			return true;
	return false;
}

static void hold(pendq_handle *v, pendq_handle h)
{
	for (size_t i = 0; i < UDP_PEND; i++)
		if (!v[i]) {
			v[i] = h;
			return;
		}
	memmove(v, v + 1, (UDP_PEND - 1) * sizeof *v);  /* oldest reference goes; it still times out */
	v[UDP_PEND - 1] = h;
}

static struct flow client_key(const struct addr *a, uint16_t port)
{
	struct flow k = { .src = *a, .sport = port, .proto = 17 };
	k.dst.family = a->family;
	return k;
}

struct dgram {
	const struct event *ev;
	struct flow f;
	bool group;           /* sent to many: broadcast or multicast */
	bool dns, dns_resp;
	uint16_t dns_id;
	uint64_t qhash;
};

static void add_request(struct udp_state *s, const struct dgram *d, struct uflow *fl,
			enum service svc)
{
	struct upend *p;
	pendq_handle h = pendq_add(s->pq, d->ev->ts + s->timeout, (void **)&p);
	if (!h) {
		if (d->ev->source < s->nsources)
			s->cap_pending[d->ev->source]++;
		return;
	}
	an_cause_save(&p->req, d->ev);
	p->client = d->f.src;
	p->cport = d->f.sport;
	p->server = d->f.dst;
	p->sport = d->f.dport;
	p->service = (uint8_t)svc;
	p->dns_id = d->dns_id;
	p->qhash = d->qhash;
	p->group = d->group;
	hold(fl->pend, h);
	struct flow k = client_key(&d->f.src, d->f.sport);
	struct uclient *c = flowtab_get(s->clients, &k, d->ev->source, d->ev->ts, true, NULL, NULL);
	c->source = d->ev->source;
	hold(c->pend, h);
}

/* Does datagram d answer pending request p (service rules only, not addresses)? */
static bool answers(const struct upend *p, const struct dgram *d)
{
	switch (p->service) {
	case SVC_DNS:
		return d->dns && d->dns_resp && d->dns_id == p->dns_id && d->qhash == p->qhash;
	case SVC_BROWSER:
		return d->f.sport == 1434;
	default:
		return true;
	}
}

static void build_other(struct udp_state *s, const struct dgram *d, const struct upend *p)
{
	struct event *ev = &s->ev;
	analysis_init(ev, d->ev, "udp.reply_from_other_address");
	ev_addr(ev, "expected_addr", &p->server);
	ev_addr(ev, "actual_addr", &d->f.src);
	ev_int(ev, "expected_port", p->sport);
	ev_int(ev, "actual_port", d->f.sport);
	ev_int(ev, "request_ref", (int64_t)p->req.ref);
	ev_cstr(ev, "service", service_name[p->service]);
	ev_dur(ev, "delay", d->ev->ts - p->req.ts);
	size_t cl = 0;
	s->cite[0] = 0;
	an_cite(s->cite, sizeof s->cite, &cl, p->req.ref, p->req.file, p->req.ts, "[udp] the request");
	ev_cstr(ev, "cite", s->cite);
	char e[64], a[64], c[64];
	addr_format(&p->server, e, sizeof e);
	addr_format(&d->f.src, a, sizeof a);
	addr_format(&p->client, c, sizeof c);
	snprintf(s->msg, sizeof s->msg,
		 "%s reply to %s:%u came from %s:%u, but the request (#%" PRIu64 ") went to %s:%u",
		 service_name[p->service], c, p->cport, a, d->f.sport, p->req.ref, e, p->sport);
	ev->msg = s->msg;
}

/* A datagram from another address or port than asked: match it to a pending
 * request of the client it goes to. */
static bool match_other(struct udp_state *s, const struct dgram *d, struct emit *out)
{
	struct flow k = client_key(&d->f.dst, d->f.dport);
	struct uclient *c = flowtab_get(s->clients, &k, d->ev->source, d->ev->ts, false, NULL, NULL);
	if (!c)
		return false;
	for (size_t i = 0; i < UDP_PEND; i++) {
		struct upend *p = c->pend[i] ? pendq_get(s->pq, c->pend[i]) : NULL;
		if (!p)
			continue;
		if (p->group) {
			/* asked everybody: whoever answers is expected (and more
			 * may still answer, so the request stays) */
			if (answers(p, d))
				return true;
			continue;
		}
		bool same_addr = addr_equal(&p->server, &d->f.src);
		if (same_addr ? p->sport == d->f.sport : !an_same_net(&p->server, &d->f.src))
			continue;
		if (!answers(p, d))
			continue;
		build_other(s, d, p);
		emit_event(out, &s->ev);
		pendq_remove(s->pq, c->pend[i]);
		c->pend[i] = 0;
		return true;
	}
	return false;
}

static void udp_event(void *st, const struct event *ev, struct emit *out)
{
	struct udp_state *s = st;
	if (!(ev->flags & EV_HAS_FLOW) || ev->flow.proto != 17)
		return;
	const struct pkt *p = ev->pkt;
	struct dgram d = { .ev = ev, .f = ev->flow };
	if (p) {
		if (!(p->layers & PKT_UDP) || (p->layers & (PKT_FRAG | PKT_ESP)))
			return;
		if (p->layers & PKT_DNS) {
			d.dns = true;
			d.dns_resp = p->dns.response;
			d.dns_id = p->dns.id;
			d.qhash = an_hash(p->dns.qname, strlen(p->dns.qname));
		}
	} else {
		if (strcmp(ev->type, "udp") && strcmp(ev->type, "dns.query") && strcmp(ev->type, "dns.response"))
			return;
		int64_t v;
		if (event_get_int(ev, "dns.id", &v)) {
			d.dns = true;
			d.dns_id = (uint16_t)v;
			d.dns_resp = event_get_int(ev, "dns.flags.response", &v) && v;
			const struct value *q = event_get(ev, "dns.qry.name");
			d.qhash = q && q->type == V_STR ? an_hash(q->u.s.p, q->u.s.n) : an_hash("", 0);
		}
	}
	if (!d.f.sport || !d.f.dport || one_way_port(d.f.sport) || one_way_port(d.f.dport))
		return;
	/* Broadcast: the Ethernet group bit when the frame has one; without it,
	 * IPv4 .255 is taken for a subnet broadcast (true for /24 and longer) */
	d.group = an_addr_is_group(&d.f.dst) ||
		  (p && (p->layers & PKT_ETH) && (p->eth_dst[0] & 1)) ||
		  (d.f.dst.family == 4 && d.f.dst.b[3] == 255);

	bool created, reversed;
	struct uflow *fl = flowtab_get(s->flows, &d.f, ev->source, ev->ts, true, &created, &reversed);
	if (created)
		fl->source = ev->source;
	if (reversed) {
		/* the other way on the same 5-tuple: answers what it matches */
		for (size_t i = 0; i < UDP_PEND; i++) {
			struct upend *q = fl->pend[i] ? pendq_get(s->pq, fl->pend[i]) : NULL;
			if (q && answers(q, &d)) {
				bool one = q->service == SVC_DNS;  /* one query, one response */
				pendq_remove(s->pq, fl->pend[i]);
				fl->pend[i] = 0;
				if (one)
					break;
			}
		}
		return;
	}
	if (!d.group && !(d.dns && !d.dns_resp) && d.f.dport != 1434 &&
	    match_other(s, &d, out)) {
		fl->reply_flow = true;
		return;
	}
	if (fl->reply_flow)
		return;
	if (d.group) {
		/* remembered so that the replies are taken as replies */
		if (created)
			add_request(s, &d, fl, SVC_GENERIC);
		return;
	}
	if (d.f.dport == 53 || (d.dns && !d.dns_resp && d.f.sport != 53)) {
		if (d.dns && !d.dns_resp)
			add_request(s, &d, fl, SVC_DNS);
	} else if (d.f.dport == 1434) {
		add_request(s, &d, fl, SVC_BROWSER);
	} else if (d.f.sport == 53 || d.f.sport == 1434) {
		/* a response whose request this source did not see */
	} else if (created) {
		add_request(s, &d, fl, SVC_GENERIC);
	}
}

static void emit_unanswered(struct udp_state *s, const struct upend *p, int64_t deadline,
			    struct emit *out)
{
	if (p->service == SVC_DNS || p->group)
		return;  /* dns.unanswered comes from the dns analyzer; a group
			  * request need not be answered */
	struct event *ev = &s->ev;
	an_cause_init(ev, &p->req, "udp.unanswered", deadline);
	ev_addr(ev, "ip.src", &p->client);
	ev_addr(ev, "ip.dst", &p->server);
	ev_int(ev, "udp.srcport", p->cport);
	ev_int(ev, "udp.dstport", p->sport);
	ev_cstr(ev, "service", service_name[p->service]);
	ev_dur(ev, "timeout", s->timeout);
	char c[64], v[64], t[32];
	addr_format(&p->client, c, sizeof c);
	addr_format(&p->server, v, sizeof v);
	format_duration(s->timeout, t, sizeof t);
	snprintf(s->msg, sizeof s->msg, "%s request %s:%u -> %s:%u (#%" PRIu64 ") got no reply within %s",
		 p->service == SVC_BROWSER ? "SQL Server Browser" : "UDP", c, p->cport, v, p->sport,
		 p->req.ref, t);
	ev->msg = s->msg;
	emit_event(out, ev);
}

static void udp_tick(void *st, int64_t now, struct emit *out)
{
	struct udp_state *s = st;
	struct upend p;
	int64_t deadline;
	while (pendq_pop_due(s->pq, now, &p, &deadline))
		emit_unanswered(s, &p, deadline, out);
	flowtab_expire(s->flows, now);
	flowtab_expire(s->clients, now);
}

static void udp_finish(void *st, struct emit *out)
{
	struct udp_state *s = st;
	struct upend p;
	int64_t deadline;
	while (pendq_pop_any(s->pq, &p, &deadline))
		emit_unanswered(s, &p, deadline, out);
	for (size_t i = 0; i < s->nsources; i++) {
		an_note_cap(s->run, (uint16_t)i, "udp", s->cap_flows[i], "flows evicted", s->run->opt.max_sessions);
		an_note_cap(s->run, (uint16_t)i, "udp", s->cap_pending[i], "requests not tracked",
			    s->run->opt.max_sessions);
	}
}

static void udp_destroy(void *st)
{
	struct udp_state *s = st;
	flowtab_free(s->flows);
	flowtab_free(s->clients);
	pendq_free(s->pq);
	free(s->cap_flows);
	free(s->cap_pending);
	free(s);
}

const struct analyzer analyzer_udp = {
	.name = "udp",
	.emits = "udp",
	.summary = "UDP request/response pairing: unanswered requests, replies from another address",
	.create = udp_create,
	.event = udp_event,
	.tick = udp_tick,
	.finish = udp_finish,
	.destroy = udp_destroy,
};
