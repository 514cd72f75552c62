/*
 * tests/unit/test_evtx_binxml.c - the EVTX binary-XML walker on a record
 * built by hand in a chunk: fragment header, template instance with an
 * inline definition, inline and back-referenced names, attributes from value
 * text and from substitutions, UInt16/FILETIME/string/NULL values, an
 * optional substitution left out; then the same record cut at every length
 * (never a crash, never a half event).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../correlator/core/source.h"
#include "../../parsers/evtx_binxml.h"
#include "../../parsers/winevt.h"

static uint8_t chunk[65536];
static size_t pos;
static uint32_t name_data, name_name;   /* offsets of names reused by back-reference */

static void u8(uint8_t v) { chunk[pos++] = v; }
static void u16(uint16_t v) { u8((uint8_t)v); u8((uint8_t)(v >> 8)); }
static void u32(uint32_t v) { u16((uint16_t)v); u16((uint16_t)(v >> 16)); }
static void u64(uint64_t v) { u32((uint32_t)v); u32((uint32_t)(v >> 32)); }
static void utf16(const char *s) { while (*s) u16((uint8_t)*s++); }

/* name at the current position (inline) or a back-reference to off */
static uint32_t name(const char *s, uint32_t off)
{
	if (off) {
		u32(off);
		return off;
	}
	uint32_t here = (uint32_t)pos + 4;
	u32(here);
	u32(0);                  /* next in hash bucket */
	u16(0);                  /* hash */
	u16((uint16_t)strlen(s));
	utf16(s);
	u16(0);
	return here;
}

/* open element (0x01/0x41) with its name; returns where the data size goes */
static void open_elem(const char *s, bool attrs, uint32_t ref, uint32_t *out_off)
{
	u8(attrs ? 0x41 : 0x01);
	u16(0);
	u32(0);                  /* data size: not used by the reader */
	uint32_t off = name(s, ref);
	if (out_off)
		*out_off = off;
}

static size_t build(void)
{
	memset(chunk, 0, sizeof chunk);
	memcpy(chunk, "ElfChnk", 8);
	pos = 512 + 24;          /* the record's binary XML */
	size_t start = pos;
	u8(0x0F); u8(1); u8(1); u8(0);
	u8(0x0C); u8(1); u32(0x1234);
	uint32_t def = (uint32_t)pos + 4;
	u32(def);
	u32(0);                  /* next definition */
	for (int i = 0; i < 16; i++)
		u8((uint8_t)i);      /* GUID */
	size_t size_at = pos;
	u32(0);                  /* body size, patched below */
	size_t body = pos;
	u8(0x0F); u8(1); u8(1); u8(0);
	open_elem("Event", false, 0, NULL); u8(0x02);
	  open_elem("System", false, 0, NULL); u8(0x02);
	    open_elem("Provider", true, 0, NULL);
	      size_t as = pos; u32(0);
	      u8(0x06); name_name = name("Name", 0);
	      u8(0x05); u8(0x01); u16(9); utf16("Test-Prov");
	      uint32_t asz = (uint32_t)(pos - as - 4); memcpy(chunk + as, &asz, 4);
	    u8(0x03);
	    open_elem("EventID", false, 0, NULL); u8(0x02); u8(0x0D); u16(0); u8(0x06); u8(0x04);
	    open_elem("TimeCreated", true, 0, NULL);
	      as = pos; u32(0);
	      u8(0x06); name("SystemTime", 0); u8(0x0E); u16(1); u8(0x11);
	      asz = (uint32_t)(pos - as - 4); memcpy(chunk + as, &asz, 4);
	    u8(0x03);
	  u8(0x04);
	  open_elem("EventData", false, 0, NULL); u8(0x02);
	    open_elem("Data", true, 0, &name_data);
	      as = pos; u32(0);
	      u8(0x06); name("Name", name_name); u8(0x05); u8(0x01); u16(9); utf16("IpAddress");
	      asz = (uint32_t)(pos - as - 4); memcpy(chunk + as, &asz, 4);
	    u8(0x02); u8(0x0E); u16(2); u8(0x01); u8(0x04);
	    open_elem("Data", true, name_data, NULL);
	      as = pos; u32(0);
	      u8(0x06); name("Name", name_name); u8(0x05); u8(0x01); u16(5); utf16("Empty");
	      asz = (uint32_t)(pos - as - 4); memcpy(chunk + as, &asz, 4);
	    u8(0x02); u8(0x0E); u16(3); u8(0x01); u8(0x04);
	  u8(0x04);
	u8(0x04);
	u8(0x00);
	uint32_t bsz = (uint32_t)(pos - body);
	memcpy(chunk + size_at, &bsz, 4);
	/* substitution values */
	u32(4);
	u16(2); u8(0x06); u8(0);
	u16(8); u8(0x11); u8(0);
	u16(16); u8(0x01); u8(0);
	u16(0); u8(0x00); u8(0);
	u16(4624);
	u64(133490888423117503ULL);          /* 2024-01-07T08:14:02.3117503Z */
	utf16("10.1.2.3");
	u8(0x00);
	return pos - start;
}

static struct limits lim = { .max_line = 1 << 20, .max_xml_depth = 64 };
static struct source src = { .limits = &lim, .quiet = true };

START_TEST(record_fields)
{
	size_t len = build();
	struct binxml *bx = binxml_new();
	struct winevt w;
	winevt_init(&w, &src);
	static struct event ev;
	event_reset(&ev);
	binxml_chunk(bx, chunk, sizeof chunk);
	winevt_begin(&w);
	ck_assert_msg(binxml_record(bx, &w, 512 + 24, len) == 0, "%s", binxml_error(bx));
	ck_assert_int_eq(winevt_finish(&w, &ev), WINEVT_OK);
	int64_t id;
	ck_assert(event_get_int(&ev, "event.id", &id));
	ck_assert_int_eq(id, 4624);
	ck_assert_int_eq(ev.ts_raw, 1704615242311750300LL);
	const struct value *v = event_get(&ev, "event.time_created");
	ck_assert(v && v->type == V_STR);
	ck_assert_int_eq(v->u.s.n, 30);
	ck_assert(!memcmp(v->u.s.p, "2024-01-07T08:14:02.311750300Z", 30));
	v = event_get(&ev, "event.provider");
	ck_assert(v && v->u.s.n == 9 && !memcmp(v->u.s.p, "Test-Prov", 9));
	v = event_get(&ev, "event.data.IpAddress");
	ck_assert(v && v->type == V_ADDR && v->u.a.b[3] == 3);
	v = event_get(&ev, "event.data.Empty");
	ck_assert(v && v->type == V_STR && v->u.s.n == 0);
	v = event_get(&ev, "ip.src");
	ck_assert_ptr_null(v);  /* not a Security-Auditing event */
	winevt_fini(&w);
	binxml_free(bx);
}
END_TEST

START_TEST(record_cut_everywhere)
{
	size_t len = build();
	struct binxml *bx = binxml_new();
	struct winevt w;
	winevt_init(&w, &src);
	static struct event ev;
	binxml_chunk(bx, chunk, sizeof chunk);
	unsigned ok = 0;
	for (size_t n = 0; n < len; n++) {
		event_reset(&ev);
		winevt_begin(&w);
		if (binxml_record(bx, &w, 512 + 24, n) == 0 && winevt_finish(&w, &ev) == WINEVT_OK)
			ok++;
	}
	/* only the cut of the last byte (the fragment's closing EOF) still holds a whole event */
	ck_assert_uint_eq(ok, 1);
	winevt_fini(&w);
	binxml_free(bx);
}
END_TEST

START_TEST(bad_substitution_index)
{
	size_t len = build();
	/* point the EventID substitution at value 9 of 4 */
	for (size_t i = 512; i + 4 < sizeof chunk; i++)
		if (chunk[i] == 0x0D && chunk[i + 1] == 0 && chunk[i + 2] == 0 && chunk[i + 3] == 0x06) {
			chunk[i + 1] = 9;
			break;
		}
	struct binxml *bx = binxml_new();
	struct winevt w;
	winevt_init(&w, &src);
	binxml_chunk(bx, chunk, sizeof chunk);
	winevt_begin(&w);
	ck_assert_int_eq(binxml_record(bx, &w, 512 + 24, len), -1);
	ck_assert_msg(strstr(binxml_error(bx), "substitution index out of range"), "%s", binxml_error(bx));
	winevt_fini(&w);
	binxml_free(bx);
}
END_TEST

static Suite *binxml_suite(void)
{
	Suite *s = suite_create("evtx_binxml");
	TCase *tc = tcase_create("walk");
	tcase_add_test(tc, record_fields);
	tcase_add_test(tc, record_cut_everywhere);
	tcase_add_test(tc, bad_substitution_index);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(binxml_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
