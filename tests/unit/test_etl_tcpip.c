/*
 * tests/unit/test_etl_tcpip.c - binary Microsoft-Windows-TCPIP payloads
 * (parsers/etl_tcpip.c) become the etw.tcpip.* events the text parsers give.
 * No real ETL file in ../shared/corpus holds TCPIP events, so every payload
 * here is built byte for byte from the provider's documented manifest layouts
 * (field order and types as OTRF/OSSEM's data dictionary lists them):
 *   1002 TcpRequestConnect: Tcb ptr, LocalAddressLength u32, LocalAddress
 *     SOCKADDR, RemoteAddressLength u32, RemoteAddress, NewState u32, RexmitCount u32
 *   1033 TcpConnectTcbComplete / 1017 TcpAcceptListenerComplete / 1046
 *     TcpDisconnectTcbRtoTimeout: LocalAddressLength, LocalAddress,
 *     RemoteAddressLength, RemoteAddress, Status u32, ProcessId u32,
 *     Compartment u32, Tcb ptr
 *   1051 TcpTcbStateChange: OldState u32, NewState u32, SndNxt u32, Tcb ptr
 * SOCKADDR_IN: u16 family 2, u16 port (network order), 4 address bytes, 8 zero;
 * SOCKADDR_IN6: u16 family 23, u16 port, u32 flowinfo, 16 bytes, u32 scope.
 */
#include <stdlib.h>

#include "etl_payload.h"

static const uint8_t LOCAL[4] = { 192, 168, 5, 68 }, REMOTE[4] = { 6, 6, 0, 27 };
static const uint64_t TCB = 0xFFFFE189BD811AA0ull;

static struct etl_rec rec(uint16_t id)
{
	return payload_rec(ETL_GUID_TCPIP, id);
}

static struct etl_tcpip *tc;

static void setup(void)
{
	tc = calloc(1, sizeof *tc);
	n = 0;
}
static void teardown(void) { free(tc); }

START_TEST(connect_request_then_state_change_has_flow)
{
	u64(TCB);
	sin4(LOCAL, 55330);
	sin4(REMOTE, 443);
	u32(0);  /* NewState ClosedState */
	u32(0);  /* RexmitCount */
	struct etl_rec r = rec(1002);
	event_reset(&ev);
	ck_assert(etl_tcpip_event(&r, tc, &ev));
	ck_assert_str_eq(ev.type, "etw.tcpip.connect");
	ck_assert(str_is("etw.tcb", "0xFFFFE189BD811AA0"));
	flow_is(4, LOCAL, 55330, REMOTE, 443, 6);

	/* "TCP: connection 0xFFFFE189BD811AA0 transition from ClosedState to
	 * SynSentState, SndNxt = 1845311921." */
	n = 0;
	u32(0);
	u32(2);
	u32(1845311921u);
	u64(TCB);
	r = rec(1051);
	event_reset(&ev);
	ck_assert(etl_tcpip_event(&r, tc, &ev));
	ck_assert_str_eq(ev.type, "etw.tcpip.state_change");
	ck_assert(str_is("etw.tcpip.old_state", "ClosedState"));
	ck_assert(str_is("etw.tcpip.new_state", "SynSentState"));
	ck_assert_int_eq(num("etw.tcpip.snd_nxt"), 1845311921);
	flow_is(4, LOCAL, 55330, REMOTE, 443, 6);
}
END_TEST

static void completion(uint16_t id, uint32_t status)
{
	n = 0;
	sin4(LOCAL, 55330);
	sin4(REMOTE, 443);
	u32(status);
	u32(3860);  /* ProcessId */
	u32(1);     /* Compartment */
	u64(TCB);
	struct etl_rec r = rec(id);
	event_reset(&ev);
	ck_assert(etl_tcpip_event(&r, tc, &ev));
}

START_TEST(connect_completed_and_retransmission_timeout)
{
	completion(1033, 0);
	ck_assert_str_eq(ev.type, "etw.tcpip.connect_completed");
	ck_assert_int_eq(num("etw.process"), 3860);
	ck_assert(str_is("etw.status", "0x0"));
	flow_is(4, LOCAL, 55330, REMOTE, 443, 6);
	completion(1046, 0xC00000B5u);  /* STATUS_IO_TIMEOUT */
	ck_assert_str_eq(ev.type, "etw.tcpip.retransmit_timeout");
	ck_assert(str_is("etw.event", "retransmit_timeout"));
	ck_assert(str_is("etw.status", "0xc00000b5"));
	flow_is(4, LOCAL, 55330, REMOTE, 443, 6);
}
END_TEST

START_TEST(accept_flows_from_the_remote)
{
	completion(1017, 0);
	ck_assert_str_eq(ev.type, "etw.tcpip.accept");
	flow_is(4, REMOTE, 443, LOCAL, 55330, 6);
}
END_TEST

START_TEST(ipv6_sockaddr)
{
	static const uint8_t l6[16] = { 0xfe, 0x80, [15] = 1 }, r6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
	u64(TCB);
	sin6(l6, 443);
	sin6(r6, 80);
	u32(0);
	u32(0);
	struct etl_rec r = rec(1002);
	event_reset(&ev);
	ck_assert(etl_tcpip_event(&r, tc, &ev));
	ck_assert_int_eq(ev.flow.src.family, 6);
	ck_assert(!memcmp(ev.flow.dst.b, r6, 16));
	ck_assert_int_eq(ev.flow.sport, 443);
	ck_assert_int_eq(ev.flow.dport, 80);
}
END_TEST

START_TEST(truncated_or_foreign_is_not_decoded)
{
	completion(1033, 0);
	struct etl_rec r = rec(1033);
	for (uint32_t cut = 0; cut < r.len; cut++) {
		r.len = cut;
		event_reset(&ev);
		ck_assert(!etl_tcpip_event(&r, tc, &ev));
	}
	r = rec(1033);
	r.guid[0] ^= 1;  /* another provider */
	event_reset(&ev);
	ck_assert(!etl_tcpip_event(&r, tc, &ev));
	r = rec(1300);   /* an id not decoded */
	memcpy(r.guid, ETL_GUID_TCPIP, 16);
	ck_assert(!etl_tcpip_event(&r, tc, &ev));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("etl_tcpip");
	TCase *tc_ = tcase_create("core");
	tcase_add_checked_fixture(tc_, setup, teardown);
	tcase_add_test(tc_, connect_request_then_state_change_has_flow);
	tcase_add_test(tc_, connect_completed_and_retransmission_timeout);
	tcase_add_test(tc_, accept_flows_from_the_remote);
	tcase_add_test(tc_, ipv6_sockaddr);
	tcase_add_test(tc_, truncated_or_foreign_is_not_decoded);
	suite_add_tcase(s, tc_);
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
