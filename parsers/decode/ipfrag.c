/*
 * parsers/decode/ipfrag.c - fragment reassembly (see ipfrag.h). A chain is keyed by
 * (src, dst, id, protocol); holes are tracked in 8-byte blocks with a bitmap.
 * Spec: RFC 791 section 3.2, RFC 8200 section 4.5.
 */
#include "ipfrag.h"
#include "packet.h"
#include "../../correlator/core/util.h"

#include <stdlib.h>
#include <string.h>

#define FRAG_TIMEOUT_NS (30 * NS_PER_SEC)
#define FRAG_MAX_LEN 65536u

struct chain {
	bool used;
	struct addr src, dst;
	uint32_t id;
	uint8_t proto;
	int64_t first_ts;
	uint32_t total;        /* known once the last fragment arrived; 0 before */
	uint16_t nfrags;
	uint8_t *buf;          /* FRAG_MAX_LEN bytes */
	uint8_t have[FRAG_MAX_LEN / 8 / 8];  /* one bit per 8-byte block */
};

struct ipfrag {
	struct chain *chains;
	size_t nchains, max_bytes;
	uint8_t *out;          /* last completed datagram */
	struct ipfrag_stats st;
};

struct ipfrag *ipfrag_new(size_t max_chains, size_t max_bytes)
{
	struct ipfrag *t = xcalloc(1, sizeof *t);
	t->nchains = max_chains ? max_chains : 64;
	t->max_bytes = max_bytes && max_bytes < FRAG_MAX_LEN ? max_bytes : FRAG_MAX_LEN;
	t->chains = xcalloc(t->nchains, sizeof *t->chains);
	return t;
}

void ipfrag_free(struct ipfrag *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nchains; i++)
		free(t->chains[i].buf);
	free(t->chains);
	free(t->out);
	free(t);
}

const struct ipfrag_stats *ipfrag_stats(const struct ipfrag *t) { return &t->st; }

static void chain_drop(struct chain *c)
{
	c->used = false;
}

static struct chain *chain_find(struct ipfrag *t, const struct pkt *p, int64_t ts)
{
	struct chain *freeslot = NULL, *oldest = NULL;
	for (size_t i = 0; i < t->nchains; i++) {
		struct chain *c = &t->chains[i];
		if (c->used && ts - c->first_ts > FRAG_TIMEOUT_NS) {
			t->st.timed_out++;
			chain_drop(c);
		}
		if (!c->used) {
			if (!freeslot)
				freeslot = c;
			continue;
		}
		if (c->id == p->frag_id && c->proto == p->ip_proto && addr_equal(&c->src, &p->src) &&
		    addr_equal(&c->dst, &p->dst))
			return c;
		if (!oldest || c->first_ts < oldest->first_ts)
			oldest = c;
	}
	struct chain *c = freeslot;
	if (!c) {
		t->st.evicted++;
		c = oldest;
	}
	if (!c->buf)
		c->buf = xmalloc(FRAG_MAX_LEN);
	c->used = true;
	c->src = p->src;
	c->dst = p->dst;
	c->id = p->frag_id;
	c->proto = p->ip_proto;
	c->first_ts = ts;
	c->total = 0;
	c->nfrags = 0;
	memset(c->have, 0, sizeof c->have);
	return c;
}

static bool complete(const struct chain *c)
{
	if (!c->total)
		return false;
	uint32_t blocks = (c->total + 7) / 8;
	for (uint32_t b = 0; b < blocks; b++)
		if (!(c->have[b / 8] >> (b % 8) & 1))
			return false;
	return true;
}

const uint8_t *ipfrag_add(struct ipfrag *t, const struct pkt *p, int64_t ts, uint32_t *len,
			  uint16_t *nfrags, const char **why)
{
	*why = NULL;
	uint32_t off = p->frag_offset, n = p->l4_len;
	if ((size_t)off + n > t->max_bytes) {
		t->st.oversize++;
		*why = "fragment beyond the reassembly limit";
		return NULL;
	}
	if (p->payload_caplen < n) {
		*why = "fragment not fully captured; datagram cannot be reassembled";
		return NULL;
	}
	struct chain *c = chain_find(t, p, ts);
	if (!p->mf)
		c->total = off + n;
	if (n % 8 && p->mf) {
		*why = "non-final fragment length is not a multiple of 8";
		chain_drop(c);
		return NULL;
	}
	uint32_t b0 = off / 8, b1 = (off + n + 7) / 8;
	for (uint32_t b = b0; b < b1; b++) {
		if (c->have[b / 8] >> (b % 8) & 1) {
			t->st.overlaps++;
			continue;  /* first copy wins */
		}
		uint32_t s = b * 8, e = s + 8 < off + n ? s + 8 : off + n;
		memcpy(c->buf + s, p->payload + (s - off), e - s);
		c->have[b / 8] |= (uint8_t)(1u << (b % 8));
	}
	c->nfrags++;
	if (!complete(c))
		return NULL;
	if (!t->out)
		t->out = xmalloc(FRAG_MAX_LEN);
	memcpy(t->out, c->buf, c->total);
	*len = c->total;
	*nfrags = c->nfrags;
	t->st.completed++;
	chain_drop(c);
	return t->out;
}
