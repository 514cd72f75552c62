/*
 * parsers/etl_events.c - payloads of the ETL records the project decodes (etl.h):
 *   PktMon 160: PktGroupId u64, PktNumber u16, AppearanceCount u16, DirTag u16,
 *     PacketType u16, ComponentId u16, EdgeId u16, FilterId u16, DropReason u32,
 *     DropLocation u32, OriginalPayloadSize u16, LoggedPayloadSize u16, frame
 *     (checked on 34,709 real events: ../shared/corpus/etl/README.md);
 *   NDIS-PacketCapture 1001: MiniportIfIndex u32, LowerIfIndex u32, FragmentSize
 *     u32, Fragment; PacketStart/PacketEnd/Send/Receive/802.11 in the keyword
 *     (../shared/formats/windows-events.md (d));
 *   Kernel-Network (manifest) and classic kernel TcpIp (group 0x06) / UdpIp (0x08):
 *     PID u32, size u32, daddr, saddr (IPv4 u32 or IPv6 16 bytes), dport u16,
 *     sport u16 (ports in network order), then sequence / connection ids.
 * Does not: read the container (etl_read.c) or group packet appearances (etl.c).
 */
#include "etl.h"
#include "decode/packet.h"
#include "../correlator/core/br.h"
#include "../correlator/core/event.h"

#include <string.h>

bool etl_pktmon_parse(const struct etl_rec *rec, struct etl_pktmon *p)
{
	if (rec->kind != ETL_K_EVENT || rec->id != 160 || memcmp(rec->guid, ETL_GUID_PKTMON, 16))
		return false;
	br b = br_make(rec->data, rec->len);
	memset(p, 0, sizeof *p);
	p->group_id = br_le64(&b);
	p->pkt_number = br_le16(&b);
	p->appearance = br_le16(&b);
	p->dir_tag = br_le16(&b);
	p->packet_type = br_le16(&b);
	p->component = br_le16(&b);
	p->edge = br_le16(&b);
	p->filter = br_le16(&b);
	p->drop_reason = br_le32(&b);
	p->drop_location = br_le32(&b);
	p->original_size = br_le16(&b);
	p->logged_size = br_le16(&b);
	br f = br_sub(&b, p->logged_size);
	if (f.bad)
		return false;
	p->frame = f.p;
	switch (p->packet_type) {
	case 1: p->linktype = LT_ETHERNET; break;
	case 2: p->linktype = LT_IEEE802_11; break;
	default: {
		/* other media: raw IP when the first nibble says so, else Ethernet */
		uint8_t v = p->logged_size ? p->frame[0] >> 4 : 0;
		p->linktype = v == 4 || v == 6 ? LT_RAW : LT_ETHERNET;
		break;
	}
	}
	/* PacketDirectionTag value map, as the corpus files' own schema metadata
	 * (TDH EVENT_MAP_INFO) spells it: 0 None, 1 In, 2 Out, 3 Rx, 4 Tx, 5 Ingress,
	 * 6 Egress. The odd values are inbound, the even ones outbound. */
	p->direction = p->dir_tag >= 1 && p->dir_tag <= 6 ? (p->dir_tag & 1 ? 1 : 2) : 0;
	return true;
}

const char *etl_pktmon_dir_name(uint16_t tag)
{
	static const char *const n[] = { "None", "In", "Out", "Rx", "Tx", "Ingress", "Egress" };
	return tag < sizeof n / sizeof *n ? n[tag] : "unknown";
}

const char *etl_pktmon_drop_name(uint32_t reason)
{
	/* a few well-known PktMon drop reasons (pktmon "filter" output names) */
	switch (reason) {
	case 0: return "none";
	case 1: return "invalid data";
	case 2: return "invalid packet";
	case 3: return "insufficient resources";
	case 4: return "adapter not ready";
	case 5: return "media disconnected";
	case 6: return "not accepted";
	case 7: return "busy";
	case 8: return "filtered";
	case 9: return "filtered VLAN";
	case 10: return "unauthorized VLAN";
	case 11: return "unauthorized MAC";
	case 12: return "failed security policy";
	case 13: return "failed pVlan setting";
	case 14: return "QoS";
	case 15: return "IPsec";
	case 16: return "MAC spoofing";
	case 17: return "DHCP guard";
	case 18: return "router guard";
	case 19: return "bridge reserved";
	case 20: return "virtual subnet id";
	case 21: return "required extension missing";
	case 22: return "invalid config";
	case 23: return "MTU mismatch";
	case 24: return "native forwarding required";
	case 25: return "invalid packet ports";
	case 26: return "port disconnected";
	case 27: return "no destination";
	default: return "drop";
	}
}

int etl_ndis_add(struct etl_ndis *n, const struct etl_rec *rec, uint16_t *linktype,
		 uint8_t *direction, const char **why)
{
	*why = NULL;
	br b = br_make(rec->data, rec->len);
	uint32_t ifx = br_le32(&b), lower = br_le32(&b), fsz = br_le32(&b);
	br frag = br_sub(&b, fsz);
	if (frag.bad) {
		*why = "NDIS packet fragment: FragmentSize runs past the event";
		return -1;
	}
	bool start = rec->keyword & 0x40000000ull, end = rec->keyword & 0x80000000ull;
	if (start || !n->open) {
		n->len = 0;
		n->dropped = false;
		n->open = true;
		n->first_ref = rec->ref;
		n->first_ts = rec->ts;
		n->ifindex = ifx;
		n->lower = lower;
		n->keyword = rec->keyword;
	}
	if (n->len + fsz > sizeof n->buf) {
		n->dropped = true;
		*why = "NDIS packet larger than 64 KiB: fragments dropped";
	} else if (fsz) {
		memcpy(n->buf + n->len, frag.p, fsz);
		n->len += fsz;
	}
	if (!end)
		return 0;
	n->open = false;
	uint64_t kw = n->keyword | rec->keyword;
	*linktype = (kw & 0x10000) ? LT_IEEE802_11 : (kw & 0x200) ? LT_RAW : LT_ETHERNET;
	*direction = (kw & 0x100000000ull) ? 2 : (kw & 0x200000000ull) ? 1 : 0;
	return n->dropped ? -1 : 1;
}

static const char *kn_name(unsigned op)
{
	switch (op) {
	case 10: case 26: return "etw.kernel_net.send";
	case 11: case 27: return "etw.kernel_net.recv";
	case 12: case 28: return "etw.kernel_net.connect";
	case 13: case 29: return "etw.kernel_net.disconnect";
	case 14: case 30: return "etw.kernel_net.retransmit";
	case 15: case 31: return "etw.kernel_net.accept";
	case 16: case 32: return "etw.kernel_net.reconnect";
	case 17: return "etw.kernel_net.fail";
	case 18: case 34: return "etw.kernel_net.copy";
	default: return NULL;
	}
}

bool etl_kernel_net_event(const struct etl_rec *rec, uint32_t ptrsize, struct event *ev)
{
	unsigned op;
	bool udp;
	if (rec->kind == ETL_K_EVENT && !memcmp(rec->guid, ETL_GUID_KERNEL_NET, 16)) {
		op = rec->id;
		udp = op >= 42;
		if (udp)
			op -= 32;  /* UDP 42/43 send/recv v4, 58/59 v6 -> 10/11, 26/27 */
	} else if (rec->kind == ETL_K_KERNEL && ((rec->hook >> 8) == 0x06 || (rec->hook >> 8) == 0x08)) {
		op = rec->hook & 0xff;
		udp = (rec->hook >> 8) == 0x08;
	} else {
		return false;
	}
	const char *name = kn_name(op);
	if (!name || (udp && op != 10 && op != 11 && op != 26 && op != 27 && op != 17))
		return false;
	bool v6 = op >= 26;
	br b = br_make(rec->data, rec->len);
	uint32_t pid = br_le32(&b), size = br_le32(&b);
	struct addr da = { 0 }, sa = { 0 };
	uint8_t a[16];
	br_copy(&b, a, v6 ? 16 : 4);
	if (v6) {
		da.family = 6;
		memcpy(da.b, a, 16);
	} else {
		addr_v4(&da, a);
	}
	br_copy(&b, a, v6 ? 16 : 4);
	if (v6) {
		sa.family = 6;
		memcpy(sa.b, a, 16);
	} else {
		addr_v4(&sa, a);
	}
	uint16_t dport = br_be16(&b), sport = br_be16(&b);
	if (b.bad)
		return false;
	ev->type = name;
	bool recv = op == 11 || op == 27;
	ev->flags |= EV_HAS_FLOW;
	ev->flow.proto = udp ? 17 : 6;
	ev->flow.src = recv ? da : sa;
	ev->flow.sport = recv ? dport : sport;
	ev->flow.dst = recv ? sa : da;
	ev->flow.dport = recv ? sport : dport;
	ev_cstr(ev, "etw.kernel_net.proto", udp ? "udp" : "tcp");
	ev_int(ev, "etw.kernel_net.pid", pid);
	ev_int(ev, "etw.kernel_net.size", size);
	if (!udp && (op == 10 || op == 26)) {
		br_skip(&b, 8);  /* start and end time */
		uint32_t seq = br_le32(&b);
		if (!b.bad)
			ev_int(ev, "etw.kernel_net.seq", seq);
	} else if (!udp && (op == 11 || op == 27)) {
		uint32_t seq = br_le32(&b);
		if (!b.bad)
			ev_int(ev, "etw.kernel_net.seq", seq);
	}
	(void)ptrsize;
	return true;
}
