/*
 * parsers/decode/packet.h - decoding one captured frame into its layers: link
 * (Ethernet, 802.1Q/QinQ, native 802.11 data frames with LLC/SNAP, Linux SLL/SLL2,
 * raw IP, BSD loopback), ARP, IPv4 (with
 * options, fragments) and IPv6 (extension headers), TCP (options), UDP, ICMP and
 * ICMPv6 (with the quoted packet's flow), ESP (also UDP-encapsulated on 4500)
 * and DNS over UDP into a struct pkt (correlator/core/pkt.h); and turning the
 * result into a timeline event.
 * Shared by every capture reader (pcap, pcapng, NetMon).
 * Does not: keep state between frames (reassembly is ipfrag.c), follow sessions,
 * decode application protocols other than DNS.
 * Specs: RFC 791, 8200, 793/9293, 7323, 2018, 768, 792, 4443, 4303, 3948, 826, 1035.
 */
#ifndef CORRELATOR_PACKET_H
#define CORRELATOR_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "../../correlator/core/pkt.h"

/* Link types (pcap LINKTYPE_ values, plus the DLT_ aliases libpcap returns). */
enum {
	LT_NULL = 0, LT_ETHERNET = 1, LT_RAW_DLT12 = 12, LT_RAW_DLT14 = 14,
	LT_RAW = 101, LT_IEEE802_11 = 105, LT_LOOP = 108, LT_LINUX_SLL = 113, LT_IPV4 = 228, LT_IPV6 = 229,
	LT_LINUX_SLL2 = 276,
};

/* Decode a frame. Never reads outside data[0..caplen). Problems are recorded
 * in p->malformed; the frame is still described as far as it could be read. */
void pkt_decode(struct pkt *p, uint16_t linktype, const uint8_t *data, uint32_t caplen,
		uint32_t wirelen);

/* Decode the transport layer of a complete IP payload (after reassembly). */
void pkt_decode_transport(struct pkt *p, const uint8_t *data, uint32_t caplen, uint32_t len);

/* Fill ev's type, flow and fields from a decoded frame; ev->pkt points at p. */
void pkt_to_event(const struct pkt *p, struct event *ev);

#endif
