/*
 * tests/unit/an_harness.c - analyzer test driver (see an_harness.h).
 */
#include "an_harness.h"
#include "../../correlator/core/util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void collect(void *ctx, const struct event *ev)
{
	struct harness *h = ctx;
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->got = xrealloc(h->got, h->cap * sizeof *h->got);
	}
	h->got[h->n++] = event_copy(&h->arena, ev);
}

void h_init(struct harness *h, const struct analyzer *an, size_t nsources, size_t max_sessions)
{
	memset(h, 0, sizeof *h);
	h->an = an;
	run_options_default(&h->run.opt);
	if (max_sessions)
		h->run.opt.max_sessions = max_sessions;
	h->run.nsources = nsources;
	arena_init(&h->arena, 1 << 16);
	h->sink = (struct sink){ .ctx = h, .event = collect };
	h->out = emit_new(&h->sink, 1);
	h->st = an->create(&h->run);
}

void h_fini(struct harness *h)
{
	if (h->st)
		h->an->destroy(h->st);
	emit_free(h->out);
	arena_free(&h->arena);
	free(h->got);
}

void h_tick(struct harness *h, int64_t now)
{
	if (h->an->tick)
		h->an->tick(h->st, now, h->out);
}

void h_feed(struct harness *h, const struct pkt *p, int64_t ts, uint16_t source, uint64_t ref)
{
	h_tick(h, ts);
	event_reset(&h->ev);
	h->ev.ts = h->ev.ts_raw = ts;
	h->ev.source = source;
	h->ev.ref = ref;
	pkt_to_event(p, &h->ev);
	h->an->event(h->st, &h->ev, h->out);
}

void h_finish(struct harness *h)
{
	if (h->an->finish)
		h->an->finish(h->st, h->out);
}

size_t h_count(const struct harness *h, const char *type)
{
	size_t n = 0;
	for (size_t i = 0; i < h->n; i++)
		n += !strcmp(h->got[i]->type, type);
	return n;
}

const struct event *h_nth(const struct harness *h, const char *type, size_t n)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->got[i]->type, type) && n-- == 0)
			return h->got[i];
	ck_abort_msg("no %s event #%zu", type, n);
	return NULL;
}

int64_t h_int(const struct event *ev, const char *name)
{
	const struct value *v = event_get(ev, name);
	ck_assert_msg(v != NULL, "%s has no field %s", ev->type, name);
	ck_assert_msg(v->type == V_INT || v->type == V_BOOL || v->type == V_DUR, "%s.%s not a number",
		      ev->type, name);
	return v->u.i;
}

const char *h_str(const struct event *ev, const char *name)
{
	static char buf[1024];
	const struct value *v = event_get(ev, name);
	ck_assert_msg(v != NULL && v->type == V_STR, "%s has no string field %s", ev->type, name);
	snprintf(buf, sizeof buf, "%.*s", (int)v->u.s.n, v->u.s.p);
	return buf;
}

const char *h_addr(const struct event *ev, const char *name)
{
	static char buf[64];
	const struct value *v = event_get(ev, name);
	ck_assert_msg(v != NULL && v->type == V_ADDR, "%s has no address field %s", ev->type, name);
	addr_format(&v->u.a, buf, sizeof buf);
	return buf;
}

static void ip(struct pkt *p, const char *src, const char *dst, uint8_t proto)
{
	ck_assert(addr_parse(src, strlen(src), &p->src));
	ck_assert(addr_parse(dst, strlen(dst), &p->dst));
	p->ipver = p->src.family;
	p->layers |= PKT_ETH | (p->ipver == 4 ? PKT_IP4 : PKT_IP6);
	p->ip_proto = proto;
	p->ttl = 64;
	p->ifindex = -1;
	p->l4_cksum = -1;
	p->ip_cksum = -1;
	p->mss = -1;
	p->wscale = -1;
}

struct pkt h_udp(const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	struct pkt p = { 0 };
	ip(&p, src, dst, 17);
	p.layers |= PKT_UDP;
	p.sport = sport;
	p.dport = dport;
	p.udp_len = 8 + 32;
	p.l4_len = 32;
	p.ip_len = (p.ipver == 4 ? 20 : 40) + p.udp_len;
	p.wirelen = p.caplen = 14 + p.ip_len;
	return p;
}

struct pkt h_dns(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint16_t id,
		 const char *qname, int response, uint8_t rcode)
{
	struct pkt p = h_udp(src, sport, dst, dport);
	p.layers |= PKT_DNS;
	p.dns.id = id;
	p.dns.response = response != 0;
	p.dns.rcode = rcode;
	p.dns.qdcount = 1;
	p.dns.qtype = 1;
	snprintf(p.dns.qname, sizeof p.dns.qname, "%s", qname);
	return p;
}

struct pkt h_esp(const char *src, const char *dst, uint32_t spi, uint32_t seq)
{
	struct pkt p = { 0 };
	ip(&p, src, dst, 50);
	p.layers |= PKT_ESP;
	p.esp_spi = spi;
	p.esp_seq = seq;
	p.ip_len = (p.ipver == 4 ? 20 : 40) + 100;
	p.wirelen = p.caplen = 14 + p.ip_len;
	return p;
}

struct pkt h_arp(uint16_t op, const char *spa, const char *tpa)
{
	struct pkt p = { 0 };
	p.ifindex = -1;
	p.layers = PKT_ETH | PKT_ARP;
	p.ethertype = 0x0806;
	p.arp_op = op;
	ck_assert(addr_parse(spa, strlen(spa), &p.arp_spa));
	ck_assert(addr_parse(tpa, strlen(tpa), &p.arp_tpa));
	p.wirelen = p.caplen = 42;
	return p;
}

struct pkt h_tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint16_t flags)
{
	struct pkt p = { 0 };
	ip(&p, src, dst, 6);
	p.layers |= PKT_TCP;
	p.sport = sport;
	p.dport = dport;
	p.tcp_flags = flags;
	p.win = 8192;
	p.ip_len = (p.ipver == 4 ? 20 : 40) + 20;
	p.wirelen = p.caplen = 14 + p.ip_len;
	return p;
}
