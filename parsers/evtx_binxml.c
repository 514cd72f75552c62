/*
 * parsers/evtx_binxml.c - EVTX binary XML -> winevt callbacks (see evtx_binxml.h).
 * Does not: render XML text, check CRCs, resolve non-standard entities.
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
 * Template bodies are compiled once per chunk (keyed by the definition's
 * offset) into steps that each instance runs with its own values; a body
 * the steps cannot follow is walked token by token each time instead.
 */
#include "evtx_binxml.h"
#include "../correlator/core/br.h"
#include "../correlator/core/util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BX_MAX_VALUES 512
#define BX_MAX_LEVEL 12        /* template / embedded-fragment nesting */
#define BX_MAX_DEPTH 200       /* element nesting, whatever the caller allows */
#define BX_NAME_CACHE 512
#define BX_NAME_MAX 96
#define BX_TMPL_CACHE 128      /* compiled templates per chunk (power of 2) */
#define BX_TMPL_STEPS 4096     /* steps of one template; more -> walk it */

struct bx_name {
	uint32_t off;          /* chunk offset + 1; 0 = empty */
	uint8_t n;
	uint8_t id;            /* enum winevt_name of s */
	char s[BX_NAME_MAX];
};

struct subst {
	br data;               /* the value's bytes */
	uint8_t type;
};

/* A template instance's substitution values. */
struct values {
	struct subst v[BX_MAX_VALUES];
	unsigned n;
};

/* One step of a compiled template: what walking its body would do, less
 * the substitution values. */
enum bx_op { ST_OPEN, ST_ATTR_LIT, ST_ATTR_SUBST, ST_ATTR_END, ST_TEXT, ST_TEXT_SUBST, ST_CLOSE };

struct bx_step {
	uint8_t op;            /* enum bx_op */
	uint8_t id;            /* winevt name id (OPEN, ATTR_END); optional (SUBST) */
	uint16_t depth;        /* element depth below the template instance */
	uint32_t a, n;         /* pool offset and length (names, text); a = index (SUBST) */
	uint32_t at;           /* chunk offset an error of this step quotes */
};

/* What a template definition of this chunk gets: walked its first time
 * (a template used once costs no compiling), compiled its second. */
enum bx_tmpl_state { TMPL_SEEN, TMPL_COMPILED, TMPL_UNCOMPILABLE };

struct bx_tmpl {
	uint32_t def;          /* definition's chunk offset + 1; 0 = free slot */
	uint8_t state;         /* enum bx_tmpl_state */
	uint32_t first, count; /* its steps in binxml.steps (TMPL_COMPILED) */
};

struct binxml {
	br chunk;              /* the whole chunk; offsets are relative to it */
	struct winevt *w;
	char err[160];
	char *vb;              /* rendered value */
	size_t vn, vcap;
	char nbuf[4 * 256 + 4];
	struct bx_name names[BX_NAME_CACHE];
	struct values *vals[BX_MAX_LEVEL]; /* of the instance at each nesting level */
	struct bx_tmpl tmpl[BX_TMPL_CACHE];
	unsigned ntmpl;
	struct bx_step *steps; /* of this chunk's compiled templates */
	size_t nsteps, capsteps;
	char *pool;            /* their names and literal text, NUL-terminated */
	size_t npool, cappool;
};

struct binxml *binxml_new(void)
{
	struct binxml *bx = xcalloc(1, sizeof *bx);
	bx->vcap = 1 << 16;
	bx->vb = xmalloc(bx->vcap);
	return bx;
}

void binxml_free(struct binxml *bx)
{
	if (!bx)
		return;
	free(bx->vb);
	for (size_t i = 0; i < BX_MAX_LEVEL; i++)
		free(bx->vals[i]);
	free(bx->steps);
	free(bx->pool);
	free(bx);
}

void binxml_chunk(struct binxml *bx, const uint8_t *chunk, size_t len)
{
	bx->chunk = br_make(chunk, len);
	for (size_t i = 0; i < BX_NAME_CACHE; i++)
		bx->names[i].off = 0;
	for (size_t i = 0; i < BX_TMPL_CACHE; i++)
		bx->tmpl[i].def = 0;
	bx->ntmpl = 0;
	bx->nsteps = bx->npool = 0;
}

const char *binxml_error(const struct binxml *bx)
{
	return bx->err;
}

static int fail_at(struct binxml *bx, size_t at, const char *what)
{
	if (!bx->err[0])
		snprintf(bx->err, sizeof bx->err, "%s at chunk offset 0x%zx", what, at);
	return -1;
}

static int fail(struct binxml *bx, const br *r, const char *what)
{
	return fail_at(bx, r ? br_pos(r, &bx->chunk) : (size_t)0, what);
}

static size_t pos(const struct binxml *bx, const br *r)
{
	return br_pos(r, &bx->chunk);
}

/* --- value rendering into bx->vb ----------------------------------------- */

static void vb_need(struct binxml *bx, size_t n)
{
	if (bx->vn + n + 1 > bx->vcap) {
		while (bx->vn + n + 1 > bx->vcap)
			bx->vcap *= 2;
		bx->vb = xrealloc(bx->vb, bx->vcap);
	}
}

static void vb_put(struct binxml *bx, const char *s, size_t n)
{
	vb_need(bx, n);
	memcpy(bx->vb + bx->vn, s, n);
	bx->vn += n;
	bx->vb[bx->vn] = '\0';
}

/* What an XML parser does to the text libevtx renders, so both readers give
 * the same values: line ends become LF (XML 1.0 2.11) and, in attribute
 * values, tab/CR/LF become spaces (3.3.3). In place on vb[from..]. */
static void vb_normalize(struct binxml *bx, size_t from, bool attr)
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
		vb_put(bx, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* UTF-16LE (all whole units of r) -> UTF-8 appended; trailing NULs dropped. */
static void vb_utf16(struct binxml *bx, br r)
{
	size_t units = br_left(&r) / 2;
	while (units && br_peek(&r, 2 * units - 2) == 0 && br_peek(&r, 2 * units - 1) == 0)
		units--;
	vb_need(bx, units * 3);
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
	char tmp[24];
	size_t i = sizeof tmp;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	vb_put(bx, tmp + i, sizeof tmp - i);
}

static void vb_i64(struct binxml *bx, int64_t v)
{
	if (v < 0) {
		vb_put(bx, "-", 1);
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
	vb_put(bx, tmp, 2 + digits);
}

/* v as exactly width decimal digits */
static void vb_dec(struct binxml *bx, uint64_t v, unsigned width)
{
	char tmp[20];
	for (unsigned i = width; i-- > 0;) {
		tmp[i] = (char)('0' + v % 10);
		v /= 10;
	}
	vb_put(bx, tmp, width);
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
	vb_put(bx, "-", 1);
	vb_dec(bx, (uint64_t)m, 2);
	vb_put(bx, "-", 1);
	vb_dec(bx, (uint64_t)d, 2);
	vb_put(bx, "T", 1);
	vb_dec(bx, (uint64_t)(sod / 3600), 2);
	vb_put(bx, ":", 1);
	vb_dec(bx, (uint64_t)(sod / 60 % 60), 2);
	vb_put(bx, ":", 1);
	vb_dec(bx, (uint64_t)(sod % 60), 2);
	vb_put(bx, ".", 1);
	vb_dec(bx, frac, 9);
	vb_put(bx, "Z", 1);
}

/* Hex digits of the next n bytes, upper case. */
static void vb_hexbytes(struct binxml *bx, br *r, size_t n)
{
	static const char hexd[] = "0123456789ABCDEF";
	vb_need(bx, 2 * n);
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
	vb_put(bx, g, o);
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
	vb_put(bx, "S-", 2);
	vb_u64(bx, rev);
	vb_put(bx, "-", 1);
	vb_u64(bx, auth);
	for (unsigned i = 0; i < count; i++) {
		vb_put(bx, "-", 1);
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
		vb_need(bx, n);
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
		vb_put(bx, v ? "true" : "false", v ? 4 : 5);
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
					vb_put(bx, ", ", 2);
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
			vb_put(bx, ", ", 2);
		if (render_one(bx, base, br_sub(&v, es)) != 0)
			return -1;
	}
	return 0;
}

/* --- names --------------------------------------------------------------- */

/* The name stored at chunk offset off, as UTF-8 (borrowed until the next
 * call), and its winevt name id in *id (looked up once per cached name). */
static const char *name_at(struct binxml *bx, uint32_t off, enum winevt_name *id)
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

/* Skip a name stored inline at the reading position. */
static void skip_inline_name(struct binxml *bx, br *r, uint32_t off)
{
	if (pos(bx, r) != off)
		return;
	br_skip(r, 6);
	uint16_t count = br_le16(r);
	br_skip(r, 2u * count + 2);
}

/* --- the walk ------------------------------------------------------------ */

static int walk(struct binxml *bx, br *r, const struct values *vals, unsigned rd, unsigned level,
		bool in_element);

/* Substitution idx as text (not embedded XML) into bx->vb; at: the chunk
 * offset an error quotes. 1 = rendered, 0 = an optional NULL, -1 = error. */
static int subst_text(struct binxml *bx, const struct values *vals, unsigned idx, bool optional,
		      size_t at)
{
	if (!vals || idx >= vals->n)
		return fail_at(bx, at, "substitution index out of range");
	const struct subst *s = &vals->v[idx];
	if (optional && (s->type == 0 || br_left(&s->data) == 0))
		return 0;
	if (s->type == 0x21)
		return fail_at(bx, at, "embedded binary XML in an attribute");
	if (render_value(bx, s->type, s->data) != 0)
		return fail_at(bx, at, "bad substitution value");
	return 1;
}

/* Value tokens of an attribute or of content, rendered into bx->vb.
 * Returns 1 if something (even empty) was produced, 0 for an optional NULL,
 * -1 on error. Embedded binary XML is not allowed here (handled by caller). */
static int value_token(struct binxml *bx, br *r, const struct values *vals)
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
		return subst_text(bx, vals, idx, (t & 0xBF) == 0x0E, pos(bx, r));
	}
	case 0x08: {
		br c = br_sub(r, 2);  /* one UTF-16 unit */
		vb_utf16(bx, c);
		return 1;
	}
	case 0x09: {
		uint32_t off = br_le32(r);
		skip_inline_name(bx, r, off);
		enum winevt_name id;
		const char *n = name_at(bx, off, &id);
		if (!n)
			return fail(bx, r, "bad entity name");
		static const char *const ents[][2] = { { "amp", "&" }, { "lt", "<" }, { "gt", ">" },
						       { "quot", "\"" }, { "apos", "'" } };
		const char *v = NULL;
		for (size_t i = 0; i < 5; i++)
			if (!strcmp(n, ents[i][0]))
				v = ents[i][1];
		if (v)
			vb_put(bx, v, strlen(v));
		else
			vb_fmt(bx, "&%.80s;", n);
		return 1;
	}
	default:
		return fail(bx, r, "unexpected token in a value");
	}
}

static bool is_value_token(uint8_t t)
{
	t &= 0xBF;
	return t == 0x05 || t == 0x0D || t == 0x0E || t == 0x08 || t == 0x09;
}

static int element(struct binxml *bx, br *r, const struct values *vals, unsigned rd, unsigned level)
{
	uint8_t t = br_u8(r);
	br_skip(r, 2);                 /* dependency id */
	br_skip(r, 4);                 /* data size */
	uint32_t noff = br_le32(r);
	if (r->bad)
		return fail(bx, r, "element header past the record");
	skip_inline_name(bx, r, noff);
	enum winevt_name id;
	const char *name = name_at(bx, noff, &id);
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
			skip_inline_name(bx, &a, aoff);
			enum winevt_name aid;
			if (!name_at(bx, aoff, &aid) || a.bad)
				return fail(bx, &a, "bad attribute name");
			size_t save = bx->vn;
			int any = 0;
			while (br_left(&a) && is_value_token(br_peek(&a, 0))) {
				int rc = value_token(bx, &a, vals);
				if (rc < 0)
					return -1;
				any |= rc;
			}
			if (any) {
				vb_normalize(bx, save, true);
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
		if (walk(bx, r, vals, rd + 1, level, true) != 0)
			return -1;
	} else if (close != 0x03) {
		return fail(bx, r, "bad close-start-element token");
	}
	winevt_end(bx->w, rd);
	return 0;
}

/* --- templates compiled once per chunk ------------------------------------
 * A template definition's body is the same for every record of the chunk
 * that instantiates it: its tokens are walked once into steps, which each
 * record then runs with its own substitution values. Anything the steps do
 * not model (nested template instances, bad tokens, oversized bodies) leaves
 * the template uncompiled and walk() renders it as before, so the result and
 * any error are the same either way. */

static int step_add(struct binxml *bx, size_t first, enum bx_op op, unsigned id, unsigned depth,
		    size_t a, size_t n, size_t at)
{
	if (bx->nsteps - first >= BX_TMPL_STEPS)
		return -1;
	if (bx->nsteps == bx->capsteps) {
		bx->capsteps = bx->capsteps ? 2 * bx->capsteps : 256;
		bx->steps = xrealloc(bx->steps, bx->capsteps * sizeof *bx->steps);
	}
	bx->steps[bx->nsteps++] = (struct bx_step){ (uint8_t)op, (uint8_t)id, (uint16_t)depth,
						    (uint32_t)a, (uint32_t)n, (uint32_t)at };
	return 0;
}

/* s[0..n) and a NUL into the pool; its offset. */
static size_t pool_add(struct binxml *bx, const char *s, size_t n)
{
	if (bx->npool + n + 1 > bx->cappool) {
		while (bx->npool + n + 1 > bx->cappool)
			bx->cappool = bx->cappool ? 2 * bx->cappool : 4096;
		bx->pool = xrealloc(bx->pool, bx->cappool);
	}
	size_t off = bx->npool;
	memcpy(bx->pool + off, s, n);
	bx->pool[off + n] = '\0';
	bx->npool += n + 1;
	return off;
}

/* A step whose text is vb[save..vn), then vb cut back to save. */
static int step_text(struct binxml *bx, size_t first, enum bx_op op, size_t save)
{
	size_t a = pool_add(bx, bx->vb + save, bx->vn - save), n = bx->vn - save;
	bx->vn = save;
	return step_add(bx, first, op, 0, 0, a, n, 0);
}

/* A 0x0D/0x0E token as a step: its index, whether optional, and the
 * offset walk() would quote for an error of it. */
static int compile_subst(struct binxml *bx, br *r, size_t first, enum bx_op op, unsigned depth)
{
	bool optional = (br_u8(r) & 0xBF) == 0x0E;
	uint16_t idx = br_le16(r);
	br_u8(r);
	if (r->bad)
		return -1;
	return step_add(bx, first, op, optional, depth, idx, 0, pos(bx, r));
}

static int compile_attrs(struct binxml *bx, br *r, size_t first, unsigned depth)
{
	uint32_t asize = br_le32(r);
	br a = br_sub(r, asize);
	while (br_left(&a) && !a.bad) {
		if ((br_u8(&a) & 0xBF) != 0x06)
			return -1;
		uint32_t aoff = br_le32(&a);
		skip_inline_name(bx, &a, aoff);
		enum winevt_name aid;
		if (!name_at(bx, aoff, &aid) || a.bad)
			return -1;
		while (br_left(&a) && is_value_token(br_peek(&a, 0))) {
			uint8_t t = br_peek(&a, 0) & 0xBF;
			size_t save = bx->vn;
			int rc = t == 0x0D || t == 0x0E ? compile_subst(bx, &a, first, ST_ATTR_SUBST, depth)
				: value_token(bx, &a, NULL) < 0 ? -1 : step_text(bx, first, ST_ATTR_LIT, save);
			if (rc != 0)
				return -1;
		}
		if (step_add(bx, first, ST_ATTR_END, aid, depth, 0, 0, 0) != 0)
			return -1;
	}
	return r->bad || a.bad ? -1 : 0;
}

static int compile_body(struct binxml *bx, br *r, size_t first, unsigned depth, bool in_element);

static int compile_element(struct binxml *bx, br *r, size_t first, unsigned depth)
{
	if (depth >= BX_MAX_DEPTH)
		return -1;             /* walk() refuses it, whatever the instance's depth */
	uint8_t t = br_u8(r);
	br_skip(r, 6);                 /* dependency id, data size */
	uint32_t noff = br_le32(r);
	if (r->bad)
		return -1;
	skip_inline_name(bx, r, noff);
	enum winevt_name id;
	const char *name = name_at(bx, noff, &id);
	if (!name || r->bad)
		return -1;
	size_t a = pool_add(bx, name, strlen(name));
	if (step_add(bx, first, ST_OPEN, id, depth, a, 0, pos(bx, r)) != 0)
		return -1;
	if ((t & 0x40) && compile_attrs(bx, r, first, depth) != 0)
		return -1;
	uint8_t close = br_u8(r);
	if (r->bad || (close != 0x02 && close != 0x03))
		return -1;
	if (close == 0x02 && compile_body(bx, r, first, depth + 1, true) != 0)
		return -1;
	return step_add(bx, first, ST_CLOSE, 0, depth, 0, 0, 0);
}

/* walk()'s token loop, into steps; -1 wherever walk() would fail or the
 * steps cannot follow. */
static int compile_body(struct binxml *bx, br *r, size_t first, unsigned depth, bool in_element)
{
	while (br_left(r)) {
		uint8_t t = br_peek(r, 0) & 0xBF;
		size_t save = bx->vn;
		int rc = 0;
		if (t == 0x00 || t == 0x04) {
			br_u8(r);
			return (t == 0x04) == in_element ? 0 : -1;
		} else if (t == 0x0F) {
			br_skip(r, 4);
		} else if (t == 0x01) {
			rc = compile_element(bx, r, first, depth);
		} else if (t == 0x0D || t == 0x0E) {
			rc = compile_subst(bx, r, first, ST_TEXT_SUBST, depth);
		} else if (t == 0x05 || t == 0x08 || t == 0x09) {
			rc = value_token(bx, r, NULL);
			if (rc >= 0) {
				vb_normalize(bx, save, false);
				rc = step_text(bx, first, ST_TEXT, save);
			}
		} else if (t == 0x07) {
			br_u8(r);
			uint16_t count = br_le16(r);
			br text = br_sub(r, 2u * count);
			if (text.bad)
				return -1;
			vb_utf16(bx, text);
			vb_normalize(bx, save, false);
			rc = step_text(bx, first, ST_TEXT, save);
		} else if (t == 0x0A) {
			br_u8(r);
			uint32_t off = br_le32(r);
			skip_inline_name(bx, r, off);
		} else if (t == 0x0B) {
			br_u8(r);
			br_skip(r, 2u * br_le16(r));
		} else {
			return -1;  /* nested template instances among them */
		}
		bx->vn = save;
		if (rc != 0 || r->bad)
			return -1;
	}
	return in_element ? -1 : 0;
}

/* The compiled template at chunk offset def with body, compiled now if
 * this is its second use; NULL: walk the body instead. */
static const struct bx_tmpl *template_compiled(struct binxml *bx, uint32_t def, br body)
{
	unsigned h = (def * 2654435761u) >> 7 & (BX_TMPL_CACHE - 1);
	while (bx->tmpl[h].def && bx->tmpl[h].def != def + 1)
		h = (h + 1) & (BX_TMPL_CACHE - 1);
	struct bx_tmpl *c = &bx->tmpl[h];
	if (!c->def) {
		if (bx->ntmpl >= BX_TMPL_CACHE * 3 / 4)
			return NULL;
		bx->ntmpl++;
		c->def = def + 1;
		c->state = TMPL_SEEN;
		return NULL;
	}
	if (c->state != TMPL_SEEN)
		return c->state == TMPL_COMPILED ? c : NULL;
	size_t first = bx->nsteps, first_pool = bx->npool, save = bx->vn;
	bool ok = compile_body(bx, &body, first, 0, false) == 0;
	bx->vn = save;
	bx->err[0] = '\0';  /* what compiling found, walk() will say */
	if (!ok) {
		bx->nsteps = first;
		bx->npool = first_pool;
		c->state = TMPL_UNCOMPILABLE;
		return NULL;
	}
	c->state = TMPL_COMPILED;
	c->first = (uint32_t)first;
	c->count = (uint32_t)(bx->nsteps - first);
	return c;
}

/* Whether value type's text may hold a tab, CR or LF (vb_normalize's work):
 * only strings can; numbers, GUIDs, SIDs, times and hex cannot. */
static bool may_need_normalizing(uint8_t type)
{
	type &= 0x7F;
	return type == 0x01 || type == 0x02;
}

/* A content substitution: embedded binary XML walked, anything else text. */
static int run_text_subst(struct binxml *bx, const struct bx_step *s, const struct values *vals,
			  unsigned rd, unsigned level)
{
	if (s->a < vals->n && vals->v[s->a].type == 0x21) {
		if (level >= BX_MAX_LEVEL)
			return fail_at(bx, s->at, "embedded XML nested too deep");
		br sub = vals->v[s->a].data;
		return walk(bx, &sub, NULL, rd, level + 1, false);
	}
	size_t save = bx->vn;
	int rc = subst_text(bx, vals, s->a, s->id, s->at);
	if (rc > 0) {
		if (may_need_normalizing(vals->v[s->a].type))
			vb_normalize(bx, save, false);
		winevt_text(bx->w, bx->vb + save, bx->vn - save);
	}
	bx->vn = save;
	return rc < 0 ? -1 : 0;
}

/* Steps first.. (count) with vals, the instance at depth rd; level as walk()'s. */
static int run_template(struct binxml *bx, size_t first, size_t count, const struct values *vals,
			unsigned rd, unsigned level)
{
	size_t save = bx->vn;  /* an attribute's value builds up from here */
	int any = 0;
	bool normalize = false;
	for (size_t i = first; i < first + count; i++) {
		const struct bx_step *s = &bx->steps[i];  /* not kept past a walk */
		unsigned d = rd + s->depth;
		int rc = 0;
		switch (s->op) {
		case ST_OPEN:
			if (d >= bx->w->max_depth || d >= BX_MAX_DEPTH)
				return fail_at(bx, s->at, "elements nested too deep");
			winevt_elem(bx->w, d, bx->pool + s->a, (enum winevt_name)s->id);
			break;
		case ST_ATTR_LIT:
			vb_put(bx, bx->pool + s->a, s->n);
			any = 1;
			normalize = true;
			break;
		case ST_ATTR_SUBST:
			rc = subst_text(bx, vals, s->a, s->id, s->at);
			any |= rc > 0;
			normalize |= rc > 0 && may_need_normalizing(vals->v[s->a].type);
			break;
		case ST_ATTR_END:
			if (any) {
				if (normalize)
					vb_normalize(bx, save, true);
				winevt_attr(bx->w, d, (enum winevt_name)s->id, bx->vb + save, bx->vn - save);
			}
			bx->vn = save;
			any = 0;
			normalize = false;
			break;
		case ST_TEXT:
			winevt_text(bx->w, bx->pool + s->a, s->n);
			break;
		case ST_TEXT_SUBST:
			rc = run_text_subst(bx, s, vals, d, level);
			break;
		case ST_CLOSE:
			winevt_end(bx->w, d);
			break;
		}
		if (rc < 0)
			return -1;
	}
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
	if (pos(bx, r) == def) {
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
	const struct bx_tmpl *c = template_compiled(bx, def, body);
	return c ? run_template(bx, c->first, c->count, vals, rd, level + 1)
		 : walk(bx, &body, vals, rd, level + 1, false);
}

/* content / fragment tokens until 0x04 (in an element) or 0x00 / the end. */
static int walk(struct binxml *bx, br *r, const struct values *vals, unsigned rd, unsigned level,
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
				if (walk(bx, &sub, NULL, rd, level + 1, false) != 0)
					return -1;
				break;
			}
		}
			/* fall through */
		case 0x05:
		case 0x08:
		case 0x09: {
			size_t save = bx->vn;
			int rc = value_token(bx, r, vals);
			if (rc < 0)
				return -1;
			if (rc) {
				vb_normalize(bx, save, false);
				winevt_text(bx->w, bx->vb + save, bx->vn - save);
			}
			bx->vn = save;
			break;
		}
		case 0x07: {
			br_u8(r);
			uint16_t count = br_le16(r);
			br text = br_sub(r, 2u * count);
			if (text.bad)
				return fail(bx, r, "CDATA past the record");
			size_t save = bx->vn;
			vb_utf16(bx, text);
			vb_normalize(bx, save, false);
			winevt_text(bx->w, bx->vb + save, bx->vn - save);
			bx->vn = save;
			break;
		}
		case 0x0A: {
			br_u8(r);
			uint32_t off = br_le32(r);
			skip_inline_name(bx, r, off);
			break;
		}
		case 0x0B: {
			br_u8(r);
			uint16_t count = br_le16(r);
			br_skip(r, 2u * count);
			break;
		}
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
	return walk(bx, &r, NULL, 0, 0, false);
}
