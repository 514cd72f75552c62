/*
 * parsers/decode/capture.h - what every capture reader (pcap, pcapng, NetMon) does
 * with a frame once it has its bytes: number it, decode it, reassemble IP
 * fragments, and fill the timeline event.
 * Does not: read files (the readers do) or follow sessions.
 */
#ifndef CORRELATOR_CAPTURE_H
#define CORRELATOR_CAPTURE_H

#include <stdint.h>

#include "packet.h"

struct source;
struct ipfrag;

struct capture {
	struct source *src;
	struct ipfrag *frag;
	struct pkt pkt;
	uint64_t frame;       /* frames read so far in this file (1-based refs) */
};

void capture_init(struct capture *c, struct source *src);
void capture_fini(struct capture *c);

/* Decode one frame into ev. The reader set c->pkt.ifindex/direction/comment
 * before the call (capture_frame keeps them). ts is UTC ns. */
void capture_frame(struct capture *c, struct event *ev, uint16_t linktype, const uint8_t *data,
		   uint32_t caplen, uint32_t wirelen, int64_t ts);

/* Reset per-frame metadata a reader may set. */
static inline void capture_meta(struct capture *c, int32_t ifindex, uint8_t direction,
				const char *comment, uint32_t comment_len)
{
	c->pkt.ifindex = ifindex;
	c->pkt.direction = direction;
	c->pkt.comment = comment;
	c->pkt.comment_len = comment_len;
}

#endif
