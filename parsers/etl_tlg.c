/*
 * parsers/etl_tlg.c - TraceLogging (self-describing) ETW events: the metadata
 * the event carries in its EVENT_HEADER extended items names the event and
 * types its fields, so the payload decodes without a manifest.
 *   item PROV_TRAITS (0x0C): u16 size, provider name (UTF-8, NUL), traits;
 *   item EVENT_SCHEMA_TL (0x0B): u16 size, extension bytes (until one without
 *     the high bit), event name (UTF-8, NUL), then per field: name (UTF-8, NUL),
 *     u8 InType (low 5 bits the type; 0x20 constant count, u16 in the metadata;
 *     0x40 variable count, u16 in the data; 0x60 custom schema; 0x80 OutType
 *     follows), [u8 OutType (0x80: extension bytes follow)], [u16 count].
 *   InTypes: 1 UTF-16 string (NUL), 2 8-bit string (NUL), 3-10 int8..uint64,
 *     11 float, 12 double, 13 bool32, 14 binary (u16 size), 15 GUID, 16 pointer,
 *     17 FILETIME, 18 SYSTEMTIME, 19 SID, 20 hex32, 21 hex64, 22 counted UTF-16,
 *     23 counted 8-bit string, 24 struct (OutType = its field count, no data),
 *     25 counted binary. OutTypes used here: 2 string (uint8 as a char),
 *     3 boolean, 7 port (big-endian u16), 8 IPv4.
 * Fields become etw.data.NAME (ints as numbers, uint64 above INT64_MAX and
 * floats, GUIDs, times, SIDs, binary (hex, first 64 bytes) as text; arrays as
 * comma-separated text, character arrays (OutType string) as a string; struct
 * members by their own names). Strings are cut at 1 KiB.
 * Does not: decode custom-schema fields (0x60) or arrays of structs: decoding
 * stops there and the count left is etw.tlg.undecoded; read manifest or
 * in-band MOF schemas.
 */
#include "etl.h"
#include "../correlator/core/br.h"
#include "../correlator/core/event.h"
#include "../correlator/core/util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* NUL-terminated 8-bit string from r; NULL (r bad) when unterminated */
static const char *cstr(br *r, size_t *n)
{
	const uint8_t *p = r->p;
	while (r->p < r->end && *r->p)
		r->p++;
	if (r->p >= r->end) {
		r->bad = true;
		return NULL;
	}
	*n = (size_t)(r->p - p);
	r->p++;
	return (const char *)p;
}

static void skip_ext(br *r)
{
	while (!r->bad && (br_u8(r) & 0x80))
		;
}

/* append to the value buffer; returns the start or NULL when full */
static char *vput(struct etl_tlg *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *vput(struct etl_tlg *t, const char *fmt, ...)
{
	size_t room = sizeof t->vals - t->vl;
	if (room < 2)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->vals + t->vl, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *s = t->vals + t->vl;
	t->vl += (size_t)n < room ? (size_t)n : room - 1;
	return s;
}

static void civil(int64_t days, int *y, unsigned *m, unsigned *d)
{
	/* days since 1970-01-01 -> proleptic Gregorian date */
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	unsigned doe = (unsigned)(days - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* One value of in-type `in` (out-type `out`) appended as text; for a scalar
 * integer, *iv / *is_int receive it as a number too. false: data ran out. */
static bool value(struct etl_tlg *t, br *d, unsigned in, unsigned out, uint32_t ptrsize,
		  int64_t *iv, bool *is_int, bool *is_bool)
{
	*is_int = *is_bool = false;
	switch (in) {
	case 1: {  /* UTF-16, NUL-terminated */
		char tmp[1024];
		etl_utf16_to_utf8(d, tmp, sizeof tmp);
		return !d->bad && vput(t, "%s", tmp);
	}
	case 2: {
		size_t n;
		const char *s = cstr(d, &n);
		return s && vput(t, "%.*s", (int)n, s);
	}
	case 22: {
		uint16_t n = br_le16(d);
		br s = br_sub(d, n);
		char tmp[1024];
		if (s.bad)
			return false;
		etl_utf16_to_utf8(&s, tmp, sizeof tmp);
		return vput(t, "%s", tmp);
	}
	case 23: {
		uint16_t n = br_le16(d);
		br s = br_sub(d, n);
		return !s.bad && vput(t, "%.*s", (int)n, (const char *)s.p);
	}
	case 3: case 4: {
		uint8_t v = br_u8(d);
		if (d->bad)
			return false;
		if (out == 3) {
			*is_bool = true;
			*iv = v != 0;
			return vput(t, "%s", v ? "true" : "false");
		}
		if (out == 2 && v >= 0x20 && v < 0x7f)
			return vput(t, "%c", v);
		*iv = in == 3 ? (int8_t)v : v;
		*is_int = true;
		return vput(t, "%" PRId64, *iv);
	}
	case 5: case 6: {
		uint16_t v = br_le16(d);
		if (d->bad)
			return false;
		if (out == 7)
			v = (uint16_t)(v >> 8 | v << 8);
		*iv = in == 5 && out != 7 ? (int16_t)v : v;
		*is_int = true;
		return vput(t, "%" PRId64, *iv);
	}
	case 7: case 8: case 13: case 20: {
		uint32_t v = br_le32(d);
		if (d->bad)
			return false;
		if (out == 8)
			return vput(t, "%u.%u.%u.%u", v & 0xff, v >> 8 & 0xff, v >> 16 & 0xff, v >> 24);
		if (in == 13 || out == 3) {
			*is_bool = true;
			*iv = v != 0;
			return vput(t, "%s", v ? "true" : "false");
		}
		if (in == 20)
			return vput(t, "0x%08x", v);
		*iv = in == 7 ? (int64_t)(int32_t)v : (int64_t)v;
		*is_int = true;
		return vput(t, "%" PRId64, *iv);
	}
	case 9: case 10: case 16: case 21: {
		uint64_t v = in == 16 && ptrsize == 4 ? br_le32(d) : br_le64(d);
		if (d->bad)
			return false;
		if (in == 16 || in == 21)
			return vput(t, "0x%" PRIx64, v);
		if (in == 9 || v <= INT64_MAX) {
			*iv = (int64_t)v;
			*is_int = true;
			return vput(t, "%" PRId64, *iv);
		}
		return vput(t, "%" PRIu64, v);
	}
	case 11: {
		uint32_t v = br_le32(d);
		float f;
		memcpy(&f, &v, 4);
		return !d->bad && vput(t, "%.9g", (double)f);
	}
	case 12: {
		uint64_t v = br_le64(d);
		double f;
		memcpy(&f, &v, 8);
		return !d->bad && vput(t, "%.17g", f);
	}
	case 15: {
		uint8_t g[16];
		char s[37];
		br_copy(d, g, 16);
		if (d->bad)
			return false;
		etl_guid_format(g, s);
		return vput(t, "%s", s);
	}
	case 17: {
		uint64_t ft = br_le64(d);
		if (d->bad)
			return false;
		int64_t s100 = (int64_t)(ft - 116444736000000000ULL);
		int64_t secs = s100 / 10000000, frac = s100 % 10000000;
		if (frac < 0) {
			frac += 10000000;
			secs--;
		}
		int64_t days = secs / 86400, sod = secs % 86400;
		if (sod < 0) {
			sod += 86400;
			days--;
		}
		int y;
		unsigned m, dd;
		civil(days, &y, &m, &dd);
		return vput(t, "%04d-%02u-%02uT%02u:%02u:%02u.%07" PRId64 "Z", y, m, dd, (unsigned)(sod / 3600),
			    (unsigned)(sod / 60 % 60), (unsigned)(sod % 60), frac);
	}
	case 18: {
		uint16_t w[8];
		for (int k = 0; k < 8; k++)
			w[k] = br_le16(d);
		if (d->bad)
			return false;
		/* year, month, day-of-week, day, hour, minute, second, ms */
		return vput(t, "%04u-%02u-%02uT%02u:%02u:%02u.%03u", w[0], w[1], w[3], w[4], w[5], w[6], w[7]);
	}
	case 19: {
		uint8_t rev = br_u8(d), nsub = br_u8(d);
		uint64_t auth = 0;
		for (int k = 0; k < 6; k++)
			auth = auth << 8 | br_u8(d);
		if (d->bad || !vput(t, "S-%u-%" PRIu64, rev, auth))
			return false;
		for (unsigned k = 0; k < nsub; k++) {
			uint32_t sa = br_le32(d);
			if (d->bad || !vput(t, "-%u", sa))
				return false;
		}
		return true;
	}
	case 14: case 25: {
		uint16_t n = br_le16(d);
		br b = br_sub(d, n);
		if (b.bad)
			return false;
		for (uint16_t k = 0; k < n && k < 64; k++)
			if (!vput(t, "%02x", b.p[k]))
				return false;
		return true;
	}
	default:
		return false;
	}
}

static const uint8_t *find_item(const struct etl_rec *rec, uint16_t type, uint16_t *len)
{
	br x = br_make(rec->ext, rec->ext_len);
	while (br_left(&x) >= 8) {
		br_le16(&x);
		uint16_t ty = br_le16(&x);
		br_le16(&x);
		uint16_t sz = br_le16(&x);
		br item = br_sub(&x, sz);
		if (item.bad)
			return NULL;
		if (ty == type) {
			*len = sz;
			return item.p;
		}
		br_skip(&x, (size_t)((8 + sz + 7) / 8 * 8 - 8 - sz));
	}
	return NULL;
}

bool etl_tlg_event(const struct etl_rec *rec, struct etl_tlg *t, struct event *ev)
{
	uint16_t slen = 0, plen = 0;
	if (rec->kind != ETL_K_EVENT || !rec->ext)
		return false;
	const uint8_t *schema = find_item(rec, 0x0B, &slen);
	if (!schema)
		return false;
	t->nl = t->vl = 0;
	t->fields = t->undecoded = 0;
	const uint8_t *traits = find_item(rec, 0x0C, &plen);
	if (traits && plen > 2 && !etl_provider_name(rec->guid)) {
		br p = br_make(traits, plen);
		uint16_t tsz = br_le16(&p);
		if (tsz <= plen) {
			p.end = traits + tsz;
			size_t n;
			const char *s = cstr(&p, &n);
			if (s)
				ev_str(ev, "etw.provider_name", s, n);
		}
	}
	br m = br_make(schema, slen);
	uint16_t total = br_le16(&m);
	if (m.bad || total < 2 || total > slen)
		return false;
	m.end = schema + total;
	skip_ext(&m);
	size_t nn;
	const char *name = cstr(&m, &nn);
	if (!name)
		return false;
	ev_str(ev, "etw.name", name, nn);
	uint32_t ptrsize = rec->htype == ETL_H_EH32 ? 4 : 8;
	br d = br_make(rec->data, rec->len);
	bool stop = false;
	while (br_left(&m) && !m.bad) {
		size_t fl;
		const char *fname = cstr(&m, &fl);
		uint8_t in = br_u8(&m), out = 0;
		if (in & 0x80) {
			out = br_u8(&m);
			if (out & 0x80)
				skip_ext(&m);
		}
		unsigned cnt = in & 0x60;
		uint16_t ccount = 1;
		if (cnt == 0x20)
			ccount = br_le16(&m);
		if (cnt == 0x60) {
			uint16_t tis = br_le16(&m);
			br_skip(&m, tis);
		}
		if (!fname || m.bad)
			break;
		if (stop) {
			t->undecoded++;
			continue;
		}
		unsigned ty = in & 0x1f;
		if (ty == 24) {
			if (cnt)
				stop = true;  /* array of structs: not decoded */
			continue;             /* members follow as plain fields */
		}
		if (cnt == 0x60) {
			stop = true;
			t->undecoded++;
			continue;
		}
		unsigned count = cnt == 0x40 ? br_le16(&d) : cnt == 0x20 ? ccount : 1;
		if (d.bad) {
			stop = true;
			t->undecoded++;
			continue;
		}
		char *key = t->names + t->nl;
		int kn = snprintf(key, sizeof t->names - t->nl, "etw.data.%.*s", (int)fl, fname);
		if (kn < 0 || (size_t)kn + 1 >= sizeof t->names - t->nl) {
			stop = true;
			t->undecoded++;
			continue;
		}
		t->nl += (size_t)kn + 1;
		size_t v0 = t->vl;
		int64_t iv = 0;
		bool is_int = false, is_bool = false, ok = true;
		if (cnt && (out & 0x7f) == 2 && (ty == 6 || ty == 4)) {
			/* an array of UTF-16 / 8-bit characters shown as a string */
			br sb = br_sub(&d, (size_t)count * (ty == 6 ? 2 : 1));
			char tmp[1024] = "";
			if (sb.bad)
				ok = false;
			else if (ty == 6)
				etl_utf16_to_utf8(&sb, tmp, sizeof tmp);
			else
				snprintf(tmp, sizeof tmp, "%.*s", (int)br_left(&sb), (const char *)sb.p);
			ok = ok && vput(t, "%s", tmp);
			count = 0;
		}
		for (unsigned k = 0; k < count && ok; k++) {
			if (k && !vput(t, ","))
				ok = false;
			else
				ok = value(t, &d, ty, out & 0x7f, ptrsize, &iv, &is_int, &is_bool);
		}
		if (!ok) {
			t->vl = v0;
			stop = true;
			t->undecoded++;
			continue;
		}
		t->fields++;
		if (count == 1 && is_int)
			ev_int(ev, key, iv);
		else if (count == 1 && is_bool)
			ev_bool(ev, key, iv != 0);
		else
			ev_str(ev, key, t->vals + v0, t->vl - v0);
	}
	if (t->undecoded)
		ev_int(ev, "etw.tlg.undecoded", t->undecoded);
	return true;
}
