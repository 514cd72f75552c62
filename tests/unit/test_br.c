/*
 * tests/unit/test_br.c - the byte reader (correlator/core/br.h): exact values
 * of the 64-bit reads, random access (br_at, br_slice), cutting (br_head),
 * positions (br_pos) and signatures (br_match); every read past the end sets
 * bad and returns 0, offsets past the end give an empty bad reader.
 */
#include <check.h>
#include <stdlib.h>

#include "../../correlator/core/br.h"

static const uint8_t bytes[10] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a };

START_TEST(reads_64)
{
	br r = br_make(bytes, sizeof bytes);
	ck_assert_uint_eq(br_be64(&r), 0x0102030405060708ull);
	ck_assert(!r.bad);
	ck_assert_uint_eq(br_left(&r), 2);
	r = br_make(bytes, sizeof bytes);
	ck_assert_uint_eq(br_le64(&r), 0x0807060504030201ull);
	r = br_make(bytes, sizeof bytes);
	ck_assert_uint_eq(br_u64(&r, true), 0x0102030405060708ull);
	r = br_make(bytes + 2, 8);
	ck_assert_uint_eq(br_u64(&r, false), 0x0a09080706050403ull);
	ck_assert_uint_eq(br_left(&r), 0);
	/* 7 bytes: short, bad, 0, and the reader is spent */
	r = br_make(bytes, 7);
	ck_assert_uint_eq(br_be64(&r), 0);
	ck_assert(r.bad);
	ck_assert_uint_eq(br_left(&r), 0);
	r = br_make(bytes, 7);
	ck_assert_uint_eq(br_le64(&r), 0);
	ck_assert(r.bad);
	/* bad is sticky: a later read that would fit still gives 0 */
	ck_assert_uint_eq(br_u8(&r), 0);
}
END_TEST

START_TEST(random_access)
{
	br r = br_make(bytes, sizeof bytes);
	br_skip(&r, 2);
	br a = br_at(&r, 3);  /* counted from r's position: byte 5 */
	ck_assert(!a.bad);
	ck_assert_uint_eq(br_left(&a), 5);
	ck_assert_uint_eq(br_u8(&a), 0x06);
	ck_assert_uint_eq(br_left(&r), 8);  /* r did not move */
	ck_assert_uint_eq(br_u8(&r), 0x03);
	/* at the very end: empty, not bad; one past: bad */
	br e = br_at(&r, 7);
	ck_assert(!e.bad);
	ck_assert_uint_eq(br_left(&e), 0);
	ck_assert_uint_eq(br_u8(&e), 0);
	ck_assert(e.bad);
	br past = br_at(&r, 8);
	ck_assert(past.bad);
	ck_assert_uint_eq(br_left(&past), 0);
	ck_assert_uint_eq(br_be16(&past), 0);
	ck_assert(br_at(&r, (size_t)-1).bad);
	/* a bad reader gives only bad readers */
	ck_assert(br_at(&past, 0).bad);
}
END_TEST

START_TEST(slices)
{
	br r = br_make(bytes, sizeof bytes);
	br s = br_slice(&r, 4, 3);
	ck_assert(!s.bad);
	ck_assert_uint_eq(br_left(&s), 3);
	ck_assert_uint_eq(br_be16(&s), 0x0506);
	ck_assert_uint_eq(br_be16(&s), 0);  /* only one byte left in the slice */
	ck_assert(s.bad);
	ck_assert_uint_eq(br_left(&r), 10);
	ck_assert(!br_slice(&r, 4, 6).bad);
	ck_assert(br_slice(&r, 4, 7).bad);
	ck_assert(br_slice(&r, 11, 0).bad);
	ck_assert(br_slice(&r, 3, (size_t)-1).bad);
	/* br_head: at most n, never an error */
	br h = br_head(r, 4);
	ck_assert_uint_eq(br_left(&h), 4);
	ck_assert_uint_eq(br_be32(&h), 0x01020304);
	ck_assert(!h.bad);
	ck_assert_uint_eq(br_u8(&h), 0);
	ck_assert(h.bad);
	h = br_head(r, 50);
	ck_assert_uint_eq(br_left(&h), 10);
	ck_assert(!h.bad);
}
END_TEST

START_TEST(positions_and_signatures)
{
	br origin = br_make(bytes, sizeof bytes);
	br r = origin;
	ck_assert_uint_eq(br_pos(&r, &origin), 0);
	br_skip(&r, 3);
	ck_assert_uint_eq(br_pos(&r, &origin), 3);
	br s = br_slice(&origin, 6, 2);
	ck_assert_uint_eq(br_pos(&s, &origin), 6);
	br_u8(&s);
	ck_assert_uint_eq(br_pos(&s, &origin), 7);

	static const uint8_t sig[3] = { 0x01, 0x02, 0x03 };
	static const uint8_t other[3] = { 0x01, 0x02, 0x04 };
	r = origin;
	ck_assert(br_match(&r, sig, 3));
	ck_assert_uint_eq(br_left(&r), 7);
	r = origin;
	ck_assert(!br_match(&r, other, 3));
	ck_assert(!r.bad);
	ck_assert_uint_eq(br_left(&r), 7);  /* consumed either way */
	r = br_make(bytes, 2);
	ck_assert(!br_match(&r, sig, 3));
	ck_assert(r.bad);
}
END_TEST

static Suite *br_suite(void)
{
	Suite *s = suite_create("br");
	TCase *tc = tcase_create("br");
	tcase_add_test(tc, reads_64);
	tcase_add_test(tc, random_access);
	tcase_add_test(tc, slices);
	tcase_add_test(tc, positions_and_signatures);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(br_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
