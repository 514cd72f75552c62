/*
 * tests/unit/test_etl_afd.c - binary Winsock-AFD payloads (parsers/etl_afd.c)
 * and TCPIP transport / network-layer drops (1214 / 1215, parsers/etl_tcpip.c)
 * become the etw.afd.* / etw.tcpip.drop events the text ETW parsers give.
 * No real ETL file in ../shared/corpus holds these events, so every payload
 * here is built byte for byte from the providers' documented layouts (the
 * Windows 10 build 10240 manifests, repnz/etw-providers-docs
 * Manifests-Win10-10240/Microsoft-Windows-Winsock-AFD.xml and
 * Microsoft-Windows-TCPIP.xml, every event version 0):
 *   AFD 1030 bind with address: EnterExit u32, Location u32, Process ptr,
 *     Endpoint ptr, Status u32, AddressLen u32, Address
 *   AFD 1033 datagram dropped: EnterExit, Location, Process, Endpoint, Buffer
 *     ptr, BufferLength u32, AddressLen u32, Address, Reason u32 (2 = Insufficient
 *     local buffer space)
 *   AFD 1018 connect with address: EnterExit, Location, Process, Endpoint,
 *     Buffer, BufferLength, Status, AddressLen, Address
 *   AFD 1032 abort: EnterExit, Location, Process, Endpoint, Reason u32
 *   TCPIP 1215: IPTransportProtocol u32, AddressFamily u32, SourceIPv4Address
 *     u32, DestIPv4Address u32, IPv6SourceIpAddrLength u32, IPv6SourceAddress,
 *     IPv6DestIpAddrLength u32, IPv6DestAddress, Reason u32, PacketCount u32,
 *     IPProtocol u32
 *   TCPIP 1214: IPTransportProtocol, AddressFamily, LocalSockAddrLength,
 *     LocalSockAddr, RemoteSockAddrLength, RemoteSockAddr, Reason, PacketCount
 * Pointers: 8 bytes under an EVENT_HEADER64 record, 4 under EVENT_HEADER32.
 */
#include <stdlib.h>

#include "etl_payload.h"

static const uint8_t HOST[4] = { 10, 0, 0, 5 }, PEER[4] = { 10, 0, 0, 53 };
static const uint8_t HOST6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 }, PEER6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x53 };
static const uint64_t PROC = 0xFFFFE189C0A1D080ull, EP = 0xFFFFE189BF2C7A10ull;

static struct etl_afd *af;
static struct etl_tcpip *tc;

static void setup(void)
{
	af = calloc(1, sizeof *af);
	tc = calloc(1, sizeof *tc);
	n = 0;
	ps = 8;
}
static void teardown(void) { free(af); free(tc); }

/* "bind: 0: Process P, Endpoint E, Address 10.0.0.5:53124, Seq 8811, Status 0" */
static struct etl_rec bind4(void)
{
	n = 0;
	u32(0);
	u32(8811);
	ptr(PROC);
	ptr(EP);
	u32(0);
	sin4(HOST, 53124);
	return payload_rec(ETL_GUID_AFD, 1030);
}

/* "datagram dropped: 0: Process P, Endpoint E, Buffer 0, Length 512,
 * Address 10.0.0.53:53, Seq 8812, Reason Insufficient local buffer space" */
static struct etl_rec drop4(void)
{
	n = 0;
	u32(0);
	u32(8812);
	ptr(PROC);
	ptr(EP);
	ptr(0);
	u32(512);
	sin4(PEER, 53);
	u32(2);
	return payload_rec(ETL_GUID_AFD, 1033);
}

START_TEST(bind_then_datagram_drop_has_the_udp_flow)
{
	struct etl_rec r = bind4();
	event_reset(&ev);
	ck_assert(etl_afd_event(&r, af, &ev));
	ck_assert_str_eq(ev.type, "etw.afd.bind");
	ck_assert(str_is("etw.afd.endpoint", "0xFFFFE189BF2C7A10"));
	ck_assert(str_is("etw.afd.address", "10.0.0.5:53124"));
	ck_assert_int_eq(num("etw.afd.seq"), 8811);
	ck_assert(!(ev.flags & EV_HAS_FLOW));

	r = drop4();
	ck_assert_int_eq(r.len, 4 + 4 + 8 + 8 + 8 + 4 + 4 + 16 + 4);
	event_reset(&ev);
	ck_assert(etl_afd_event(&r, af, &ev));
	ck_assert_str_eq(ev.type, "etw.afd.datagram_dropped");
	ck_assert(str_is("etw.event", "datagram_dropped"));
	ck_assert(str_is("etw.reason", "Insufficient local buffer space"));
	ck_assert_int_eq(num("etw.afd.reason_code"), 2);
	ck_assert(str_is("etw.afd.endpoint", "0xFFFFE189BF2C7A10"));
	ck_assert(str_is("etw.afd.process", "0xFFFFE189C0A1D080"));
	ck_assert_int_eq(num("etw.afd.length"), 512);
	ck_assert_int_eq(num("etw.afd.seq"), 8812);
	ck_assert(str_is("etw.afd.address", "10.0.0.53:53"));
	/* the dropped datagram came from the peer to the bound socket */
	flow_is(4, PEER, 53, HOST, 53124, 17);
}
END_TEST

START_TEST(drop_without_a_bind_names_the_sender_only)
{
	struct etl_rec r = drop4();
	event_reset(&ev);
	ck_assert(etl_afd_event(&r, af, &ev));
	ck_assert(!(ev.flags & EV_HAS_FLOW));
	ck_assert_int_eq(num("udp.srcport"), 53);
	ck_assert(event_get(&ev, "ip.src") != NULL);
	/* every reason of AFD_DGRAM_DROP_ValueMap, and one outside it */
	static const char *const want[] = { "Datagram source address does not match connected address",
		"Insufficient local buffer space", "Buffer allocation failed",
		"Insufficient local buffer space - circular queueing enabled",
		"Indicated datagram too large - integer overflow", "6" };
	for (uint32_t k = 1; k <= 6; k++) {
		buf[n - 4] = (uint8_t)k;
		event_reset(&ev);
		ck_assert(etl_afd_event(&r, af, &ev));
		ck_assert(str_is("etw.reason", want[k - 1]));
	}
}
END_TEST

START_TEST(pointers_of_32_bits_and_ipv6)
{
	ps = 4;
	n = 0;
	u32(0);
	u32(17);
	ptr(0x8A1D0080u);
	ptr(0x8BF27A10u);
	u32(0);
	sin6(HOST6, 5353);
	struct etl_rec r = payload_rec(ETL_GUID_AFD, 1030);
	ck_assert_int_eq(r.htype, ETL_H_EH32);
	event_reset(&ev);
	ck_assert(etl_afd_event(&r, af, &ev));
	ck_assert(str_is("etw.afd.endpoint", "0x8BF27A10"));
	ck_assert(str_is("etw.afd.address", "[2001:db8::5]:5353"));

	n = 0;
	u32(0);
	u32(18);
	ptr(0x8A1D0080u);
	ptr(0x8BF27A10u);
	ptr(0);
	u32(1472);
	sin6(PEER6, 5353);
	u32(2);
	r = payload_rec(ETL_GUID_AFD, 1033);
	ck_assert_int_eq(r.len, 4 + 4 + 4 + 4 + 4 + 4 + 4 + 28 + 4);
	event_reset(&ev);
	ck_assert(etl_afd_event(&r, af, &ev));
	ck_assert_str_eq(ev.type, "etw.afd.datagram_dropped");
	ck_assert_int_eq(num("etw.afd.length"), 1472);
	flow_is(6, PEER6, 5353, HOST6, 5353, 17);
}
END_TEST

START_TEST(connect_and_abort)
{
	struct etl_rec r = bind4();
	event_reset(&ev);
	ck_assert(etl_afd_event(&r, af, &ev));
	/* "connect: 0: Process P, Endpoint E, Address 10.0.0.53:443, Seq 5024, Status 0" */
	n = 0;
	u32(0);
	u32(5024);
	ptr(PROC);
	ptr(EP);
	ptr(0);
	u32(0);
	u32(0);
	sin4(PEER, 443);
	r = payload_rec(ETL_GUID_AFD, 1018);
	r.keyword = 0x2 | 0x4;  /* AFD_KW_STREAM | AFD_KW_SOURCE_WINSOCK */
	event_reset(&ev);
	ck_assert(etl_afd_event(&r, af, &ev));
	ck_assert_str_eq(ev.type, "etw.afd.connect");
	ck_assert(str_is("etw.status", "0x0"));
	flow_is(4, HOST, 53124, PEER, 443, 6);

	n = 0;
	u32(1);
	u32(12001);
	ptr(PROC);
	ptr(EP);
	u32(0x10);
	r = payload_rec(ETL_GUID_AFD, 1032);
	event_reset(&ev);
	ck_assert(etl_afd_event(&r, af, &ev));
	ck_assert_str_eq(ev.type, "etw.afd.abort");
	ck_assert(str_is("etw.reason", "16"));
	ck_assert(!(ev.flags & EV_HAS_FLOW));
}
END_TEST

/* every cut of the payload, another version, another provider or id: not decoded */
START_TEST(afd_truncated_or_unknown_version_stays_generic)
{
	struct etl_rec r = drop4();
	uint32_t full = r.len;
	for (uint32_t cut = 0; cut < full; cut++) {
		r.len = cut;
		event_reset(&ev);
		ck_assert(!etl_afd_event(&r, af, &ev));
		ck_assert_ptr_nonnull(af->why);
		ck_assert_int_eq(ev.nfields, 0);
	}
	r.len = full;
	r.version = 1;
	ck_assert(!etl_afd_event(&r, af, &ev));
	ck_assert_str_eq(af->why, "Winsock-AFD event version without a known layout");
	r.version = 0;
	r.guid[0] ^= 1;
	ck_assert(!etl_afd_event(&r, af, &ev));
	ck_assert_ptr_null(af->why);
	r = drop4();
	r.id = 1035;  /* AfdOption: not decoded */
	ck_assert(!etl_afd_event(&r, af, &ev));
	ck_assert_ptr_null(af->why);
	r = bind4();
	for (uint32_t cut = 0; cut < r.len; cut++) {
		struct etl_rec c = r;
		c.len = cut;
		ck_assert(!etl_afd_event(&c, af, &ev));
		ck_assert_ptr_nonnull(af->why);
	}
}
END_TEST

/* "TCPIP: Network layer (Protocol 1(ICMP), AddressFamily = 2(IPV4)) dropped 1
 * packet(s) ... SourceAddress = 192.168.5.68 DestAddress = 6.6.0.27 Reason =
 * 9(Inspection drop)." */
static const uint8_t NL_S[4] = { 192, 168, 5, 68 }, NL_D[4] = { 6, 6, 0, 27 };
static struct etl_rec nl_drop4(void)
{
	n = 0;
	u32(1);      /* ICMP */
	u32(2);      /* AF_INET */
	u8s(NL_S, 4);
	u8s(NL_D, 4);
	u32(0);      /* no IPv6 addresses */
	u32(0);
	u32(9);      /* Inspection drop */
	u32(1);      /* PacketCount */
	u32(4);      /* IPProtocol */
	return payload_rec(ETL_GUID_TCPIP, 1215);
}

START_TEST(network_layer_drop_ipv4)
{
	struct etl_rec r = nl_drop4();
	event_reset(&ev);
	ck_assert(etl_tcpip_event(&r, tc, &ev));
	ck_assert_str_eq(ev.type, "etw.tcpip.drop");
	ck_assert(str_is("etw.reason", "Inspection drop"));
	ck_assert(str_is("etw.tcpip.layer", "network"));
	ck_assert_int_eq(num("etw.tcpip.reason_code"), 9);
	ck_assert_int_eq(num("etw.tcpip.packets"), 1);
	flow_is(4, NL_S, 0, NL_D, 0, 1);
	buf[n - 12] = 0x04;  /* Reason 0x104 */
	buf[n - 11] = 0x01;
	event_reset(&ev);
	ck_assert(etl_tcpip_event(&r, tc, &ev));
	ck_assert(str_is("etw.reason", "Address Resolution Timeout"));
}
END_TEST

START_TEST(network_layer_drop_ipv6)
{
	n = 0;
	u32(17);
	u32(23);
	u32(0);
	u32(0);
	u32(16);
	u8s(PEER6, 16);
	u32(16);
	u8s(HOST6, 16);
	u32(4);      /* Port unreachable */
	u32(3);
	u32(6);
	struct etl_rec r = payload_rec(ETL_GUID_TCPIP, 1215);
	event_reset(&ev);
	ck_assert(etl_tcpip_event(&r, tc, &ev));
	ck_assert(str_is("etw.reason", "Port unreachable"));
	ck_assert_int_eq(num("etw.tcpip.packets"), 3);
	flow_is(6, PEER6, 0, HOST6, 0, 17);
}
END_TEST

START_TEST(transport_drop_flows_from_the_remote)
{
	n = 0;
	u32(17);
	u32(2);
	sin4(HOST, 53124);   /* local */
	sin4(PEER, 53);      /* remote */
	u32(7);
	u32(2);
	struct etl_rec r = payload_rec(ETL_GUID_TCPIP, 1214);
	event_reset(&ev);
	ck_assert(etl_tcpip_event(&r, tc, &ev));
	ck_assert_str_eq(ev.type, "etw.tcpip.drop");
	ck_assert(str_is("etw.tcpip.layer", "transport"));
	ck_assert(str_is("etw.reason", "7"));
	ck_assert_int_eq(num("etw.tcpip.packets"), 2);
	flow_is(4, PEER, 53, HOST, 53124, 17);
	uint32_t full = r.len;
	for (uint32_t cut = 0; cut < full; cut++) {
		r.len = cut;
		event_reset(&ev);
		ck_assert(!etl_tcpip_event(&r, tc, &ev));
		ck_assert_ptr_nonnull(tc->why);
	}
}
END_TEST

START_TEST(tcpip_drop_truncated_or_unknown_version_stays_generic)
{
	struct etl_rec r = nl_drop4();
	uint32_t full = r.len;
	for (uint32_t cut = 0; cut < full; cut++) {
		r.len = cut;
		event_reset(&ev);
		ck_assert(!etl_tcpip_event(&r, tc, &ev));
		ck_assert_str_eq(tc->why, "TCPIP drop payload shorter than its layout");
		ck_assert_int_eq(ev.nfields, 0);
	}
	r.len = full;
	r.version = 2;
	ck_assert(!etl_tcpip_event(&r, tc, &ev));
	ck_assert_str_eq(tc->why, "TCPIP drop event version without a known layout");
	/* IPv6 family with an address length other than 16 */
	r = nl_drop4();
	buf[4] = 23;
	ck_assert(!etl_tcpip_event(&r, tc, &ev));
	ck_assert_str_eq(tc->why, "TCPIP drop with an unknown address family");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("etl_afd");
	TCase *t = tcase_create("core");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, bind_then_datagram_drop_has_the_udp_flow);
	tcase_add_test(t, drop_without_a_bind_names_the_sender_only);
	tcase_add_test(t, pointers_of_32_bits_and_ipv6);
	tcase_add_test(t, connect_and_abort);
	tcase_add_test(t, afd_truncated_or_unknown_version_stays_generic);
	tcase_add_test(t, network_layer_drop_ipv4);
	tcase_add_test(t, network_layer_drop_ipv6);
	tcase_add_test(t, transport_drop_flows_from_the_remote);
	tcase_add_test(t, tcpip_drop_truncated_or_unknown_version_stays_generic);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int f = srunner_ntests_failed(sr);
	srunner_free(sr);
	return f ? EXIT_FAILURE : EXIT_SUCCESS;
}
