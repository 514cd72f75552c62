/*
 * tests/unit/test_an_tcp.c - the TCP analyzer's state machine on hand-built
 * segment sequences: every Wireshark flag, window scaling, each handshake
 * case, RST origin, idle-gap fate, retransmission storms (with --retrans-min),
 * zero-window stalls, SACK stall,
 * session summary, and sequence numbers wrapping past 2^32.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../correlator/analyze/an_tcp.h"
#include "../../correlator/core/run.h"
#include "../../parsers/decode/packet.h"

#define MS 1000000LL
#define T0 (1700000000LL * 1000000000LL)

struct got {
	const char *type;
	uint64_t ref;
	int64_t ts;
	char fields[512];
};

static struct got got[256];
static int ngot;
static struct run run;
static void *st;
static uint64_t frame;
static struct pkt pk;
static struct event ev;

static void collect(void *ctx, struct event *e)
{
	(void)ctx;
	ck_assert_int_lt(ngot, 256);
	struct got *g = &got[ngot++];
	g->type = e->type;
	g->ref = e->ref;
	g->ts = e->ts;
	size_t n = 0;
	g->fields[0] = 0;
	for (unsigned i = 0; i < e->nfields && n < sizeof g->fields - 1; i++) {
		char v[96];
		if (!strcmp(e->fields[i].name, "cite"))
			continue;   /* long; tested through the findings */
		value_format(&e->fields[i].v, v, sizeof v);
		n += (size_t)snprintf(g->fields + n, sizeof g->fields - n, "%s=%s;", e->fields[i].name, v);
	}
}

static void setup(void)
{
	memset(&run, 0, sizeof run);
	run_options_default(&run.opt);
	st = analyzer_tcp.create(&run);
	an_tcp_set_emit_hook(st, collect, NULL);
	ngot = 0;
	frame = 0;
}

static void teardown(void)
{
	analyzer_tcp.destroy(st);
}

struct opt {
	int wscale;      /* -1 none */
	uint8_t ttl;
	uint16_t ipid;
	uint8_t nsack;
	uint32_t sack[4][2];
};

/* One segment at t ms; dir 0: 10.0.0.1:1000 -> 10.0.0.2:80, dir 1 the reverse. */
static uint64_t seg_o(int64_t t_ms, int dir, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len,
		      uint16_t win, const struct opt *o)
{
	analyzer_tcp.tick(st, T0 + t_ms * MS, NULL);
	memset(&pk, 0, sizeof pk);
	pk.layers = PKT_ETH | PKT_IP4 | PKT_TCP;
	pk.ipver = 4;
	pk.ttl = o && o->ttl ? o->ttl : 64;
	pk.ip_id = o ? o->ipid : 0;
	uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };
	addr_v4(&pk.src, dir ? b : a);
	addr_v4(&pk.dst, dir ? a : b);
	pk.sport = dir ? 80 : 1000;
	pk.dport = dir ? 1000 : 80;
	pk.seq = seq;
	pk.ack = ack;
	pk.tcp_flags = flags;
	pk.win = win;
	pk.l4_len = len;
	pk.mss = -1;
	pk.wscale = (int8_t)(o && (flags & TH_SYN) ? o->wscale : -1);
	if (o && o->nsack) {
		pk.nsack = o->nsack;
		memcpy(pk.sack, o->sack, sizeof pk.sack);
	}
	event_reset(&ev);
	ev.type = "tcp";
	ev.ts = ev.ts_raw = T0 + t_ms * MS;
	ev.ref = ++frame;
	ev.pkt = &pk;
	ev.flags = EV_HAS_FLOW;
	ev.flow.src = pk.src;
	ev.flow.dst = pk.dst;
	ev.flow.sport = pk.sport;
	ev.flow.dport = pk.dport;
	ev.flow.proto = 6;
	analyzer_tcp.event(st, &ev, NULL);
	return frame;
}

static uint64_t seg(int64_t t_ms, int dir, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len,
		    uint16_t win)
{
	return seg_o(t_ms, dir, flags, seq, ack, len, win, NULL);
}

static void finish(void)
{
	analyzer_tcp.finish(st, NULL);
}

/* Frames flagged with type, as "1,2,3". */
static const char *frames(const char *type)
{
	static char buf[256];
	size_t n = 0;
	buf[0] = 0;
	for (int i = 0; i < ngot; i++)
		if (strcmp(got[i].type, type) == 0)
			n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%llu", n ? "," : "",
					      (unsigned long long)got[i].ref);
	return buf;
}

static const struct got *find(const char *type)
{
	for (int i = 0; i < ngot; i++)
		if (strcmp(got[i].type, type) == 0)
			return &got[i];
	return NULL;
}

static void has_field(const char *type, const char *kv)
{
	const struct got *g = find(type);
	ck_assert_msg(g != NULL, "no %s", type);
	ck_assert_msg(strstr(g->fields, kv) != NULL, "%s: want %s in %s", type, kv, g->fields);
}

/* client ISN 1000, server ISN 5000, handshake at 0/10/20 ms */
static void handshake3(void)
{
	seg(0, 0, TH_SYN, 1000, 0, 0, 8192);
	seg(10, 1, TH_SYN | TH_ACK, 5000, 1001, 0, 8192);
	seg(20, 0, TH_ACK, 1001, 5001, 0, 8192);
}

START_TEST(retransmission)
{
	handshake3();
	seg(30, 0, TH_ACK | TH_PUSH, 1001, 5001, 100, 8192);   /* 4 */
	seg(330, 0, TH_ACK | TH_PUSH, 1001, 5001, 100, 8192);  /* 5 retransmission */
	seg(340, 1, TH_ACK, 5001, 1101, 0, 8192);
	ck_assert_str_eq(frames("tcp.retransmission"), "5");
	ck_assert_str_eq(frames("tcp.fast_retransmission"), "");
	ck_assert_str_eq(frames("tcp.out_of_order"), "");
	finish();
	has_field("tcp.session", "history=ShADTa;");
	has_field("tcp.session", "retransmissions=1;");
	has_field("tcp.session", "end=open;");
}
END_TEST

START_TEST(fast_and_dupacks)
{
	handshake3();
	seg(30, 0, TH_ACK, 1001, 5001, 100, 8192);   /* 4: lost in the network */
	seg(31, 0, TH_ACK, 1101, 5001, 100, 8192);   /* 5 */
	seg(32, 0, TH_ACK, 1201, 5001, 100, 8192);   /* 6 */
	seg(40, 1, TH_ACK, 5001, 1001, 0, 8192);     /* 7 */
	seg(41, 1, TH_ACK, 5001, 1001, 0, 8192);     /* 8 dup #1 */
	seg(42, 1, TH_ACK, 5001, 1001, 0, 8192);     /* 9 dup #2 */
	seg(43, 0, TH_ACK, 1001, 5001, 100, 8192);   /* 10 fast retransmission */
	/* 7 repeats the SYN-ACK's ack and window: Wireshark counts it too */
	ck_assert_str_eq(frames("tcp.duplicate_ack"), "7,8,9");
	ck_assert_str_eq(frames("tcp.fast_retransmission"), "10");
	ck_assert_str_eq(frames("tcp.retransmission"), "10");
	has_field("tcp.duplicate_ack", "tcp.analysis.duplicate_ack_num=1;");
	has_field("tcp.duplicate_ack", "tcp.analysis.duplicate_ack_frame=2;");
}
END_TEST

START_TEST(spurious_and_ooo)
{
	handshake3();
	seg(30, 0, TH_ACK, 1001, 5001, 100, 8192);   /* 4 */
	seg(40, 1, TH_ACK, 5001, 1101, 0, 8192);     /* 5 acks it */
	seg(500, 0, TH_ACK, 1001, 5001, 100, 8192);  /* 6 spurious: already acked */
	ck_assert_str_eq(frames("tcp.spurious_retransmission"), "6");
	ck_assert_str_eq(frames("tcp.retransmission"), "6");
	seg(600, 0, TH_ACK, 1201, 5001, 100, 8192);  /* 7: 1101 missing */
	seg(601, 0, TH_ACK, 1101, 5001, 100, 8192);  /* 8: out of order (within the RTT) */
	ck_assert_str_eq(frames("tcp.lost_segment"), "7");
	ck_assert_str_eq(frames("tcp.out_of_order"), "8");
}
END_TEST

START_TEST(ack_lost)
{
	handshake3();
	seg(30, 0, TH_ACK, 1001, 5001, 100, 8192);
	seg(40, 1, TH_ACK, 5001, 1201, 0, 8192);     /* 5 acks bytes never seen */
	ck_assert_str_eq(frames("tcp.ack_lost_segment"), "5");
}
END_TEST

START_TEST(windows)
{
	handshake3();
	seg(30, 0, TH_ACK, 1001, 5001, 8192, 8192);  /* 4 fills the server's 8192 window */
	seg(40, 1, TH_ACK, 5001, 9193, 0, 0);        /* 5 zero window */
	seg(500, 0, TH_ACK, 9193, 5001, 1, 8192);    /* 6 zero window probe */
	seg(510, 1, TH_ACK, 5001, 9193, 0, 0);       /* 7 zero window (and probe ack) */
	seg(900, 1, TH_ACK, 5001, 9193, 0, 4096);    /* 8 window update */
	ck_assert_str_eq(frames("tcp.window_full"), "4");
	ck_assert_str_eq(frames("tcp.zero_window"), "5,7");
	ck_assert_str_eq(frames("tcp.zero_window_probe"), "6");
	ck_assert_str_eq(frames("tcp.window_update"), "8");
	ck_assert_str_eq(frames("tcp.retransmission"), "");
}
END_TEST

START_TEST(window_scaling)
{
	struct opt ws = { .wscale = 2 };
	seg_o(0, 0, TH_SYN, 1000, 0, 0, 1000, &ws);
	seg_o(10, 1, TH_SYN | TH_ACK, 5000, 1001, 0, 1000, &ws);
	seg(20, 0, TH_ACK, 1001, 5001, 0, 1000);
	seg(30, 1, TH_ACK, 5001, 1001, 0, 1000);     /* server window 1000 << 2 = 4000 */
	seg(40, 0, TH_ACK, 1001, 5001, 1000, 1000);  /* not full */
	seg(41, 0, TH_ACK, 2001, 5001, 3000, 1000);  /* 6: reaches 1001 + 4000 */
	ck_assert_str_eq(frames("tcp.window_full"), "6");
}
END_TEST

START_TEST(keepalive)
{
	handshake3();
	seg(30, 0, TH_ACK, 1001, 5001, 100, 8192);
	seg(40, 1, TH_ACK, 5001, 1101, 0, 8192);
	seg(60000, 0, TH_ACK, 1100, 5001, 0, 8192);  /* 6 keep-alive */
	seg(60010, 1, TH_ACK, 5001, 1101, 0, 8192);  /* 7 keep-alive ack */
	ck_assert_str_eq(frames("tcp.keep_alive"), "6");
	ck_assert_str_eq(frames("tcp.keep_alive_ack"), "7");
	ck_assert_str_eq(frames("tcp.retransmission"), "");
	ck_assert_str_eq(frames("tcp.duplicate_ack"), "");
}
END_TEST

START_TEST(reused_ports)
{
	handshake3();
	seg(30, 0, TH_ACK | TH_FIN, 1001, 5001, 0, 8192);
	seg(40, 1, TH_ACK | TH_FIN, 5001, 1002, 0, 8192);
	seg(50, 0, TH_ACK, 1002, 5002, 0, 8192);
	seg(5000, 0, TH_SYN, 1000, 0, 0, 8192);      /* 7: same ISN but after FIN */
	ck_assert_str_eq(frames("tcp.reused_ports"), "7");
	ck_assert_str_eq(frames("tcp.retransmission"), "");
	ck_assert_str_eq(frames("tcp.handshake.new_isn"), "");
	const struct got *s = find("tcp.session");
	ck_assert_ptr_nonnull(s);
	ck_assert_msg(strstr(s->fields, "history=ShAFf;") && strstr(s->fields, "end=fin;"), "%s", s->fields);
}
END_TEST

START_TEST(new_isn_and_repeat)
{
	seg(0, 0, TH_SYN, 1000, 0, 0, 8192);
	seg(1000, 0, TH_SYN, 1000, 0, 0, 8192);      /* 2 repeated: also a retransmission */
	seg(1500, 0, TH_SYN, 7777, 0, 0, 8192);      /* 3 new ISN on a live tuple */
	ck_assert_str_eq(frames("tcp.handshake.syn_repeated"), "2");
	ck_assert_str_eq(frames("tcp.retransmission"), "2");
	ck_assert_str_eq(frames("tcp.reused_ports"), "3");
	ck_assert_str_eq(frames("tcp.handshake.new_isn"), "3");
}
END_TEST

START_TEST(unanswered_from_tick)
{
	seg(0, 0, TH_SYN, 1000, 0, 0, 8192);
	seg(2000, 0, TH_SYN, 1000, 0, 0, 8192);
	ck_assert_str_eq(frames("tcp.handshake.unanswered"), "");
	analyzer_tcp.tick(st, T0 + 2999 * MS, NULL);
	ck_assert_str_eq(frames("tcp.handshake.unanswered"), "");
	analyzer_tcp.tick(st, T0 + 3000 * MS, NULL);
	ck_assert_str_eq(frames("tcp.handshake.unanswered"), "1");
	ck_assert_int_eq(find("tcp.handshake.unanswered")->ts, T0 + 3000 * MS);
	finish();
	ck_assert_str_eq(frames("tcp.handshake.unanswered"), "1");  /* not twice */
}
END_TEST

START_TEST(unanswered_at_finish)
{
	seg(0, 0, TH_SYN, 1000, 0, 0, 8192);
	finish();
	ck_assert_str_eq(frames("tcp.handshake.unanswered"), "1");
}
END_TEST

START_TEST(refused_and_simultaneous)
{
	seg(0, 0, TH_SYN, 1000, 0, 0, 8192);
	seg(5, 1, TH_RST | TH_ACK, 0, 1001, 0, 0);
	/* nothing else from the server: origin unknown, known at the end */
	finish();
	ck_assert_str_eq(frames("tcp.handshake.refused"), "2");
	has_field("tcp.handshake.refused", "origin=unknown;");
	ck_assert_str_eq(frames("tcp.handshake.unanswered"), "");
	teardown();
	setup();
	seg(0, 0, TH_SYN, 1000, 0, 0, 8192);
	seg(1, 1, TH_SYN, 5000, 0, 0, 8192);
	ck_assert_str_eq(frames("tcp.handshake.simultaneous_open"), "2");
}
END_TEST

START_TEST(ack_mismatch_and_wrap)
{
	/* server ISN near 2^32; the SYN-ACK carries 2 bytes; the client acks ISN+3 */
	seg(0, 0, TH_SYN, 1000, 0, 0, 8192);
	seg(10, 1, TH_SYN | TH_ACK, 4294967294u, 1001, 2, 8192);
	seg(20, 0, TH_ACK, 1001, 1, 0, 8192);        /* 4294967294 + 3 wraps to 1 */
	ck_assert_str_eq(frames("tcp.handshake.syn_with_data"), "2");
	ck_assert_str_eq(frames("tcp.handshake.ack_mismatch"), "3");
	has_field("tcp.handshake.ack_mismatch", "expected=4294967295;");
	has_field("tcp.handshake.ack_mismatch", "actual=1;");
	has_field("tcp.handshake.ack_mismatch", "diff=2;");
}
END_TEST

START_TEST(wraparound)
{
	seg(0, 0, TH_SYN, 4294967200u, 0, 0, 65535);
	seg(10, 1, TH_SYN | TH_ACK, 5000, 4294967201u, 0, 65535);
	seg(20, 0, TH_ACK, 4294967201u, 5001, 0, 65535);
	seg(30, 0, TH_ACK, 4294967201u, 5001, 200, 65535);  /* 4294967201 + 200 wraps to 105 */
	seg(31, 0, TH_ACK, 105, 5001, 100, 65535);          /* 5: follows across 2^32 */
	seg(40, 1, TH_ACK, 5001, 205, 0, 65535);
	seg(900, 0, TH_ACK, 105, 5001, 100, 65535);         /* 7: spurious (acked) */
	seg(901, 0, TH_ACK, 205, 5001, 100, 65535);
	seg(1500, 0, TH_ACK, 205, 5001, 100, 65535);        /* 9: retransmission */
	ck_assert_str_eq(frames("tcp.lost_segment"), "");
	ck_assert_str_eq(frames("tcp.out_of_order"), "");
	ck_assert_str_eq(frames("tcp.spurious_retransmission"), "7");
	ck_assert_str_eq(frames("tcp.retransmission"), "7,9");
}
END_TEST

START_TEST(rst_origin)
{
	struct opt srv = { .ttl = 52, .ipid = 3000 };
	seg(0, 0, TH_SYN, 1000, 0, 0, 8192);
	seg_o(10, 1, TH_SYN | TH_ACK, 5000, 1001, 0, 8192, &srv);
	srv.ipid++;
	seg_o(20, 1, TH_ACK, 5001, 1001, 100, 8192, &srv);
	struct opt forged = { .ttl = 60, .ipid = 3002 };
	seg_o(30, 1, TH_RST | TH_ACK, 5101, 1001, 0, 0, &forged);   /* TTL off by 8 */
	has_field("tcp.rst", "origin=path;");
	has_field("tcp.rst", "ttl_expected=52;");
	ngot = 0;
	struct opt forged2 = { .ttl = 52, .ipid = 40000 };
	seg_o(31, 1, TH_RST | TH_ACK, 5101, 1001, 0, 0, &forged2);  /* IP-ID far away */
	has_field("tcp.rst", "origin=path;");
	ngot = 0;
	struct opt real = { .ttl = 51, .ipid = 3002 };
	seg_o(32, 1, TH_RST | TH_ACK, 5101, 1001, 0, 0, &real);
	has_field("tcp.rst", "origin=peer;");
	ngot = 0;
}
END_TEST

START_TEST(rst_deferred)
{
	/* the server's first packet is an RST: judged on its next packet */
	struct opt forged = { .ttl = 60, .ipid = 100 };
	seg(0, 0, TH_SYN, 1000, 0, 0, 8192);
	seg_o(5, 1, TH_RST | TH_ACK, 0, 1001, 0, 0, &forged);
	ck_assert_ptr_null(find("tcp.rst"));
	struct opt real = { .ttl = 50, .ipid = 20000 };
	seg_o(10, 1, TH_SYN | TH_ACK, 5000, 1001, 0, 8192, &real);
	has_field("tcp.rst", "origin=path;");
	has_field("tcp.rst", "ttl_expected=50;");
	ck_assert_uint_eq(find("tcp.rst")->ref, 2);
	/* the SYN answered by that RST: refused, but by the path, not the server */
	ck_assert_str_eq(frames("tcp.handshake.refused"), "2");
	has_field("tcp.handshake.refused", "origin=path;");
}
END_TEST

START_TEST(rst_unknown)
{
	seg(0, 1, TH_RST | TH_ACK, 0, 1001, 0, 0);
	finish();
	has_field("tcp.rst", "origin=unknown;");
}
END_TEST

START_TEST(idle_fates)
{
	handshake3();
	seg(30, 0, TH_ACK, 1001, 5001, 100, 8192);
	seg(40, 1, TH_ACK, 5001, 1101, 0, 8192);
	int64_t t = 40 * 60 * 1000;                       /* 40 minutes later */
	uint64_t f = seg(t, 0, TH_ACK, 1101, 5001, 50, 8192);
	/* tcp.idle at once, at the resuming segment's own time and ref */
	ck_assert_ptr_nonnull(find("tcp.idle"));
	ck_assert_uint_eq(find("tcp.idle")->ref, f);
	ck_assert_int_eq(find("tcp.idle")->ts, T0 + t * MS);
	has_field("tcp.idle", "gap_exact=39 min 59.960000 s;");
	ck_assert_ptr_null(find("tcp.idle_fate"));
	seg(t + 10, 1, TH_ACK, 5001, 1151, 0, 8192);
	ck_assert_ptr_nonnull(find("tcp.idle_fate"));
	ck_assert_uint_eq(find("tcp.idle_fate")->ref, f);
	has_field("tcp.idle_fate", "fate=answered;");
	ngot = 0;
	t *= 2;
	seg(t, 0, TH_ACK, 1151, 5001, 50, 8192);
	seg(t + 400, 0, TH_ACK, 1151, 5001, 50, 8192);
	has_field("tcp.idle_fate", "fate=retransmitted;");
	ngot = 0;
	t *= 2;
	seg(t, 1, TH_RST, 5001, 0, 0, 0);
	has_field("tcp.idle_fate", "fate=reset;");
}
END_TEST

START_TEST(idle_none_at_finish)
{
	handshake3();
	seg(10LL * 60 * 1000, 0, TH_ACK, 1001, 5001, 10, 8192);
	finish();
	has_field("tcp.idle_fate", "fate=none;");
}
END_TEST

START_TEST(exhausted)
{
	handshake3();
	uint64_t orig = seg(30, 0, TH_ACK, 1001, 5001, 100, 8192);
	int64_t t = 30, rto = 300;
	for (int i = 0; i < 4; i++) {
		t += rto;
		seg(t, 0, TH_ACK, 1001, 5001, 100, 8192);
		rto *= 2;
	}
	uint64_t last = frame;
	seg(t + rto, 0, TH_RST | TH_ACK, 1101, 5001, 0, 0);
	has_field("tcp.retransmission_exhausted", "count=4;");
	has_field("tcp.retransmission_exhausted", "intervals=0.3s 0.6s 1.2s 2.4s;");
	has_field("tcp.retransmission_exhausted", "end=rst;");
	ck_assert_uint_eq(find("tcp.retransmission_exhausted")->ref, last);
	char kv[64];
	snprintf(kv, sizeof kv, "original_ref=%llu;", (unsigned long long)orig);
	has_field("tcp.retransmission_exhausted", kv);
	snprintf(kv, sizeof kv, "rst_ref=%llu;", (unsigned long long)frame);
	has_field("tcp.retransmission_exhausted", kv);
	has_field("tcp.retransmission_exhausted", "span=9.30 s;");   /* 30 ms to 9330 ms */
}
END_TEST

/* a SYN sent four times is the handshake's business, not a retransmission storm */
START_TEST(syn_retries_not_exhausted)
{
	for (int i = 0; i < 4; i++)
		seg(i * 1000, 0, TH_SYN, 1000, 0, 0, 8192);
	finish();
	ck_assert_ptr_nonnull(find("tcp.handshake.unanswered"));
	ck_assert_ptr_null(find("tcp.retransmission_exhausted"));
}
END_TEST

/* --retrans-min 5: four retransmissions are not enough */
START_TEST(exhausted_min_option)
{
	analyzer_tcp.destroy(st);
	run.opt.retrans_min = 5;
	st = analyzer_tcp.create(&run);
	an_tcp_set_emit_hook(st, collect, NULL);
	handshake3();
	seg(30, 0, TH_ACK, 1001, 5001, 100, 8192);
	int64_t t = 30, rto = 300;
	for (int i = 0; i < 4; i++) {
		t += rto;
		seg(t, 0, TH_ACK, 1001, 5001, 100, 8192);
		rto *= 2;
	}
	seg(t + rto, 0, TH_RST | TH_ACK, 1101, 5001, 0, 0);
	ck_assert_ptr_null(find("tcp.retransmission_exhausted"));
}
END_TEST

/* the server stops reading: zero window from 100 ms, one probe, open at 2100 ms */
START_TEST(zero_window_stall)
{
	handshake3();
	seg(30, 0, TH_ACK, 1001, 5001, 100, 8192);
	uint64_t zw = seg(100, 1, TH_ACK, 5001, 1101, 0, 0);
	seg(600, 0, TH_ACK, 1101, 5001, 1, 8192);
	seg(601, 1, TH_ACK, 5001, 1101, 0, 0);
	ck_assert_ptr_null(find("tcp.zero_window_stall"));
	seg(2100, 1, TH_ACK, 5001, 1101, 0, 8192);
	const struct got *g = find("tcp.zero_window_stall");
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->ref, zw);
	ck_assert_int_eq(g->ts, T0 + 2100 * MS);
	has_field("tcp.zero_window_stall", "duration=2.00 s;");
	has_field("tcp.zero_window_stall", "probes=1;");
	has_field("tcp.zero_window_stall", "end=reopened;");
	has_field("tcp.zero_window_stall", "ip.src=10.0.0.2;");
}
END_TEST

/* a zero window shorter than 100 ms is not a stall */
START_TEST(zero_window_brief)
{
	handshake3();
	seg(30, 0, TH_ACK, 1001, 5001, 100, 8192);
	seg(100, 1, TH_ACK, 5001, 1101, 0, 0);
	seg(150, 1, TH_ACK, 5001, 1101, 0, 8192);
	finish();
	ck_assert_ptr_null(find("tcp.zero_window_stall"));
}
END_TEST

START_TEST(not_exhausted_when_acked)
{
	handshake3();
	seg(30, 0, TH_ACK, 1001, 5001, 100, 8192);
	for (int i = 1; i <= 3; i++)
		seg(30 + i * 300, 0, TH_ACK, 1001, 5001, 100, 8192);
	seg(1000, 1, TH_ACK, 5001, 1101, 0, 8192);
	finish();
	ck_assert_ptr_null(find("tcp.retransmission_exhausted"));
}
END_TEST

START_TEST(sack_stall)
{
	handshake3();
	for (int i = 0; i < 5; i++)
		seg(30 + i, 0, TH_ACK, 1001 + 100 * (uint32_t)i, 5001, 100, 8192);
	struct opt sk = { .nsack = 1, .sack = { { 1101, 1501 } } };
	seg_o(50, 1, TH_ACK, 5001, 1001, 0, 8192, &sk);
	seg_o(51, 1, TH_ACK, 5001, 1001, 0, 8192, &sk);
	seg_o(52, 1, TH_ACK, 5001, 1001, 0, 8192, &sk);
	seg(400, 0, TH_ACK, 1001, 5001, 100, 8192);   /* retransmits the hole */
	ck_assert_ptr_null(find("tcp.sack_stall"));
	seg_o(410, 1, TH_ACK, 5001, 1001, 0, 8192, &sk);
	seg(1000, 0, TH_ACK, 1001, 5001, 100, 8192);  /* again: still not arriving */
	ck_assert_ptr_nonnull(find("tcp.sack_stall"));
	has_field("tcp.sack_stall", "repeats=4;");
}
END_TEST

START_TEST(session_summary)
{
	handshake3();
	seg(30, 0, TH_ACK | TH_PUSH, 1001, 5001, 100, 8192);
	seg(40, 1, TH_ACK | TH_PUSH, 5001, 1101, 300, 8192);
	seg(50, 0, TH_ACK | TH_FIN, 1101, 5301, 0, 8192);
	seg(60, 1, TH_ACK | TH_FIN, 5301, 1102, 0, 8192);
	seg(70, 0, TH_ACK, 1102, 5302, 0, 8192);
	ck_assert_ptr_null(find("tcp.session"));          /* lingers after the close */
	analyzer_tcp.tick(st, T0 + 2071 * MS, NULL);
	const struct got *s = find("tcp.session");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->ref, 8);
	ck_assert_msg(strstr(s->fields, "history=ShADdFf;"), "%s", s->fields);
	ck_assert_msg(strstr(s->fields, "pkts_a=5;pkts_b=3;bytes_a=100;bytes_b=300;"), "%s", s->fields);
	ck_assert_msg(strstr(s->fields, "rtt=20.0 ms;"), "%s", s->fields);
	ck_assert_msg(strstr(s->fields, "end=fin;"), "%s", s->fields);
	finish();
	ck_assert_int_eq(ngot, 1);
}
END_TEST

START_TEST(eviction_by_cap)
{
	teardown();
	memset(&run, 0, sizeof run);
	run_options_default(&run.opt);
	run.opt.max_sessions = 1;
	st = analyzer_tcp.create(&run);
	an_tcp_set_emit_hook(st, collect, NULL);
	seg(0, 0, TH_SYN, 1000, 0, 0, 8192);
	seg(1, 1, TH_SYN | TH_ACK, 5000, 1001, 0, 8192);
	pk.sport = 0;
	/* another session pushes the first out */
	memset(&pk, 0, sizeof pk);
	ev.flow.sport = 2000;
	ev.flow.src.b[3] = 9;
	ev.ts = T0 + 5 * MS;
	ev.ref = ++frame;
	pk.layers = PKT_TCP;
	pk.tcp_flags = TH_SYN;
	ev.pkt = &pk;
	analyzer_tcp.event(st, &ev, NULL);
	const struct got *s = find("tcp.session");
	ck_assert_ptr_nonnull(s);
	ck_assert_msg(strstr(s->fields, "end=evicted;"), "%s", s->fields);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("an_tcp");
	TCase *c = tcase_create("core");
	tcase_add_checked_fixture(c, setup, teardown);
	tcase_add_test(c, retransmission);
	tcase_add_test(c, fast_and_dupacks);
	tcase_add_test(c, spurious_and_ooo);
	tcase_add_test(c, ack_lost);
	tcase_add_test(c, windows);
	tcase_add_test(c, window_scaling);
	tcase_add_test(c, keepalive);
	tcase_add_test(c, reused_ports);
	tcase_add_test(c, new_isn_and_repeat);
	tcase_add_test(c, unanswered_from_tick);
	tcase_add_test(c, unanswered_at_finish);
	tcase_add_test(c, refused_and_simultaneous);
	tcase_add_test(c, ack_mismatch_and_wrap);
	tcase_add_test(c, wraparound);
	tcase_add_test(c, rst_origin);
	tcase_add_test(c, rst_deferred);
	tcase_add_test(c, rst_unknown);
	tcase_add_test(c, idle_fates);
	tcase_add_test(c, idle_none_at_finish);
	tcase_add_test(c, exhausted);
	tcase_add_test(c, exhausted_min_option);
	tcase_add_test(c, syn_retries_not_exhausted);
	tcase_add_test(c, zero_window_stall);
	tcase_add_test(c, zero_window_brief);
	tcase_add_test(c, not_exhausted_when_acked);
	tcase_add_test(c, sack_stall);
	tcase_add_test(c, session_summary);
	tcase_add_test(c, eviction_by_cap);
	suite_add_tcase(s, c);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
