/*
 * parsers/evtx_binxml.c - EVTX binary XML -> winevt callbacks (see evtx_binxml.h):
 * the token walk, substitution values rendered as text, the chunk's names.
 * Does not: render XML text, check CRCs, resolve non-standard entities,
 * compile template bodies into steps (evtx_template.c, which this walk hands
 * every template instance's body to, and which falls back on the walk).
 * Spec: libevtx format document; ../shared/formats/windows-events.md (b).
 *
 *   fragment  -> 0x0F maj min flags, (element | template-instance), 0x00
 *   template-instance -> 0x0C u8 u32:id u32:def-offset [inline definition:
 *                 u32 next, guid[16], u32 size, body[size]]
 *                 u32:n, n x {u16 size, u8 type, u8 0}, values back to back
 *   element   -> 0x01|0x41 u16 u32:size u32:name-offset [inline name]
 *                 [0x41: u32 attr-size, (0x06|0x46 u32:name-offset [name] value)*]
 *                 (0x02 content* 0x04 | 0x03)
 *   content   -> element | 0x05 value-text | 0x0D/0x0E u16:index u8:type
 *                 | 0x07 cdata | 0x08 charref | 0x09 entityref | 0x0A/0x0B PI
 *   name      -> u32 next, u16 hash, u16 count, UTF-16[count], u16 0
 * A name or definition whose offset equals the reading position is stored
 * inline right there (its first use in the chunk) and is skipped over.
 * All offsets are relative to the chunk start; every read is bounds-checked.
 */
#include "evtx_binxml_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct binxml *binxml_new(void)
{
	struct binxml *bx = xcalloc(1, sizeof *bx);
	bx->vcap = 1 << 16;
	bx->vb = xmalloc(bx->vcap);
	bx->tm = bx_templates_new();
	return bx;
}

void binxml_free(struct binxml *bx)
{
	if (!bx)
		return;
	free(bx->vb);
	for (size_t i = 0; i < BX_MAX_LEVEL; i++)
		free(bx->vals[i]);
	bx_templates_free(bx->tm);
	free(bx);
}

void binxml_chunk(struct binxml *bx, const uint8_t *chunk, size_t len)
{
	bx->chunk = br_make(chunk, len);
	for (size_t i = 0; i < BX_NAME_CACHE; i++)
		bx->names[i].off = 0;
	bx_templates_clear(bx->tm);
}

const char *binxml_error(const struct binxml *bx)
{
	return bx->err;
}

int bx_fail_at(struct binxml *bx, size_t at, const char *what)
{
	if (!bx->err[0])
		snprintf(bx->err, sizeof bx->err, "%s at chunk offset 0x%zx", what, at);
	return -1;
}

static int fail(struct binxml *bx, const br *r, const char *what)
{
	return bx_fail_at(bx, r ? br_pos(r, &bx->chunk) : (size_t)0, what);
}

/* --- value rendering into bx->vb ----------------------------------------- */

/* What an XML parser does to the text libevtx renders, so both readers give
 * the same values: line ends become LF (XML 1.0 2.11) and, in attribute
 * values, tab/CR/LF become spaces (3.3.3). In place on vb[from..]. */
void bx_normalize(struct binxml *bx, size_t from, bool attr)
{
	char *s = bx->vb;
	size_t i = from;
	/* tab, LF and CR are all at or below '\r': one compare for the rest */
	while (i < bx->vn && ((unsigned char)s[i] > '\r' ||
			      (s[i] != '\r' && (!attr || (s[i] != '\n' && s[i] != '\t')))))
		i++;
	if (i == bx->vn)
		return;  /* the common case: nothing to change */
	size_t o = i;
	for (; i < bx->vn; i++) {
		char c = s[i];
		if (c == '\r') {
			if (i + 1 < bx->vn && s[i + 1] == '\n')
				i++;
			c = '\n';
		}
		if (attr && (c == '\n' || c == '\t'))
			c = ' ';
		s[o++] = c;
	}
	bx->vn = o;
	s[o] = '\0';
}

static void vb_fmt(struct binxml *bx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vb_fmt(struct binxml *bx, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		bx_put(bx, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* UTF-16LE (all whole units of r) -> UTF-8 appended; trailing NULs dropped. */
static void vb_utf16(struct binxml *bx, br r)
{
	size_t units = br_left(&r) / 2;
	while (units && br_peek(&r, 2 * units - 2) == 0 && br_peek(&r, 2 * units - 1) == 0)
		units--;
	bx_need(bx, units * 3);
	char *o = bx->vb + bx->vn;
	for (size_t i = 0; i < units; i++) {
		size_t ascii = br_ascii16(&r, o, units - i);
		o += ascii;
		i += ascii;
		if (i == units)
			break;
		uint32_t u = br_le16(&r);
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
			br ahead = r;
			uint32_t v = br_le16(&ahead);
			if (v >= 0xDC00 && v <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00);
				r = ahead;
				i++;
			} else {
				u = 0xFFFD;
			}
		} else if (u >= 0xD800 && u <= 0xDFFF) {
			u = 0xFFFD;
		}
		if (u < 0x80) {
			*o++ = (char)u;
		} else if (u < 0x800) {
			*o++ = (char)(0xC0 | u >> 6);
			*o++ = (char)(0x80 | (u & 0x3F));
		} else if (u < 0x10000) {
			*o++ = (char)(0xE0 | u >> 12);
			*o++ = (char)(0x80 | (u >> 6 & 0x3F));
			*o++ = (char)(0x80 | (u & 0x3F));
		} else {
			/* 4 bytes: room was reserved as 3 + 3 for the pair */
			*o++ = (char)(0xF0 | u >> 18);
			*o++ = (char)(0x80 | (u >> 12 & 0x3F));
			*o++ = (char)(0x80 | (u >> 6 & 0x3F));
			*o++ = (char)(0x80 | (u & 0x3F));
		}
	}
	bx->vn = (size_t)(o - bx->vb);
	bx->vb[bx->vn] = '\0';
}

/* Integer formatting without printf: this is the hot path of the reader. */
static void vb_u64(struct binxml *bx, uint64_t v)
{
	char tmp[FORMAT_U64_MAX];
	bx_put(bx, tmp, format_u64(v, tmp));
}

static void vb_i64(struct binxml *bx, int64_t v)
{
	if (v < 0) {
		bx_put(bx, "-", 1);
		vb_u64(bx, (uint64_t)0 - (uint64_t)v);
	} else {
		vb_u64(bx, (uint64_t)v);
	}
}

/* "0x" + digits lower-case hex digits, zero-padded */
static void vb_hex(struct binxml *bx, uint64_t v, unsigned digits)
{
	char tmp[18] = "0x";
	for (unsigned i = 0; i < digits; i++)
		tmp[2 + digits - 1 - i] = "0123456789abcdef"[(v >> (4 * i)) & 15];
	bx_put(bx, tmp, 2 + digits);
}

/* v as exactly width decimal digits */
static void vb_dec(struct binxml *bx, uint64_t v, unsigned width)
{
	char tmp[20];
	for (unsigned i = width; i-- > 0;) {
		tmp[i] = (char)('0' + v % 10);
		v /= 10;
	}
	bx_put(bx, tmp, width);
}

static void vb_filetime(struct binxml *bx, uint64_t ft)
{
	int64_t t = (int64_t)(ft / 10000000ULL) - 11644473600LL;
	uint64_t frac = (ft % 10000000ULL) * 100;
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t sod = t - days * 86400;
	/* civil_from_days (H. Hinnant) */
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0 || y > 9999) {
		vb_fmt(bx, "%" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64 ":%02" PRId64
			   ".%09" PRIu64 "Z", y, m, d, sod / 3600, sod / 60 % 60, sod % 60, frac);
		return;
	}
	vb_dec(bx, (uint64_t)y, 4);
	bx_put(bx, "-", 1);
	vb_dec(bx, (uint64_t)m, 2);
	bx_put(bx, "-", 1);
	vb_dec(bx, (uint64_t)d, 2);
	bx_put(bx, "T", 1);
	vb_dec(bx, (uint64_t)(sod / 3600), 2);
	bx_put(bx, ":", 1);
	vb_dec(bx, (uint64_t)(sod / 60 % 60), 2);
	bx_put(bx, ":", 1);
	vb_dec(bx, (uint64_t)(sod % 60), 2);
	bx_put(bx, ".", 1);
	vb_dec(bx, frac, 9);
	bx_put(bx, "Z", 1);
}

/* Hex digits of the next n bytes, upper case. */
static void vb_hexbytes(struct binxml *bx, br *r, size_t n)
{
	static const char hexd[] = "0123456789ABCDEF";
	bx_need(bx, 2 * n);
	for (size_t i = 0; i < n; i++) {
		uint8_t b = br_u8(r);
		bx->vb[bx->vn++] = hexd[b >> 4];
		bx->vb[bx->vn++] = hexd[b & 15];
	}
	bx->vb[bx->vn] = '\0';
}

/* {Data1-Data2-Data3-Data4[0..1]-Data4[2..7]}, upper case, by hand (hot). */
static int vb_guid(struct binxml *bx, br r)
{
	static const char hexd[] = "0123456789ABCDEF";
	uint32_t d1 = br_le32(&r);
	uint16_t d2 = br_le16(&r), d3 = br_le16(&r);
	uint8_t d4[8];
	br_copy(&r, d4, 8);
	if (r.bad)
		return -1;
	char g[38];
	size_t o = 0;
	g[o++] = '{';
	for (int i = 7; i >= 0; i--)
		g[o++] = hexd[(d1 >> (4 * i)) & 15];
	g[o++] = '-';
	for (int i = 3; i >= 0; i--)
		g[o++] = hexd[(d2 >> (4 * i)) & 15];
	g[o++] = '-';
	for (int i = 3; i >= 0; i--)
		g[o++] = hexd[(d3 >> (4 * i)) & 15];
	g[o++] = '-';
	for (int i = 0; i < 8; i++) {
		if (i == 2)
			g[o++] = '-';
		g[o++] = hexd[d4[i] >> 4];
		g[o++] = hexd[d4[i] & 15];
	}
	g[o++] = '}';
	bx_put(bx, g, o);
	return 0;
}

/* S-revision-authority(-subauthority)*: the authority is 48-bit big endian,
 * the subauthorities little endian. */
static int vb_sid(struct binxml *bx, br r)
{
	uint8_t rev = br_u8(&r), count = br_u8(&r);
	uint64_t auth_hi = br_be16(&r);
	uint64_t auth = auth_hi << 32 | br_be32(&r);
	if (r.bad || br_left(&r) / 4 < count)
		return -1;
	bx_put(bx, "S-", 2);
	vb_u64(bx, rev);
	bx_put(bx, "-", 1);
	vb_u64(bx, auth);
	for (unsigned i = 0; i < count; i++) {
		bx_put(bx, "-", 1);
		vb_u64(bx, br_le32(&r));
	}
	return 0;
}

/* One value of a base type (no array bit). */
static int render_one(struct binxml *bx, uint8_t type, br r)
{
	size_t n = br_left(&r);
	switch (type) {
	case 0x00:
		return 0;
	case 0x01:
		vb_utf16(bx, r);
		return 0;
	case 0x02: {
		while (n && br_peek(&r, n - 1) == 0)
			n--;
		bx_need(bx, n);
		br_copy(&r, bx->vb + bx->vn, n);
		bx->vn += n;
		bx->vb[bx->vn] = '\0';
		return 0;
	}
	case 0x03: { int8_t v = (int8_t)br_u8(&r); if (r.bad) return -1; vb_i64(bx, v); return 0; }
	case 0x04: { uint8_t v = br_u8(&r); if (r.bad) return -1; vb_u64(bx, v); return 0; }
	case 0x05: { int16_t v = (int16_t)br_le16(&r); if (r.bad) return -1; vb_i64(bx, v); return 0; }
	case 0x06: { uint16_t v = br_le16(&r); if (r.bad) return -1; vb_u64(bx, v); return 0; }
	case 0x07: { int32_t v = (int32_t)br_le32(&r); if (r.bad) return -1; vb_i64(bx, v); return 0; }
	case 0x08: { uint32_t v = br_le32(&r); if (r.bad) return -1; vb_u64(bx, v); return 0; }
	case 0x09: { int64_t v = (int64_t)br_le64(&r); if (r.bad) return -1; vb_i64(bx, v); return 0; }
	case 0x0A: { uint64_t v = br_le64(&r); if (r.bad) return -1; vb_u64(bx, v); return 0; }
	case 0x0B: {
		uint32_t u = br_le32(&r);
		if (r.bad)
			return -1;
		float f;
		memcpy(&f, &u, 4);
		vb_fmt(bx, "%.9g", (double)f);
		return 0;
	}
	case 0x0C: {
		uint64_t u = br_le64(&r);
		if (r.bad)
			return -1;
		double d;
		memcpy(&d, &u, 8);
		vb_fmt(bx, "%.17g", d);
		return 0;
	}
	case 0x0D: {
		uint32_t v = br_le32(&r);
		if (r.bad)
			return -1;
		bx_put(bx, v ? "true" : "false", v ? 4 : 5);
		return 0;
	}
	case 0x0E:
		vb_hexbytes(bx, &r, n);
		return 0;
	case 0x0F:
		return vb_guid(bx, r);
	case 0x10:
		if (n == 4) vb_hex(bx, br_le32(&r), 8);
		else if (n >= 8) vb_hex(bx, br_le64(&r), 16);
		else return -1;
		return 0;
	case 0x11: { uint64_t ft = br_le64(&r); if (r.bad) return -1; vb_filetime(bx, ft); return 0; }
	case 0x12: {
		/* SYSTEMTIME: year, month, day of week (not shown), day, h, m, s, ms */
		unsigned f[8];
		for (int i = 0; i < 8; i++)
			f[i] = br_le16(&r);
		if (r.bad)
			return -1;
		vb_fmt(bx, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", f[0], f[1], f[3], f[4], f[5], f[6], f[7]);
		return 0;
	}
	case 0x13:
		return vb_sid(bx, r);
	case 0x14: { uint32_t v = br_le32(&r); if (r.bad) return -1; vb_hex(bx, v, 8); return 0; }
	case 0x15: { uint64_t v = br_le64(&r); if (r.bad) return -1; vb_hex(bx, v, 16); return 0; }
	default:
		return -1;
	}
}

static const uint8_t elem_size[0x16] = {
	[0x03] = 1, [0x04] = 1, [0x05] = 2, [0x06] = 2, [0x07] = 4, [0x08] = 4, [0x09] = 8,
	[0x0A] = 8, [0x0B] = 4, [0x0C] = 8, [0x0D] = 4, [0x0F] = 16, [0x10] = 8, [0x11] = 8,
	[0x12] = 16, [0x14] = 4, [0x15] = 8,
};

/* A substitution value (arrays: items separated by ", "). */
static int render_value(struct binxml *bx, uint8_t type, br v)
{
	if (!(type & 0x80))
		return render_one(bx, type, v);
	uint8_t base = type & 0x7F;
	size_t n = br_left(&v);
	if (base == 0x01 || base == 0x02) {
		/* NUL-separated strings */
		size_t unit = base == 0x01 ? 2 : 1, start = 0;
		bool first = true;
		br scan = v;
		for (size_t i = 0; i + unit <= n; i += unit) {
			bool nul = (unit == 2 ? br_le16(&scan) : br_u8(&scan)) == 0;
			if (nul || i + unit == n) {
				size_t end = nul ? i : i + unit;
				if (!first)
					bx_put(bx, ", ", 2);
				first = false;
				render_one(bx, base, br_slice(&v, start, end - start));
				start = i + unit;
			}
		}
		return 0;
	}
	size_t es = base < sizeof elem_size ? elem_size[base] : 0;
	if (!es)
		return -1;
	for (bool first = true; br_left(&v) >= es; first = false) {
		if (!first)
			bx_put(bx, ", ", 2);
		if (render_one(bx, base, br_sub(&v, es)) != 0)
			return -1;
	}
	return 0;
}

/* --- names --------------------------------------------------------------- */

/* Looked up once per cached name. */
const char *bx_name_at(struct binxml *bx, uint32_t off, enum winevt_name *id)
{
	struct bx_name *c = &bx->names[(off >> 1) & (BX_NAME_CACHE - 1)];
	if (c->off == off + 1) {
		*id = (enum winevt_name)c->id;
		return c->s;
	}
	br r = br_at(&bx->chunk, off);
	br_skip(&r, 6);  /* next-name offset, hash */
	size_t count = br_le16(&r);
	if (r.bad || br_left(&r) / 2 < count || count > 255)
		return NULL;
	size_t save = bx->vn;
	/* convert through the value buffer's tail, then copy out */
	vb_utf16(bx, br_head(r, 2 * count));
	size_t k = bx->vn - save;
	const char *res;
	if (k < BX_NAME_MAX) {
		memcpy(c->s, bx->vb + save, k + 1);
		c->n = (uint8_t)k;
		c->off = off + 1;
		c->id = (uint8_t)winevt_name_id(c->s);
		res = c->s;
	} else {
		memcpy(bx->nbuf, bx->vb + save, k + 1 < sizeof bx->nbuf ? k + 1 : sizeof bx->nbuf);
		bx->nbuf[sizeof bx->nbuf - 1] = '\0';
		res = bx->nbuf;
		c = NULL;
	}
	bx->vn = save;
	bx->vb[bx->vn] = '\0';
	*id = c ? (enum winevt_name)c->id : winevt_name_id(res);
	return res;
}

void bx_skip_inline_name(struct binxml *bx, br *r, uint32_t off)
{
	if (bx_pos(bx, r) != off)
		return;
	br_skip(r, 6);
	uint16_t count = br_le16(r);
	br_skip(r, 2u * count + 2);
}

/* --- the walk ------------------------------------------------------------ */

int bx_subst_text(struct binxml *bx, const struct values *vals, unsigned idx, bool optional,
		  size_t at)
{
	if (!vals || idx >= vals->n)
		return bx_fail_at(bx, at, "substitution index out of range");
	const struct subst *s = &vals->v[idx];
	if (optional && (s->type == 0 || br_left(&s->data) == 0))
		return 0;
	if (s->type == 0x21)
		return bx_fail_at(bx, at, "embedded binary XML in an attribute");
	if (render_value(bx, s->type, s->data) != 0)
		return bx_fail_at(bx, at, "bad substitution value");
	return 1;
}

/* A value token of an attribute or of content (embedded binary XML is the
 * caller's). */
int bx_value_token(struct binxml *bx, br *r, const struct values *vals)
{
	uint8_t t = br_u8(r);
	switch (t & 0xBF) {
	case 0x05: {
		br_u8(r);  /* value type: always a string */
		uint16_t count = br_le16(r);
		br text = br_sub(r, 2u * count);
		if (text.bad)
			return fail(bx, r, "value text past the record");
		vb_utf16(bx, text);
		return 1;
	}
	case 0x0D:
	case 0x0E: {
		uint16_t idx = br_le16(r);
		br_u8(r);  /* value type: the value's own type counts */
		if (r->bad)
			return fail(bx, r, "substitution past the record");
		return bx_subst_text(bx, vals, idx, (t & 0xBF) == 0x0E, bx_pos(bx, r));
	}
	case 0x08: {
		br c = br_sub(r, 2);  /* one UTF-16 unit */
		vb_utf16(bx, c);
		return 1;
	}
	case 0x09: {
		uint32_t off = br_le32(r);
		bx_skip_inline_name(bx, r, off);
		enum winevt_name id;
		const char *n = bx_name_at(bx, off, &id);
		if (!n)
			return fail(bx, r, "bad entity name");
		static const char *const ents[][2] = { { "amp", "&" }, { "lt", "<" }, { "gt", ">" },
						       { "quot", "\"" }, { "apos", "'" } };
		const char *v = NULL;
		for (size_t i = 0; i < 5; i++)
			if (!strcmp(n, ents[i][0]))
				v = ents[i][1];
		if (v)
			bx_put(bx, v, strlen(v));
		else
			vb_fmt(bx, "&%.80s;", n);
		return 1;
	}
	default:
		return fail(bx, r, "unexpected token in a value");
	}
}

static int element(struct binxml *bx, br *r, const struct values *vals, unsigned rd, unsigned level)
{
	uint8_t t = br_u8(r);
	br_skip(r, 2);                 /* dependency id */
	br_skip(r, 4);                 /* data size */
	uint32_t noff = br_le32(r);
	if (r->bad)
		return fail(bx, r, "element header past the record");
	bx_skip_inline_name(bx, r, noff);
	enum winevt_name id;
	const char *name = bx_name_at(bx, noff, &id);
	if (!name || r->bad)
		return fail(bx, r, "bad element name");
	if (rd >= bx->w->max_depth || rd >= BX_MAX_DEPTH)
		return fail(bx, r, "elements nested too deep");
	winevt_elem(bx->w, rd, name, id);
	if (t & 0x40) {
		uint32_t asize = br_le32(r);
		if (r->bad || !br_need(r, asize))
			return fail(bx, r, "attribute list past the record");
		br a = br_sub(r, asize);
		while (br_left(&a) && !a.bad) {
			uint8_t at = br_u8(&a);
			if ((at & 0xBF) != 0x06)
				return fail(bx, &a, "bad attribute token");
			uint32_t aoff = br_le32(&a);
			bx_skip_inline_name(bx, &a, aoff);
			enum winevt_name aid;
			if (!bx_name_at(bx, aoff, &aid) || a.bad)
				return fail(bx, &a, "bad attribute name");
			size_t save = bx->vn;
			int any = 0;
			while (br_left(&a) && bx_is_value_token(br_peek(&a, 0))) {
				int rc = bx_value_token(bx, &a, vals);
				if (rc < 0)
					return -1;
				any |= rc;
			}
			if (any) {
				bx_normalize(bx, save, true);
				winevt_attr(bx->w, rd, aid, bx->vb + save, bx->vn - save);
			}
			bx->vn = save;
		}
		if (a.bad)
			return fail(bx, &a, "attribute past its list");
	}
	uint8_t close = br_u8(r);
	if (r->bad)
		return fail(bx, r, "element without its close token");
	if (close == 0x02) {
		if (bx_walk(bx, r, vals, rd + 1, level, true) != 0)
			return -1;
	} else if (close != 0x03) {
		return fail(bx, r, "bad close-start-element token");
	}
	winevt_end(bx->w, rd);
	return 0;
}

/* An instance's value descriptors and values, at r. */
static int read_values(struct binxml *bx, br *r, struct values *vals)
{
	vals->n = br_le32(r);
	if (r->bad || vals->n > BX_MAX_VALUES || !br_need(r, 4u * vals->n))
		return fail(bx, r, "bad substitution count");
	uint16_t size[BX_MAX_VALUES];
	for (unsigned i = 0; i < vals->n; i++) {
		size[i] = br_le16(r);
		vals->v[i].type = br_u8(r);
		br_skip(r, 1);
	}
	for (unsigned i = 0; i < vals->n; i++)
		vals->v[i].data = br_sub(r, size[i]);
	if (r->bad)
		return fail(bx, r, "substitution values past the record");
	return 0;
}

static int template_instance(struct binxml *bx, br *r, unsigned rd, unsigned level)
{
	if (level >= BX_MAX_LEVEL)
		return fail(bx, r, "templates nested too deep");
	br_skip(r, 2);                   /* token, unknown byte */
	br_skip(r, 4);                   /* template id */
	uint32_t def = br_le32(r);
	if (r->bad)
		return fail(bx, r, "template instance past the record");
	if (bx_pos(bx, r) == def) {
		br_skip(r, 20);
		uint32_t dsize = br_le32(r);
		br_skip(r, dsize);
		if (r->bad)
			return fail(bx, r, "inline template definition past the record");
	}
	br d = br_at(&bx->chunk, def);
	br_skip(&d, 20);  /* next definition, GUID */
	uint32_t dsize = br_le32(&d);
	if (d.bad)
		return fail(bx, r, "template definition outside the chunk");
	br body = br_sub(&d, dsize);
	if (body.bad)
		return fail(bx, r, "template definition past the chunk");
	if (!bx->vals[level])
		bx->vals[level] = xmalloc(sizeof *bx->vals[level]);
	struct values *vals = bx->vals[level];
	if (read_values(bx, r, vals) != 0)
		return -1;
	return bx_template_body(bx, def, body, vals, rd, level + 1);
}

int bx_cdata(struct binxml *bx, br *r)
{
	br_u8(r);
	uint16_t count = br_le16(r);
	br text = br_sub(r, 2u * count);
	if (text.bad)
		return fail(bx, r, "CDATA past the record");
	size_t from = bx->vn;
	vb_utf16(bx, text);
	bx_normalize(bx, from, false);
	return 0;
}

void bx_skip_pi(struct binxml *bx, br *r)
{
	if ((br_u8(r) & 0xBF) == 0x0A) {
		uint32_t off = br_le32(r);
		bx_skip_inline_name(bx, r, off);
	} else {
		br_skip(r, 2u * br_le16(r));
	}
}

int bx_walk(struct binxml *bx, br *r, const struct values *vals, unsigned rd, unsigned level,
	    bool in_element)
{
	while (br_left(r)) {
		uint8_t t = br_peek(r, 0);
		switch (t & 0xBF) {
		case 0x00:
			br_u8(r);
			return in_element ? fail(bx, r, "fragment ends inside an element") : 0;
		case 0x04:
			br_u8(r);
			return in_element ? 0 : fail(bx, r, "end element outside an element");
		case 0x0F:
			br_skip(r, 4);
			break;
		case 0x0C:
			if (template_instance(bx, r, rd, level) != 0)
				return -1;
			break;
		case 0x01:
			if (element(bx, r, vals, rd, level) != 0)
				return -1;
			break;
		case 0x0D:
		case 0x0E: {
			/* embedded binary XML becomes children of this element */
			br ahead = *r;
			br_skip(&ahead, 1);
			uint16_t idx = br_le16(&ahead);
			if (ahead.bad)
				idx = 0xFFFF;
			if (vals && idx < vals->n && vals->v[idx].type == 0x21) {
				br_skip(r, 4);
				if (level >= BX_MAX_LEVEL)
					return fail(bx, r, "embedded XML nested too deep");
				br sub = vals->v[idx].data;
				if (bx_walk(bx, &sub, NULL, rd, level + 1, false) != 0)
					return -1;
				break;
			}
		}
			/* fall through */
		case 0x05:
		case 0x08:
		case 0x09: {
			size_t save = bx->vn;
			int rc = bx_value_token(bx, r, vals);
			if (rc < 0)
				return -1;
			if (rc) {
				bx_normalize(bx, save, false);
				winevt_text(bx->w, bx->vb + save, bx->vn - save);
			}
			bx->vn = save;
			break;
		}
		case 0x07: {
			size_t save = bx->vn;
			if (bx_cdata(bx, r) != 0)
				return -1;
			winevt_text(bx->w, bx->vb + save, bx->vn - save);
			bx->vn = save;
			break;
		}
		case 0x0A:
		case 0x0B:
			bx_skip_pi(bx, r);
			break;
		default:
			return fail(bx, r, "unknown token");
		}
		if (r->bad)
			return fail(bx, r, "token past the record");
	}
	return in_element ? fail(bx, r, "record ends inside an element") : 0;
}

int binxml_record(struct binxml *bx, struct winevt *w, size_t off, size_t len)
{
	bx->err[0] = '\0';
	bx->w = w;
	bx->vn = 0;
	br r = br_slice(&bx->chunk, off, len);
	if (r.bad)
		return fail(bx, NULL, "record outside the chunk");
	return bx_walk(bx, &r, NULL, 0, 0, false);
}
