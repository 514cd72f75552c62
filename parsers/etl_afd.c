/*
 * parsers/etl_afd.c - binary Microsoft-Windows-Winsock-AFD events (provider
 * e53c6823-7bb8-44bb-90dc-3f86090d48a6, manifest payloads) as the etw.afd.*
 * events the text ETW parsers produce (etw_msg.c: "datagram dropped: ..." is
 * etw.afd.datagram_dropped, "bind: ..." etw.afd.bind).
 * Layouts: the provider manifest of Windows 10 build 10240 (repnz/
 * etw-providers-docs, Manifests-Win10-10240/Microsoft-Windows-Winsock-AFD.xml),
 * every event version 0. Each starts EnterExit u32, Location u32 (rendered as
 * "Seq"), Process ptr, Endpoint ptr; then:
 *   1001 closesocket, 1017 connect, 1020 ConnectEx, 1023 accept, 1026 AcceptEx,
 *   1029 bind, 3006 disconnect indicated: Status u32
 *   1030 bind with address: Status u32, AddressLen u32, Address (SOCKADDR)
 *   1018 / 1021 connect(Ex) with address: Buffer ptr, BufferLength u32,
 *     Status u32, AddressLen u32, Address
 *   1024 / 1027 accept(Ex) with address: as 1018, then AcceptEndpoint ptr,
 *     CurrentBacklog u32
 *   1007 sendto, 1009 recvfrom, 1013 WSASendMsg, 1015 WSARecvMsg with address:
 *     BufferCount u32, Buffer ptr, BufferLength u32, Status u32, AddressLen u32,
 *     Address
 *   1032 abort: Reason u32
 *   1033 datagram dropped (AfdDatagramDropWithAddress): Buffer ptr,
 *     BufferLength u32, AddressLen u32, Address, Reason u32 (AFD_DGRAM_DROP_ValueMap)
 * Pointers are 4 or 8 bytes by the event header (EVENT_HEADER 32 / 64).
 * The endpoint's local address comes from its bind with address; a later drop
 * or send names only the peer, so the flow joins the two (as etw_msg.c does).
 * Does not: decode other AFD ids or versions (they stay etw.event, the version
 * or short payload noted in a->why), the Windows 7 ids 1..41, RIO events.
 */
#include "etl.h"
#include "../correlator/core/br.h"
#include "../correlator/core/event.h"

#include <stdio.h>
#include <string.h>

/* AFD_DGRAM_DROP_ValueMap */
static const char *drop_reason(uint32_t r)
{
	switch (r) {
	case 1: return "Datagram source address does not match connected address";
	case 2: return "Insufficient local buffer space";
	case 3: return "Buffer allocation failed";
	case 4: return "Insufficient local buffer space - circular queueing enabled";
	case 5: return "Indicated datagram too large - integer overflow";
	default: return NULL;
	}
}

enum shape { S_STATUS, S_BIND_ADDR, S_CONNECT_ADDR, S_ACCEPT_ADDR, S_XFER_ADDR, S_ABORT, S_DROP };

static const struct afd_id {
	uint16_t id;
	enum shape shape;
	const char *name;     /* etw.afd.<name> */
	int8_t dir;           /* the Address is: 1 the sender (inbound), -1 the peer we send to, 0 ours */
	uint8_t proto;        /* 0: from the keywords (AFD_KW_DATAGRAM / AFD_KW_STREAM), else TCP */
} ids[] = {
	{ 1001, S_STATUS, "closesocket", 0, 0 },
	{ 1007, S_XFER_ADDR, "sendto", -1, 17 },
	{ 1009, S_XFER_ADDR, "recvfrom", 1, 17 },
	{ 1013, S_XFER_ADDR, "wsasendmsg", -1, 17 },
	{ 1015, S_XFER_ADDR, "wsarecvmsg", 1, 17 },
	{ 1017, S_STATUS, "connect", 0, 0 },
	{ 1018, S_CONNECT_ADDR, "connect", -1, 0 },
	{ 1020, S_STATUS, "connectex", 0, 0 },
	{ 1021, S_CONNECT_ADDR, "connectex", -1, 0 },
	{ 1023, S_STATUS, "accept", 0, 0 },
	{ 1024, S_ACCEPT_ADDR, "accept", 1, 6 },
	{ 1026, S_STATUS, "acceptex", 0, 0 },
	{ 1027, S_ACCEPT_ADDR, "acceptex", 1, 6 },
	{ 1029, S_STATUS, "bind", 0, 0 },
	{ 1030, S_BIND_ADDR, "bind", 0, 0 },
	{ 1032, S_ABORT, "abort", 0, 0 },
	{ 1033, S_DROP, "datagram_dropped", 1, 17 },
	{ 3006, S_STATUS, "disconnect", 0, 0 },
};

static const char *hexptr(char *out, size_t n, uint64_t v, uint32_t ps)
{
	snprintf(out, n, ps == 4 ? "0x%08llX" : "0x%016llX", (unsigned long long)v);
	return out;
}

static struct etl_afd_ep *ep_slot(struct etl_afd *a, uint64_t ep)
{
	return &a->ep[(ep >> 4) % ETL_AFD_SLOTS];
}

static bool any_addr(const struct addr *x)
{
	static const uint8_t z[16];
	return !memcmp(x->b, z, x->family == 4 ? 4 : 16);
}

bool etl_afd_event(const struct etl_rec *rec, struct etl_afd *a, struct event *ev)
{
	a->why = NULL;
	if (rec->kind != ETL_K_EVENT || memcmp(rec->guid, ETL_GUID_AFD, 16))
		return false;
	const struct afd_id *d = NULL;
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
		if (ids[i].id == rec->id)
			d = &ids[i];
	if (!d)
		return false;
	if (rec->version != 0) {
		a->why = "Winsock-AFD event version without a known layout";
		return false;
	}
	uint32_t ps = rec->htype == ETL_H_EH32 ? 4 : 8;
	br b = br_make(rec->data, rec->len);
	br_le32(&b);  /* EnterExit */
	uint32_t seq = br_le32(&b);
	uint64_t proc = etl_ptr(&b, ps), ep = etl_ptr(&b, ps);
	uint32_t status = 0, len = 0, reason = 0;
	bool has_status = false, has_len = false, has_addr = false;
	struct addr addr;
	uint16_t port = 0;
	switch (d->shape) {
	case S_STATUS:
		status = br_le32(&b);
		has_status = true;
		break;
	case S_ABORT:
		reason = br_le32(&b);
		break;
	case S_XFER_ADDR:
		br_le32(&b);  /* BufferCount */
		/* fall through */
	case S_CONNECT_ADDR:
	case S_ACCEPT_ADDR:
		etl_ptr(&b, ps);  /* Buffer */
		len = br_le32(&b);
		has_len = true;
		/* fall through */
	case S_BIND_ADDR:
		status = br_le32(&b);
		has_status = true;
		has_addr = etl_sockaddr(&b, br_le32(&b), &addr, &port);
		if (d->shape == S_ACCEPT_ADDR) {
			etl_ptr(&b, ps);  /* AcceptEndpoint */
			br_le32(&b);  /* CurrentBacklog */
		}
		break;
	case S_DROP:
		etl_ptr(&b, ps);  /* Buffer */
		len = br_le32(&b);
		has_len = true;
		has_addr = etl_sockaddr(&b, br_le32(&b), &addr, &port);
		reason = br_le32(&b);
		break;
	}
	if (b.bad || (d->shape >= S_BIND_ADDR && d->shape != S_ABORT && !has_addr)) {
		a->why = b.bad ? "Winsock-AFD payload shorter than its layout" : "Winsock-AFD address is not IPv4 or IPv6";
		return false;
	}
	snprintf(a->type, sizeof a->type, "etw.afd.%s", d->name);
	ev->type = a->type;
	ev_cstr(ev, "etw.event", d->name);
	ev_cstr(ev, "etw.afd.endpoint", hexptr(a->eps, sizeof a->eps, ep, ps));
	ev_cstr(ev, "etw.afd.process", hexptr(a->procs, sizeof a->procs, proc, ps));
	ev_int(ev, "etw.afd.seq", seq);
	if (has_len)
		ev_int(ev, "etw.afd.length", len);
	if (has_status) {
		snprintf(a->status, sizeof a->status, "0x%x", status);
		ev_cstr(ev, "etw.status", a->status);
	}
	if (d->shape == S_DROP || d->shape == S_ABORT) {
		const char *r = d->shape == S_DROP ? drop_reason(reason) : NULL;
		if (!r) {
			snprintf(a->reason, sizeof a->reason, "%u", reason);
			r = a->reason;
		}
		ev_cstr(ev, "etw.reason", r);
		ev_int(ev, "etw.afd.reason_code", reason);
	}
	if (!has_addr)
		return true;
	size_t o = 0;
	if (addr.family == 6)
		a->addrs[o++] = '[';
	o += addr_format(&addr, a->addrs + o, sizeof a->addrs - o - 8);
	snprintf(a->addrs + o, sizeof a->addrs - o, "%s:%u", addr.family == 6 ? "]" : "", port);
	ev_cstr(ev, "etw.afd.address", a->addrs);
	struct etl_afd_ep *s = ep_slot(a, ep);
	if (d->shape == S_BIND_ADDR) {
		*s = (struct etl_afd_ep){ ep, addr, port };
		return true;
	}
	uint8_t proto = d->proto ? d->proto : (rec->keyword & 1) ? 17 : 6;
	bool in = d->dir > 0;
	if (s->ep == ep && ep && !any_addr(&s->local)) {
		ev->flags |= EV_HAS_FLOW;
		ev->flow.proto = proto;
		ev->flow.src = in ? addr : s->local;
		ev->flow.sport = in ? port : s->lport;
		ev->flow.dst = in ? s->local : addr;
		ev->flow.dport = in ? s->lport : port;
		return true;
	}
	/* one side only: as fields (a flow key needs both ends) */
	ev_addr(ev, in ? "ip.src" : "ip.dst", &addr);
	ev_int(ev, in ? (proto == 17 ? "udp.srcport" : "tcp.srcport") : (proto == 17 ? "udp.dstport" : "tcp.dstport"), port);
	if (s->ep == ep && ep)
		ev_int(ev, in ? (proto == 17 ? "udp.dstport" : "tcp.dstport") : (proto == 17 ? "udp.srcport" : "tcp.srcport"),
		       s->lport);
	return true;
}
