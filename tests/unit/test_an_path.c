/*
 * tests/unit/test_an_path.c - the path diff through the public API: two
 * captures of one TCP session written here (raw IPv4 pcap), the pre-pass and
 * the pipeline run, and the path.* events counted: one packet lost, one
 * injected, a window, a TTL and an MSS (clamping) rewritten, one pair reordered, the clock
 * offset recovered; behind a NAT that renumbers both ISNs, nothing but a
 * re-marked DSCP and an ACK changed relative to the ISN is a modification.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../correlator/analyze/path_match.h"
#include "../../correlator/core/pipeline.h"
#include "../../correlator/core/run.h"
#include "../../correlator/core/sessions.h"
#include "../../correlator/core/source.h"
#include "../../parsers/decode/packet.h"

#define MS 1000000LL
#define BASE 1700000000LL

/* ---- a tiny pcap writer (LINKTYPE_RAW, nanosecond) ---- */

struct cap {
	FILE *f;
};

static void cap_open(struct cap *c, const char *path)
{
	c->f = fopen(path, "wb");
	ck_assert_ptr_nonnull(c->f);
	uint32_t h[6] = { 0xA1B23C4D, 2 | (4u << 16), 0, 0, 65535, 101 };
	fwrite(h, 4, 6, c->f);
}

static uint16_t csum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

struct seg {
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win, ipid, len;
	uint8_t ttl;
	int dir;  /* 0 client (10.0.0.1:40000) -> server (10.9.9.9:443) */
	uint16_t mss;  /* MSS option when non-zero */
	uint8_t tos;   /* the IP DS field */
	uint32_t pshift;  /* payload bytes follow seq - pshift (a renumbered copy keeps its bytes) */
};

static void cap_add(struct cap *c, int64_t ts, const struct seg *s)
{
	uint8_t b[1600] = { 0 };
	size_t th = s->mss ? 24u : 20u, n = 20u + th + s->len;
	uint8_t cli[4] = { 10, 0, 0, 1 }, srv[4] = { 10, 9, 9, 9 };
	b[0] = 0x45;
	b[1] = s->tos;
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	b[4] = (uint8_t)(s->ipid >> 8);
	b[5] = (uint8_t)s->ipid;
	b[6] = 0x40;
	b[8] = s->ttl;
	b[9] = 6;
	memcpy(b + 12, s->dir ? srv : cli, 4);
	memcpy(b + 16, s->dir ? cli : srv, 4);
	uint16_t ic = csum(b, 20, 0);
	b[10] = (uint8_t)(ic >> 8);
	b[11] = (uint8_t)ic;
	uint8_t *t = b + 20;
	uint16_t sp = s->dir ? 443 : 40000, dp = s->dir ? 40000 : 443;
	t[0] = (uint8_t)(sp >> 8); t[1] = (uint8_t)sp; t[2] = (uint8_t)(dp >> 8); t[3] = (uint8_t)dp;
	for (int i = 0; i < 4; i++) {
		t[4 + i] = (uint8_t)(s->seq >> (24 - 8 * i));
		t[8 + i] = (uint8_t)(s->ack >> (24 - 8 * i));
	}
	t[12] = (uint8_t)((th / 4) << 4);
	if (s->mss) {
		t[20] = 2;
		t[21] = 4;
		t[22] = (uint8_t)(s->mss >> 8);
		t[23] = (uint8_t)s->mss;
	}
	t[13] = s->flags;
	t[14] = (uint8_t)(s->win >> 8);
	t[15] = (uint8_t)s->win;
	for (uint16_t i = 0; i < s->len; i++)
		t[th + i] = (uint8_t)(s->seq - s->pshift + i);
	uint32_t ps = 0;
	for (int i = 12; i < 20; i += 2)
		ps += (uint32_t)(b[i] << 8 | b[i + 1]);
	ps += 6 + (uint32_t)(th + s->len);
	uint16_t tc = csum(t, th + s->len, ps);
	t[16] = (uint8_t)(tc >> 8);
	t[17] = (uint8_t)tc;
	uint32_t rec[4] = { (uint32_t)(ts / 1000000000LL), (uint32_t)(ts % 1000000000LL), (uint32_t)n, (uint32_t)n };
	fwrite(rec, 4, 4, c->f);
	fwrite(b, 1, n, c->f);
}

/* ---- collect the path events ---- */

struct got;
struct mod_got {
	struct got *g;
	unsigned dscp, ack, other;
	int64_t dscp_before, dscp_after, ack_before, ack_after;
	uint64_t dscp_ref;
};

static void on_event(void *ctx, const struct event *ev);

/* path.modified by kind (dscp, ISN-relative ack, anything else), the rest to on_event */
static void on_mod_event(void *ctx, const struct event *ev)
{
	struct mod_got *m = ctx;
	if ((ev->flags & EV_ANALYSIS) && !strcmp(ev->type, "path.modified")) {
		const struct value *w = event_get(ev, "what");
		int64_t before = 0, after = 0;
		event_get_int(ev, "before", &before);
		event_get_int(ev, "after", &after);
		if (w && w->u.s.n == 4 && !memcmp(w->u.s.p, "dscp", 4)) {
			m->dscp++;
			m->dscp_before = before;
			m->dscp_after = after;
			m->dscp_ref = ev->ref;
		} else if (w && w->u.s.n == 22 && !memcmp(w->u.s.p, "tcp ack (ISN-relative)", 22)) {
			m->ack++;
			m->ack_before = before;
			m->ack_after = after;
		} else {
			m->other++;
		}
		return;
	}
	on_event(m->g, ev);
}

struct got {
	unsigned lost, injected, mod_win, mod_ttl, mod_mss, reordered, match, other_mod;
	uint64_t lost_ref, injected_ref, reordered_ref;
	uint16_t lost_src, injected_src;
};

static void on_event(void *ctx, const struct event *ev)
{
	struct got *g = ctx;
	if (!(ev->flags & EV_ANALYSIS))
		return;
	if (!strcmp(ev->type, "path.lost")) {
		g->lost++;
		g->lost_ref = ev->ref;
		g->lost_src = ev->source;
	} else if (!strcmp(ev->type, "path.injected")) {
		g->injected++;
		g->injected_ref = ev->ref;
		g->injected_src = ev->source;
	} else if (!strcmp(ev->type, "path.reordered")) {
		g->reordered++;
		g->reordered_ref = ev->ref;
	} else if (!strcmp(ev->type, "path.match")) {
		g->match++;
	} else if (!strcmp(ev->type, "path.modified")) {
		const struct value *w = event_get(ev, "what");
		int64_t before = 0, after = 0;
		event_get_int(ev, "before", &before);
		event_get_int(ev, "after", &after);
		if (w && w->u.s.n == 10 && !memcmp(w->u.s.p, "tcp window", 10) && before == 8192 && after == 4096)
			g->mod_win++;
		else if (w && w->u.s.n == 3 && !memcmp(w->u.s.p, "ttl", 3) && before == 128 && after == 200)
			g->mod_ttl++;
		else if (w && w->u.s.n == 14 && !memcmp(w->u.s.p, "tcp option mss", 14) && before == 1460 &&
			 after == 1380 && ev->ref == 1 && ev->source == 1)
			g->mod_mss++;
		else
			g->other_mod++;
	}
}

/* the pre-pass and the pipeline over two capture files; events to g */
static void run_pair(const char *pa, const char *pb, struct got *g, struct mod_got *mg)
{
	struct run run = { 0 };
	run_options_default(&run.opt);
	arena_init(&run.store, 0);
	run.sources = calloc(2, sizeof *run.sources);
	char arg[80];
	snprintf(arg, sizeof arg, "a=%s", pa);
	run.sources[0] = source_new(0, arg);
	snprintf(arg, sizeof arg, "b=%s", pb);
	run.sources[1] = source_new(1, arg);
	run.nsources = 2;
	for (int i = 0; i < 2; i++) {
		run.sources[i]->limits = &run.opt.limits;
		run.sources[i]->quiet = true;
		ck_assert_int_eq(source_resolve(run.sources[i]), 0);
	}
	struct sessions *ss_tab = sessions_new(&run);
	run.path_map = path_prepass(&run, ss_tab);
	ck_assert_ptr_nonnull(run.path_map);
	ck_assert_uint_eq(path_map_ngroups(run.path_map), 1);
	mg->g = g;
	struct sink sink = { mg, on_mod_event, NULL };
	pipeline_run(&run, ss_tab, &sink, 1, true);
	sessions_free(ss_tab);
	path_map_free(run.path_map);
	for (int i = 0; i < 2; i++)
		source_free(run.sources[i]);
	free(run.sources);
	arena_free(&run.store);
}

START_TEST(isn_renumbered_dscp_and_ack)
{
	char pa[] = "/tmp/test_an_path_c_XXXXXX", pb[] = "/tmp/test_an_path_d_XXXXXX";
	close(mkstemp(pa));
	close(mkstemp(pb));
	struct cap a, b;
	cap_open(&a, pa);
	cap_open(&b, pb);
	/* b sits behind a device that adds kc to the client's sequence numbers
	 * and ks to the server's (and shifts the ACKs to match) */
	const uint32_t kc = 0x7A3B1C05u, ks = 0x91E20D33u;
	const int64_t d = 1 * MS;
	int64_t t = BASE * 1000000000LL;
	uint16_t id = 300;
	uint32_t cs = 4000000000u, ss = 77;
	struct seg syn = { cs, 0, 0x02, 8192, id++, 0, 128, 0, 1460 };
	cap_add(&a, t, &syn);
	syn.seq += kc;
	syn.pshift = kc;
	cap_add(&b, t + d, &syn);
	struct seg sa = { ss + ks, cs + kc + 1, 0x12, 8192, id++, 0, 64, 1, 1460 };
	cap_add(&b, t + 2 * MS, &sa);
	sa.seq -= ks;
	sa.ack -= kc;
	cap_add(&a, t + 2 * MS + d, &sa);
	cs++;
	ss++;
	t += 5 * MS;
	for (int i = 0; i < 8; i++, t += 10 * MS) {
		struct seg q = { cs, ss, 0x18, 8192, id++, 100, 128, 0 };
		if (i == 3)
			q.tos = 0x00;
		cap_add(&a, t, &q);
		q.seq += kc;
		q.ack += ks;
		q.pshift = kc;
		if (i == 3)
			q.tos = 0xb8 | 0x01;  /* re-marked EF (46); ECT(1) */
		if (i == 5)
			q.tos = 0x02;         /* only ECN bits: not a re-marking */
		if (i == 6)
			q.ack += 5;           /* acknowledges 5 bytes more than sent */
		cap_add(&b, t + d, &q);
		cs += 100;
		struct seg r = { ss + ks, cs + kc, 0x18, 8192, id++, 200, 64, 1, 0, 0, ks };
		cap_add(&b, t + 3 * MS, &r);
		r.seq -= ks;
		r.ack -= kc;
		r.pshift = 0;
		cap_add(&a, t + 3 * MS + d, &r);
		ss += 200;
	}
	fclose(a.f);
	fclose(b.f);
	struct got g = { 0 };
	struct mod_got mg = { 0 };
	run_pair(pa, pb, &g, &mg);
	ck_assert_uint_eq(g.match, 1);
	ck_assert_uint_eq(g.lost, 0);
	ck_assert_uint_eq(g.injected, 0);
	ck_assert_uint_eq(mg.dscp, 1);
	ck_assert_int_eq(mg.dscp_before, 0);
	ck_assert_int_eq(mg.dscp_after, 46);
	ck_assert_uint_eq(mg.dscp_ref, 9);    /* b: SYN, SYN-ACK, 3 exchanges, then the 4th query */
	ck_assert_uint_eq(mg.ack, 1);
	ck_assert_int_eq(mg.ack_before, 1201); /* ISN+1 + 6 replies of 200 */
	ck_assert_int_eq(mg.ack_after, 1206);
	ck_assert_uint_eq(mg.other, 0);
	unlink(pa);
	unlink(pb);
}
END_TEST

START_TEST(diff_two_captures)
{
	char pa[] = "/tmp/test_an_path_a_XXXXXX", pb[] = "/tmp/test_an_path_b_XXXXXX";
	close(mkstemp(pa));
	close(mkstemp(pb));
	struct cap a, b;
	cap_open(&a, pa);
	cap_open(&b, pb);
	const int64_t off = 5000 * MS + 123456;  /* b's clock is ahead by this */
	const int64_t d = 1 * MS;                /* one-way a <-> b */
	int64_t t = BASE * 1000000000LL;
	uint16_t id = 100;
	uint32_t cs = 1000, ss = 9000;
	/* both see: handshake and ten round trips */
	struct seg syn = { cs, 0, 0x02, 8192, id++, 0, 128, 0, 1460 };
	cap_add(&a, t, &syn);
	syn.mss = 1380;  /* clamped between a and b */
	cap_add(&b, t + d + off, &syn);
	struct seg sa = { ss, cs + 1, 0x12, 8192, id++, 0, 64, 1 };
	cap_add(&b, t + 2 * MS + off, &sa);
	cap_add(&a, t + 2 * MS + d, &sa);
	cs++;
	ss++;
	t += 5 * MS;
	for (int i = 0; i < 10; i++, t += 10 * MS) {
		struct seg q = { cs, ss, 0x18, 8192, id++, 100, 128, 0 };
		cap_add(&a, t, &q);
		cap_add(&b, t + d + off, &q);
		cs += 100;
		struct seg r = { ss, cs, 0x18, 8192, id++, 200, 64, 1 };
		cap_add(&b, t + 3 * MS + off, &r);
		cap_add(&a, t + 3 * MS + d, &r);
		ss += 200;
	}
	/* lost: client data seen at a only (a ref 23) */
	struct seg x1 = { cs, ss, 0x18, 8192, id++, 50, 128, 0 };
	cap_add(&a, t, &x1);
	t += 10 * MS;
	/* injected: a RST towards the client seen at a only (a ref 24) */
	struct seg x2 = { ss, cs, 0x14, 0, id++, 0, 64, 1 };
	cap_add(&a, t, &x2);
	t += 10 * MS;
	/* window rewritten between a and b */
	struct seg x3 = { cs, ss, 0x10, 8192, id++, 0, 128, 0 };
	cap_add(&a, t, &x3);
	x3.win = 4096;
	cap_add(&b, t + d + off, &x3);
	t += 10 * MS;
	/* TTL raised between a and b */
	struct seg x4 = { cs, ss, 0x10, 8192, id++, 0, 128, 0 };
	cap_add(&a, t, &x4);
	x4.ttl = 200;
	cap_add(&b, t + d + off, &x4);
	t += 10 * MS;
	/* reordered: x5 before x6 at a, after it at b (b ref 26) */
	struct seg x5 = { cs, ss, 0x18, 8192, id++, 10, 128, 0 };
	struct seg x6 = { cs + 10, ss, 0x18, 8192, id++, 10, 128, 0 };
	cap_add(&a, t, &x5);
	cap_add(&a, t + MS / 10, &x6);
	cap_add(&b, t + MS / 10 + d + off, &x6);
	cap_add(&b, t + MS / 5 + d + off, &x5);
	fclose(a.f);
	fclose(b.f);

	struct run run = { 0 };
	run_options_default(&run.opt);
	arena_init(&run.store, 0);
	run.sources = calloc(2, sizeof *run.sources);
	char arg[80];
	snprintf(arg, sizeof arg, "a=%s", pa);
	run.sources[0] = source_new(0, arg);
	snprintf(arg, sizeof arg, "b=%s", pb);
	run.sources[1] = source_new(1, arg);
	run.nsources = 2;
	for (int i = 0; i < 2; i++) {
		run.sources[i]->limits = &run.opt.limits;
		run.sources[i]->quiet = true;
		ck_assert_int_eq(source_resolve(run.sources[i]), 0);
	}
	struct sessions *ss_tab = sessions_new(&run);
	run.path_map = path_prepass(&run, ss_tab);
	ck_assert_ptr_nonnull(run.path_map);
	ck_assert_uint_eq(path_map_ngroups(run.path_map), 1);
	ck_assert_int_eq(run.sources[1]->offset_origin, OFFSET_ESTIMATED);
	ck_assert_int_lt(llabs(run.sources[1]->clock_offset + off), 2000);

	struct got g = { 0 };
	struct sink sink = { &g, on_event, NULL };
	pipeline_run(&run, ss_tab, &sink, 1, true);
	ck_assert_uint_eq(g.match, 1);
	ck_assert_uint_eq(g.lost, 1);
	ck_assert_uint_eq(g.lost_src, 0);
	ck_assert_uint_eq(g.lost_ref, 23);
	ck_assert_uint_eq(g.injected, 1);
	ck_assert_uint_eq(g.injected_src, 0);
	ck_assert_uint_eq(g.injected_ref, 24);
	ck_assert_uint_eq(g.mod_win, 1);
	ck_assert_uint_eq(g.mod_ttl, 1);
	ck_assert_uint_eq(g.mod_mss, 1);
	ck_assert_uint_eq(g.other_mod, 0);
	ck_assert_uint_eq(g.reordered, 1);
	ck_assert_uint_eq(g.reordered_ref, 26);

	sessions_free(ss_tab);
	path_map_free(run.path_map);
	for (int i = 0; i < 2; i++)
		source_free(run.sources[i]);
	free(run.sources);
	arena_free(&run.store);
	unlink(pa);
	unlink(pb);
}
END_TEST

static Suite *an_path_suite(void)
{
	Suite *s = suite_create("an_path");
	TCase *tc = tcase_create("diff");
	tcase_add_test(tc, diff_two_captures);
	tcase_add_test(tc, isn_renumbered_dscp_and_ack);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(an_path_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
