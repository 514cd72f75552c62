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
 * Does not: decode other TCPIP ids (they stay etw.event), network-layer drops,
 * or Winsock-AFD events.
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

static bool sockaddr(br *b, uint32_t len, struct addr *a, uint16_t *port)
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
	if (!sockaddr(b, ll, la, lp))
		return false;
	uint32_t rl = br_le32(b);
	return sockaddr(b, rl, ra, rp);
}

static uint64_t ptr(br *b, uint32_t ptrsize)
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

bool etl_tcpip_event(const struct etl_rec *rec, struct etl_tcpip *t, struct event *ev)
{
	if (rec->kind != ETL_K_EVENT || memcmp(rec->guid, ETL_GUID_TCPIP, 16))
		return false;
	uint32_t ps = rec->htype == ETL_H_EH32 ? 4 : 8;
	br b = br_make(rec->data, rec->len);
	struct addr la, ra;
	uint16_t lp = 0, rp = 0;
	const char *type;
	switch (rec->id) {
	case 1002: {
		uint64_t tcb = ptr(&b, ps);
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
		uint64_t tcb = ptr(&b, ps);
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
	uint64_t tcb = ptr(&b, ps);
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
