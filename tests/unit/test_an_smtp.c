/*
 * tests/unit/test_an_smtp.c - the smtp analyzer on hand-built sessions: the
 * end of data found in a split "<CRLF>.<CRLF>" (not in a retransmission, not
 * in a dot-stuffed line), no final reply before the client's reset (the wait
 * and both frames), a final reply (quiet), and ports that are not SMTP.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "an_harness.h"

extern const struct analyzer analyzer_smtp;

#define S 1000000000LL
#define MS 1000000LL
#define CLI "10.0.0.25"
#define RELAY "203.0.113.10"

static struct pkt seg(bool from_cli, uint32_t seq, const char *data, uint16_t flags)
{
	struct pkt p = from_cli ? h_tcp(CLI, 30100, RELAY, 25, flags) : h_tcp(RELAY, 25, CLI, 30100, flags);
	p.seq = seq;
	p.payload = (const uint8_t *)data;
	p.payload_caplen = p.l4_len = (uint32_t)strlen(data);
	return p;
}

/* SYN, DATA, 354; the client's next sequence number after DATA is 1 + 6. */
static uint32_t open_data(struct harness *h, uint64_t *ref)
{
	struct pkt p = h_tcp(CLI, 30100, RELAY, 25, 0x02);
	p.seq = 0;
	h_feed(h, &p, 1 * S, 0, (*ref)++);
	p = seg(true, 1, "DATA\r\n", 0x18);
	h_feed(h, &p, 2 * S, 0, (*ref)++);
	p = seg(false, 1, "354 End data with <CR><LF>.<CR><LF>\r\n", 0x18);
	h_feed(h, &p, 2 * S + 30 * MS, 0, (*ref)++);
	return 7;
}

START_TEST(no_reply_then_reset)
{
	struct harness h;
	h_init(&h, &analyzer_smtp, 1, 0);
	uint64_t ref = 1;
	uint32_t sq = open_data(&h, &ref);
	const char *b1 = "Subject: x\r\n\r\n..stuffed line\r\nlast line\r\n.";
	struct pkt p = seg(true, sq, b1, 0x18);
	h_feed(&h, &p, 3 * S, 0, ref++);                      /* #4: ends in "." */
	h_feed(&h, &p, 3 * S + 200 * MS, 0, ref++);           /* #5: retransmitted */
	ck_assert_uint_eq(h_count(&h, "smtp.data_end"), 0);
	p = seg(true, sq + (uint32_t)strlen(b1), "\r\n", 0x18);
	h_feed(&h, &p, 3 * S + 300 * MS, 0, ref++);           /* #6: the CRLF after it */
	ck_assert_uint_eq(h_count(&h, "smtp.data_end"), 1);
	ck_assert_uint_eq(h_nth(&h, "smtp.data_end", 0)->ref, 6);
	ck_assert_int_eq(h_int(h_nth(&h, "smtp.data_end", 0), "size"), (int64_t)strlen(b1) + 2 - 3);
	p = h_tcp(RELAY, 25, CLI, 30100, 0x10);
	h_feed(&h, &p, 3 * S + 330 * MS, 0, ref++);           /* #7: a bare ACK */
	p = h_tcp(CLI, 30100, RELAY, 25, 0x14);
	h_feed(&h, &p, 63 * S + 300 * MS, 0, ref++);          /* #8: the client gives up */
	ck_assert_uint_eq(h_count(&h, "smtp.no_final_reply"), 1);
	const struct event *e = h_nth(&h, "smtp.no_final_reply", 0);
	ck_assert_uint_eq(e->ref, 8);
	ck_assert_int_eq(h_int(e, "wait"), 60 * S);
	ck_assert_int_eq(h_int(e, "eod_ref"), 6);
	ck_assert_str_eq(h_str(e, "end"), "client reset");
	ck_assert(strstr(h_str(e, "cite"), "6/0@") == h_str(e, "cite"));
	ck_assert(strstr(h_str(e, "cite"), ";8/0@") != NULL);
	ck_assert_uint_eq(h_count(&h, "smtp.final_reply"), 0);
	h_fini(&h);
}
END_TEST

START_TEST(final_reply_is_quiet)
{
	struct harness h;
	h_init(&h, &analyzer_smtp, 1, 0);
	uint64_t ref = 1;
	uint32_t sq = open_data(&h, &ref);
	struct pkt p = seg(true, sq, "hello\r\n.\r\n", 0x18);
	h_feed(&h, &p, 3 * S, 0, ref++);
	p = seg(false, 40, "250 2.6.0 Queued mail for delivery\r\n", 0x18);
	h_feed(&h, &p, 5 * S, 0, ref++);
	ck_assert_uint_eq(h_count(&h, "smtp.final_reply"), 1);
	ck_assert_int_eq(h_int(h_nth(&h, "smtp.final_reply", 0), "smtp.code"), 250);
	ck_assert_int_eq(h_int(h_nth(&h, "smtp.final_reply", 0), "wait"), 2 * S);
	p = h_tcp(CLI, 30100, RELAY, 25, 0x11);
	h_feed(&h, &p, 6 * S, 0, ref++);
	ck_assert_uint_eq(h_count(&h, "smtp.no_final_reply"), 0);
	h_fini(&h);
}
END_TEST

START_TEST(not_smtp)
{
	struct harness h;
	h_init(&h, &analyzer_smtp, 1, 0);
	struct pkt p = h_tcp(CLI, 30100, RELAY, 8025, 0x18);
	p.payload = (const uint8_t *)"DATA\r\n";
	p.payload_caplen = p.l4_len = 6;
	h_feed(&h, &p, 1 * S, 0, 1);
	p = h_tcp(RELAY, 8025, CLI, 30100, 0x18);
	p.payload = (const uint8_t *)"354 go\r\n";
	p.payload_caplen = p.l4_len = 8;
	h_feed(&h, &p, 2 * S, 0, 2);
	p = h_tcp(CLI, 30100, RELAY, 8025, 0x18);
	p.payload = (const uint8_t *)"x\r\n.\r\n";
	p.payload_caplen = p.l4_len = 6;
	h_feed(&h, &p, 3 * S, 0, 3);
	ck_assert_uint_eq(h_count(&h, "smtp.data_end"), 0);
	h_fini(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("an_smtp");
	TCase *tc = tcase_create("smtp");
	tcase_add_test(tc, no_reply_then_reset);
	tcase_add_test(tc, final_reply_is_quiet);
	tcase_add_test(tc, not_smtp);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
