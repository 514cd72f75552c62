/*
 * parsers/decode/ipfrag.h - IPv4 and IPv6 fragment reassembly for capture readers.
 * Holds a bounded number of chains, each with a bounded buffer; chains that
 * time out or exceed a bound are dropped and counted.
 * Does not: decode anything above IP (packet.c does), resolve overlapping
 * fragments other than "first copy wins".
 */
#ifndef CORRELATOR_IPFRAG_H
#define CORRELATOR_IPFRAG_H

#include <stddef.h>
#include <stdint.h>

struct pkt;
struct ipfrag;

struct ipfrag_stats {
	uint64_t completed, timed_out, evicted, oversize, overlaps;
};

/* max_chains and max_bytes bound memory (max_bytes per datagram, <= 65535+). */
struct ipfrag *ipfrag_new(size_t max_chains, size_t max_bytes);
void ipfrag_free(struct ipfrag *t);

/* Add the fragment described by p (PKT_FRAG set, payload = fragment data).
 * When it completes a datagram, returns the reassembled IP payload (borrowed
 * until the next call) with *len and *nfrags set; otherwise NULL.
 * *why is set when the fragment could not be kept (limit hit). */
const uint8_t *ipfrag_add(struct ipfrag *t, const struct pkt *p, int64_t ts, uint32_t *len,
			  uint16_t *nfrags, const char **why);

const struct ipfrag_stats *ipfrag_stats(const struct ipfrag *t);

#endif
