/*
 * parsers/etl_tcpip.c - binary Microsoft-Windows-TCPIP events (manifest
 * payloads) as the etw.tcpip.* events the text ETW parsers produce (etw_msg.c):
 *   1002 TcpRequestConnect: Tcb ptr, LocalAddressLength u32, LocalAddress
 *     (SOCKADDR), RemoteAddressLength u32, RemoteAddress, NewState u32,
 *     RexmitCount u32                                       -> etw.tcpip.connect
 *   1017 accept completed, 1033 connect completed, 1034 connect attempt failed,
 *   1038 close issued, 1039 abort issued, 1043 disconnect completed, 1045
 *   connect-request timeout, 1046 retransmission timeout, 1047 keep-alive
 *   timeout: LocalAddressLength u32, LocalAddress, RemoteAddressLength u32,
 *     RemoteAddress, Status u32, ProcessId u32, Compartment u32, Tcb ptr
 *   1051 TcpTcbStateChange: OldState u32, NewState u32, SndNxt u32, Tcb ptr
 *     (its flow from the endpoints an earlier event gave the same Tcb)
 * Field order and types: the provider's manifest (as listed by OTRF/OSSEM's
 * data dictionaries and `wevtutil gp Microsoft-Windows-TCPIP /ge /gm`).
 * SOCKADDR: u16 family (2 AF_INET: u16 port BE, 4 bytes address; 23 AF_INET6:
 * u16 port BE, u32 flowinfo, 16 bytes address).
 *   1214 TcpipTransportPacketDrops: IPTransportProtocol u32, AddressFamily u32,
 *     LocalSockAddrLength u32, LocalSockAddr, RemoteSockAddrLength u32,
 *     RemoteSockAddr, Reason u32, PacketCount u32            -> etw.tcpip.drop
 *   1215 TcpipNetworkPacketDrops: IPTransportProtocol u32, AddressFamily u32
 *     (2 / 23), SourceIPv4Address u32, DestIPv4Address u32 (address bytes in
 *     network order), IPv6SourceIpAddrLength u32, IPv6SourceAddress,
 *     IPv6DestIpAddrLength u32, IPv6DestAddress, Reason u32
 *     (TCPIP_NETWORK_PACKET_DROP_REASON_ValueMap), PacketCount u32, IPProtocol u32
 *                                                            -> etw.tcpip.drop
 *     (1214 and 1215 version 0 as the Windows 10 build 10240 manifest lays them
 *     out: repnz/etw-providers-docs, Manifests-Win10-10240/Microsoft-Windows-TCPIP.xml;
 *     another version or a short payload stays etw.event, noted in t->why)
 * Does not: decode other TCPIP ids (they stay etw.event) or Winsock-AFD events
 * (etl_afd.c).
 */
#include "etl.h"
#include "../correlator/core/br.h"
#include "../correlator/core/event.h"

#include <stdio.h>
#include <string.h>

static const char *const tcp_states[] = {
	"ClosedState", "ListenState", "SynSentState", "SynRcvdState", "EstablishedState",
	"FinWait1State", "FinWait2State", "CloseWaitState", "ClosingState", "LastAckState",
	"TimeWaitState",
};

bool etl_sockaddr(br *b, uint32_t len, struct addr *a, uint16_t *port)
{
	br s = br_sub(b, len);
	uint16_t fam = br_le16(&s);
	*port = br_be16(&s);
	memset(a, 0, sizeof *a);
	if (fam == 2) {
		uint8_t v[4];
		br_copy(&s, v, 4);
		addr_v4(a, v);
	} else if (fam == 23) {
		br_skip(&s, 4);
		a->family = 6;
		br_copy(&s, a->b, 16);
	} else {
		return false;
	}
	return !s.bad && !b->bad;
}

/* The local then the remote address, each a length and a sockaddr. */
static bool endpoints(br *b, struct addr *la, uint16_t *lp, struct addr *ra, uint16_t *rp)
{
	uint32_t ll = br_le32(b);
	if (!etl_sockaddr(b, ll, la, lp))
		return false;
	uint32_t rl = br_le32(b);
	return etl_sockaddr(b, rl, ra, rp);
}

uint64_t etl_ptr(br *b, uint32_t ptrsize)
{
	return ptrsize == 4 ? br_le32(b) : br_le64(b);
}

static struct etl_tcb *tcb_slot(struct etl_tcpip *t, uint64_t tcb)
{
	return &t->tcb[(tcb >> 4) % ETL_TCB_SLOTS];
}

static void put_tcb(struct etl_tcpip *t, struct event *ev, uint64_t tcb)
{
	snprintf(t->tcbs, sizeof t->tcbs, "0x%016llX", (unsigned long long)tcb);
	ev_cstr(ev, "etw.tcb", t->tcbs);
}

static void flow(struct event *ev, const struct addr *la, uint16_t lp, const struct addr *ra, uint16_t rp,
		 bool inbound)
{
	ev->flags |= EV_HAS_FLOW;
	ev->flow.proto = 6;
	ev->flow.src = inbound ? *ra : *la;
	ev->flow.sport = inbound ? rp : lp;
	ev->flow.dst = inbound ? *la : *ra;
	ev->flow.dport = inbound ? lp : rp;
}

/* TCPIP_NETWORK_PACKET_DROP_REASON_ValueMap */
static const char *nl_drop_reason(uint32_t r)
{
	switch (r) {
	case 0x1: return "Bad source address";
	case 0x2: return "Not locally destined";
	case 0x3: return "Protocol unreachable";
	case 0x4: return "Port unreachable";
	case 0x5: return "Bad length";
	case 0x6: return "Malformed Header";
	case 0x7: return "No route available";
	case 0x8: return "Beyond scope";
	case 0x9: return "Inspection drop";
	case 0xa: return "Too many decapsulations";
	case 0xb: return "Administratively prohibited";
	case 0x80: return "Hop limit exceeded";
	case 0x81: return "Address unreachable";
	case 0x102: return "Fragment MTU exceeded";
	case 0x103: return "Buffer Length Exceeded";
	case 0x104: return "Address Resolution Timeout";
	case 0x105: return "Address Resolution Failure";
	case 0x106: return "IPsec failure";
	case 0x107: return "Extension Headers Failure";
	case 0x108: return "Allocation Failure";
	default: return NULL;
	}
}

/* 1214 / 1215: packets the transport or network layer dropped. */
static bool tcpip_drop(const struct etl_rec *rec, struct etl_tcpip *t, struct event *ev)
{
	if (rec->version != 0) {
		t->why = "TCPIP drop event version without a known layout";
		return false;
	}
	br b = br_make(rec->data, rec->len);
	uint32_t proto = br_le32(&b), fam = br_le32(&b);
	struct addr sa, da;
	uint16_t sp = 0, dp = 0;
	bool ok = true;
	if (rec->id == 1214) {
		/* local then remote; the receive path: the remote end sent it */
		ok = etl_sockaddr(&b, br_le32(&b), &da, &dp) && etl_sockaddr(&b, br_le32(&b), &sa, &sp);
	} else {
		uint8_t s4[4], d4[4], s6[16], d6[16];
		br_copy(&b, s4, 4);
		br_copy(&b, d4, 4);
		uint32_t sl = br_le32(&b);
		br s = br_sub(&b, sl);
		uint32_t dl = br_le32(&b);
		br d = br_sub(&b, dl);
		if (fam == 2) {
			addr_v4(&sa, s4);
			addr_v4(&da, d4);
		} else if (fam == 23 && sl == 16 && dl == 16) {
			br_copy(&s, s6, 16);
			br_copy(&d, d6, 16);
			memset(&sa, 0, sizeof sa);
			memset(&da, 0, sizeof da);
			sa.family = da.family = 6;
			memcpy(sa.b, s6, 16);
			memcpy(da.b, d6, 16);
		} else {
			ok = false;
		}
	}
	uint32_t reason = br_le32(&b), count = br_le32(&b);
	if (rec->id == 1215)
		br_le32(&b);  /* IPProtocol */
	if (b.bad || !ok || proto > 255) {
		t->why = b.bad ? "TCPIP drop payload shorter than its layout" : "TCPIP drop with an unknown address family";
		return false;
	}
	ev->type = "etw.tcpip.drop";
	ev_cstr(ev, "etw.event", "drop");
	ev_cstr(ev, "etw.tcpip.layer", rec->id == 1214 ? "transport" : "network");
	const char *r = rec->id == 1215 ? nl_drop_reason(reason) : NULL;
	if (!r) {
		snprintf(t->reason, sizeof t->reason, "%u", reason);
		r = t->reason;
	}
	ev_cstr(ev, "etw.reason", r);
	ev_int(ev, "etw.tcpip.reason_code", reason);
	ev_int(ev, "etw.tcpip.packets", count);
	ev->flags |= EV_HAS_FLOW;
	ev->flow.proto = (uint8_t)proto;
	ev->flow.src = sa;
	ev->flow.sport = sp;
	ev->flow.dst = da;
	ev->flow.dport = dp;
	return true;
}

bool etl_tcpip_event(const struct etl_rec *rec, struct etl_tcpip *t, struct event *ev)
{
	t->why = NULL;
	if (rec->kind != ETL_K_EVENT || memcmp(rec->guid, ETL_GUID_TCPIP, 16))
		return false;
	if (rec->id == 1214 || rec->id == 1215)
		return tcpip_drop(rec, t, ev);
	uint32_t ps = rec->htype == ETL_H_EH32 ? 4 : 8;
	br b = br_make(rec->data, rec->len);
	struct addr la, ra;
	uint16_t lp = 0, rp = 0;
	const char *type;
	switch (rec->id) {
	case 1002: {
		uint64_t tcb = etl_ptr(&b, ps);
		if (!endpoints(&b, &la, &lp, &ra, &rp))
			return false;
		uint32_t ns = br_le32(&b), rexmit = br_le32(&b);
		if (b.bad)
			return false;
		ev->type = "etw.tcpip.connect";
		ev_cstr(ev, "etw.event", "connect");
		put_tcb(t, ev, tcb);
		if (ns < sizeof tcp_states / sizeof *tcp_states)
			ev_cstr(ev, "etw.tcpip.new_state", tcp_states[ns]);
		ev_int(ev, "etw.tcpip.rexmit_count", rexmit);
		flow(ev, &la, lp, &ra, rp, false);
		struct etl_tcb *s = tcb_slot(t, tcb);
		*s = (struct etl_tcb){ tcb, la, ra, lp, rp, false };
		return true;
	}
	case 1051: {
		uint32_t os = br_le32(&b), ns = br_le32(&b), snd = br_le32(&b);
		uint64_t tcb = etl_ptr(&b, ps);
		if (b.bad)
			return false;
		ev->type = "etw.tcpip.state_change";
		ev_cstr(ev, "etw.event", "state_change");
		put_tcb(t, ev, tcb);
		ev_cstr(ev, "etw.tcpip.old_state", os < sizeof tcp_states / sizeof *tcp_states ? tcp_states[os] : "unknown");
		ev_cstr(ev, "etw.tcpip.new_state", ns < sizeof tcp_states / sizeof *tcp_states ? tcp_states[ns] : "unknown");
		ev_int(ev, "etw.tcpip.snd_nxt", snd);
		const struct etl_tcb *s = tcb_slot(t, tcb);
		if (s->tcb == tcb && tcb)
			flow(ev, &s->local, s->lport, &s->remote, s->rport, s->inbound);
		return true;
	}
	case 1017: type = "etw.tcpip.accept"; break;
	case 1033: type = "etw.tcpip.connect_completed"; break;
	case 1034: case 1045: type = "etw.tcpip.connect_failed"; break;
	case 1038: type = "etw.tcpip.close"; break;
	case 1039: type = "etw.tcpip.abort"; break;
	case 1043: type = "etw.tcpip.disconnect"; break;
	case 1046: type = "etw.tcpip.retransmit_timeout"; break;
	case 1047: type = "etw.tcpip.keepalive_timeout"; break;
	default: return false;
	}
	if (!endpoints(&b, &la, &lp, &ra, &rp))
		return false;
	uint32_t status = br_le32(&b), pid = br_le32(&b), comp = br_le32(&b);
	uint64_t tcb = etl_ptr(&b, ps);
	if (b.bad)
		return false;
	ev->type = type;
	ev_cstr(ev, "etw.event", type + 10);
	put_tcb(t, ev, tcb);
	snprintf(t->status, sizeof t->status, "0x%x", status);
	ev_cstr(ev, "etw.status", t->status);
	ev_int(ev, "etw.process", pid);
	ev_int(ev, "etw.tcpip.compartment", comp);
	bool inbound = rec->id == 1017;
	flow(ev, &la, lp, &ra, rp, inbound);
	struct etl_tcb *s = tcb_slot(t, tcb);
	*s = (struct etl_tcb){ tcb, la, ra, lp, rp, inbound || (s->tcb == tcb && s->inbound) };
	return true;
}
