/*
 * parsers/decode/capture.c - frame -> event, shared by the capture readers (see capture.h).
 */
#include "capture.h"
#include "ipfrag.h"
#include "../../correlator/core/source.h"

#include <string.h>

void capture_init(struct capture *c, struct source *src)
{
	memset(c, 0, sizeof *c);
	c->src = src;
	size_t chains = 256, bytes = 65535;
	if (src && src->limits) {
		if (src->limits->max_frag_chains)
			chains = src->limits->max_frag_chains;
		if (src->limits->max_frag_bytes)
			bytes = src->limits->max_frag_bytes;
	}
	c->frag = ipfrag_new(chains, bytes);
	c->pkt.ifindex = -1;
}

void capture_fini(struct capture *c)
{
	const struct ipfrag_stats *st = c->frag ? ipfrag_stats(c->frag) : NULL;
	if (st && c->src && (st->evicted || st->oversize))
		source_note(c->src, "IP reassembly limits reached: %llu fragment chains evicted "
			    "(--max-frag-chains %zu), %llu fragments beyond %zu bytes (--max-frag-bytes); "
			    "those datagrams were not reassembled",
			    (unsigned long long)st->evicted, c->src->limits ? c->src->limits->max_frag_chains : 0,
			    (unsigned long long)st->oversize, c->src->limits ? c->src->limits->max_frag_bytes : 0);
	ipfrag_free(c->frag);
	c->frag = NULL;
}

void capture_frame(struct capture *c, struct event *ev, uint16_t linktype, const uint8_t *data,
		   uint32_t caplen, uint32_t wirelen, int64_t ts)
{
	struct pkt *p = &c->pkt;
	ev->ref = ++c->frame;
	ev->ts_raw = ts;
	pkt_decode(p, linktype, data, caplen, wirelen);
	if (p->layers & PKT_FRAG) {
		uint32_t len;
		uint16_t n;
		const char *why;
		const uint8_t *d = ipfrag_add(c->frag, p, ts, &len, &n, &why);
		if (why && c->src)
			source_warn(c->src, ev->ref, "%s", why);
		if (d) {
			/* the last fragment carries the whole datagram, as in Wireshark */
			p->layers &= ~(uint32_t)PKT_FRAG;
			p->layers |= PKT_REASM;
			p->frag_count = n;
			p->payload = NULL;
			p->payload_caplen = 0;
			p->l4_len = 0;
			pkt_decode_transport(p, d, len, len);
		}
	}
	if (p->malformed && c->src)
		source_warn(c->src, ev->ref, "malformed packet: %s", p->malformed);
	pkt_to_event(p, ev);
}
