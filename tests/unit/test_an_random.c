/*
 * tests/unit/test_an_random.c - the udp, esp, dns and arp analyzers on a
 * long pseudo-random mix of datagrams, ESP packets and ARP from few hosts and
 * ports (so that requests, replies, collisions and evictions happen), three
 * sources, a cap of 8, time steps of zero and occasionally backwards. Nothing
 * may crash (the sanitizer build checks memory), every analysis event must
 * name a real source and a ref that was fed, and at the end nothing is held.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "an_harness.h"
#include "../../correlator/core/util.h"

extern const struct analyzer analyzer_udp, analyzer_esp, analyzer_dns, analyzer_arp;

static uint32_t rnd_state;
static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1664525u + 1013904223u;
	return (rnd_state >> 8) % n;
}

static void host(char *buf, size_t len)
{
	snprintf(buf, len, "10.0.%u.%u", rnd(2), rnd(6) + 1);
}

static struct pkt random_pkt(void)
{
	char a[32], b[32];
	host(a, sizeof a);
	host(b, sizeof b);
	static const char *const names[] = { "a.example", "b.example", "", "c.example" };
	static const uint16_t ports[] = { 53, 1434, 7000, 40000, 40001, 137, 4500 };
	switch (rnd(5)) {
	case 0:
		return h_arp((uint16_t)(rnd(3) + 1), a, rnd(8) ? b : a);
	case 1:
		return h_esp(a, b, rnd(3) + 1, rnd(20) ? rnd(200) : 0xffffffffu - rnd(4));
	case 2:
		return h_dns(a, ports[rnd(7)], b, ports[rnd(7)], (uint16_t)rnd(4), names[rnd(4)], (int)rnd(2),
			     (uint8_t)rnd(4));
	default: {
		struct pkt p = h_udp(a, ports[rnd(7)], rnd(10) ? b : "10.0.1.255", ports[rnd(7)]);
		if (!rnd(10))
			p.eth_dst[0] = 0xff;
		return p;
	}
	}
}

static void run(const struct analyzer *an, uint32_t seed)
{
	struct harness h;
	h_init(&h, an, 3, 8);
	rnd_state = seed;
	int64_t t = 1700000000LL * NS_PER_SEC;
	const uint64_t N = 6000;
	for (uint64_t i = 1; i <= N; i++) {
		uint32_t step = rnd(100);
		if (step < 60)
			t += (int64_t)rnd(400) * 1000;          /* up to 0.4 ms */
		else if (step < 95)
			t += (int64_t)rnd(1500) * NS_PER_MSEC;  /* up to 1.5 s */
		else if (step < 98)
			t -= (int64_t)rnd(50) * NS_PER_MSEC;    /* a source slightly behind */
		struct pkt p = random_pkt();
		h_feed(&h, &p, t, (uint16_t)rnd(3), i);
	}
	h_finish(&h);
	for (size_t i = 0; i < h.n; i++) {
		ck_assert_uint_lt(h.got[i]->source, 3);
		ck_assert_uint_ge(h.got[i]->ref, 1);
		ck_assert_uint_le(h.got[i]->ref, N);
		ck_assert(h.got[i]->flags & EV_ANALYSIS);
	}
	ck_assert_uint_gt(h.n, 0);
	h_fini(&h);
}

START_TEST(random_udp) { run(&analyzer_udp, 1u + (uint32_t)_i); }
END_TEST
START_TEST(random_esp) { run(&analyzer_esp, 2u + (uint32_t)_i); }
END_TEST
START_TEST(random_dns) { run(&analyzer_dns, 3u + (uint32_t)_i); }
END_TEST
START_TEST(random_arp) { run(&analyzer_arp, 4u + (uint32_t)_i); }
END_TEST

static Suite *make_an_random_suite(void)
{
	Suite *s = suite_create("an_random");
	TCase *tc = tcase_create("mix");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, random_udp, 0, 2);
	tcase_add_loop_test(tc, random_esp, 0, 2);
	tcase_add_loop_test(tc, random_dns, 0, 2);
	tcase_add_loop_test(tc, random_arp, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(make_an_random_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
