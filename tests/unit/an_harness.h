/*
 * tests/unit/an_harness.h - drive one analyzer by hand: build decoded packets
 * (struct pkt, as the capture readers fill it), turn them into events with
 * pkt_to_event(), run tick() and event() in pipeline order, and keep a copy
 * of every analysis event emitted for the test to inspect.
 * Not part of the program: linked into the unit tests only.
 */
#ifndef TESTS_AN_HARNESS_H
#define TESTS_AN_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "../../correlator/core/analyzer.h"
#include "../../correlator/core/arena.h"
#include "../../correlator/core/pipeline.h"
#include "../../correlator/core/run.h"
#include "../../parsers/decode/packet.h"

struct harness {
	const struct analyzer *an;
	void *st;
	struct run run;
	struct sink sink;
	struct emit *out;
	struct arena arena;
	struct event **got;
	size_t n, cap;
	struct event ev;
};

/* nsources sources (no files), max_sessions as the cap (0 = the default). */
void h_init(struct harness *h, const struct analyzer *an, size_t nsources, size_t max_sessions);
void h_fini(struct harness *h);  /* destroys the analyzer and the copies */

/* tick(ts) then event() for the packet, as the pipeline does. */
void h_feed(struct harness *h, const struct pkt *p, int64_t ts, uint16_t source, uint64_t ref);
void h_tick(struct harness *h, int64_t now);
void h_finish(struct harness *h);

size_t h_count(const struct harness *h, const char *type);
/* The n-th (0-based) emitted event of that type; fails the test if absent. */
const struct event *h_nth(const struct harness *h, const char *type, size_t n);
/* An integer field; fails the test if absent. */
int64_t h_int(const struct event *ev, const char *name);
/* A string field as a NUL-terminated copy in a static buffer. */
const char *h_str(const struct event *ev, const char *name);
/* An address field formatted, in a static buffer. */
const char *h_addr(const struct event *ev, const char *name);

/* Packets. Addresses are text ("10.0.0.1", "2001:db8::1"). */
struct pkt h_udp(const char *src, uint16_t sport, const char *dst, uint16_t dport);
struct pkt h_dns(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint16_t id,
		 const char *qname, int response, uint8_t rcode);
struct pkt h_esp(const char *src, const char *dst, uint32_t spi, uint32_t seq);
struct pkt h_arp(uint16_t op, const char *spa, const char *tpa);
/* A TCP segment without payload; flags as in the TCP header (0x04 RST). */
struct pkt h_tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint16_t flags);

#endif
