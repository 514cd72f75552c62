/*
 * parsers/etw_msg.h - the rendered message of a Microsoft-Windows-TCPIP or
 * Microsoft-Windows-Winsock-AFD ETW event (as `netsh trace convert`, tracerpt,
 * Network Monitor and Message Analyzer print it) -> event type and fields.
 * Shared by the text readers (etw_text.c, etw_csv.c).
 * Keeps a bounded table of connection (Tcb) and AFD endpoint pointers seen
 * with addresses, so a later event that names only the pointer (a TCP state
 * transition, a dropped datagram) still gets its flow. Pointers are reused
 * after close: a newer sighting overwrites the older one.
 * Does not: read files, parse timestamps, know binary ETL payloads.
 * Spec: ../shared/formats/windows-events.md (c) (message templates of the
 * TCPIP and Winsock-AFD manifests).
 *
 * Types: etw.tcpip.state_change, .connect, .connect_completed, .connect_failed,
 * .accept, .send, .recv, .retransmit, .retransmit_timeout, .keepalive_timeout,
 * .abort, .close, .disconnect, .shutdown, .rst, .drop, .endpoint, .other;
 * etw.afd.<name before the first ':' of the message> (datagram_dropped, bind,
 * connect, send, recv, close, ...); etw.event for any other provider.
 * Fields: etw.provider etw.event etw.tcb etw.tcpip.old_state etw.tcpip.new_state
 * etw.tcpip.snd_nxt tcp.seq etw.status etw.reason etw.interface etw.afd.endpoint
 * etw.afd.process etw.afd.length etw.afd.seq; flow when both endpoints are known
 * (otherwise ip.src/ip.dst and ports as fields).
 */
#ifndef CORRELATOR_ETW_MSG_H
#define CORRELATOR_ETW_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../correlator/core/arena.h"
#include "../correlator/core/event.h"

struct etw_ptr;  /* one remembered Tcb or endpoint */

struct etw_dec {
	struct etw_ptr *tab;
	size_t cap;              /* power of two */
};

void etw_dec_init(struct etw_dec *d, size_t cap);
void etw_dec_fini(struct etw_dec *d);

/* Decode one message of provider prov into ev (type, msg, fields, flow).
 * Strings are copied into a, which the caller resets per event. */
void etw_decode(struct etw_dec *d, struct arena *a, const char *prov, size_t pn,
		const char *msg, size_t mn, struct event *ev);

#endif
