/*
 * correlator/core/br.h - bounds-checked byte reader over untrusted input.
 * A cursor with a sticky error flag: every read past the end returns 0 and sets
 * r->bad, so a decoder checks once per record instead of once per field.
 * Parts of the input are readers too: br_sub (the next n bytes), br_at and
 * br_slice (at an offset the format stores), br_head (at most n bytes).
 * Does not: allocate, copy, or know any format. All pointer arithmetic on input
 * bytes lives here.
 */
#ifndef CORRELATOR_BR_H
#define CORRELATOR_BR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct br {
	const uint8_t *p;   /* next byte to read */
	const uint8_t *end; /* one past the last readable byte */
	bool bad;           /* set by any short read; never cleared */
} br;

static inline br br_make(const void *data, size_t len)
{
	const uint8_t *p = data;
	br r = { p, p ? p + len : p, false };  /* NULL + 0 is undefined in C */
	return r;
}

static inline size_t br_left(const br *r) { return (size_t)(r->end - r->p); }

static inline bool br_need(br *r, size_t n)
{
	if (r->bad || br_left(r) < n) {
		r->bad = true;
		r->p = r->end;
		return false;
	}
	return true;
}

static inline uint8_t br_u8(br *r)
{
	if (!br_need(r, 1))
		return 0;
	return *r->p++;
}

static inline uint16_t br_be16(br *r)
{
	if (!br_need(r, 2))
		return 0;
	uint16_t v = (uint16_t)((uint16_t)r->p[0] << 8 | r->p[1]);
	r->p += 2;
	return v;
}

static inline uint16_t br_le16(br *r)
{
	if (!br_need(r, 2))
		return 0;
	uint16_t v = (uint16_t)((uint16_t)r->p[1] << 8 | r->p[0]);
	r->p += 2;
	return v;
}

static inline uint32_t br_be32(br *r)
{
	if (!br_need(r, 4))
		return 0;
	uint32_t v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
		     (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	return v;
}

static inline uint32_t br_le32(br *r)
{
	if (!br_need(r, 4))
		return 0;
	uint32_t v = (uint32_t)r->p[3] << 24 | (uint32_t)r->p[2] << 16 |
		     (uint32_t)r->p[1] << 8 | r->p[0];
	r->p += 4;
	return v;
}

/* 64-bit reads check all 8 bytes first: a short one is 0, not half a value. */
static inline uint64_t br_le64(br *r)
{
	if (!br_need(r, 8))
		return 0;
	uint64_t lo = br_le32(r);
	uint64_t hi = br_le32(r);
	return hi << 32 | lo;
}

static inline uint64_t br_be64(br *r)
{
	if (!br_need(r, 8))
		return 0;
	uint64_t hi = br_be32(r);
	uint64_t lo = br_be32(r);
	return hi << 32 | lo;
}

static inline uint64_t br_u64(br *r, bool big_endian)
{
	return big_endian ? br_be64(r) : br_le64(r);
}

static inline uint32_t br_u32(br *r, bool big_endian)
{
	return big_endian ? br_be32(r) : br_le32(r);
}

static inline uint16_t br_u16(br *r, bool big_endian)
{
	return big_endian ? br_be16(r) : br_le16(r);
}

/* Copy n bytes out; on a short read the destination is zero-filled. */
static inline void br_copy(br *r, void *dst, size_t n)
{
	if (!br_need(r, n)) {
		memset(dst, 0, n);
		return;
	}
	if (n == 0)
		return; /* the reader may be empty over NULL: no NULL + 0 */
	memcpy(dst, r->p, n);
	r->p += n;
}

static inline void br_skip(br *r, size_t n)
{
	if (br_need(r, n) && n)
		r->p += n;
}

/* A child window of n bytes; the parent moves past them. Short -> both bad. */
static inline br br_sub(br *r, size_t n)
{
	br c = { r->p, r->p, true };
	if (!br_need(r, n))
		return c;
	c.bad = false;
	if (n == 0)
		return c; /* an empty window; the reader may be over NULL */
	c.end = r->p + n;
	r->p += n;
	return c;
}

/* Random access: a reader over r's bytes from off (counted from r's position)
 * to r's end; r does not move. off past the end, or r already bad -> an empty
 * reader with bad set. For offsets a format stores (DNS compression pointers,
 * chunk-relative offsets). */
static inline br br_at(const br *r, size_t off)
{
	br c = *r;
	if (c.bad || off > br_left(r)) {
		c.p = c.end;
		c.bad = true;
		return c;
	}
	if (off)
		c.p += off; /* never NULL + 0 */
	return c;
}

/* The n bytes at off (from r's position) as their own reader; r does not
 * move. Any of them past the end -> an empty reader with bad set. */
static inline br br_slice(const br *r, size_t off, size_t n)
{
	br c = br_at(r, off);
	return br_sub(&c, n);
}

/* r cut to at most its first n bytes (all of it when it holds fewer); no error. */
static inline br br_head(br r, size_t n)
{
	if (n < br_left(&r))
		r.end = r.p + n;
	return r;
}

/* How far r has read past origin's position; r must be origin or a reader
 * made from it (br_at, br_sub, br_slice, a copy moved on). */
static inline size_t br_pos(const br *r, const br *origin)
{
	return (size_t)(r->p - origin->p);
}

/* Do the next n bytes equal lit? They are consumed either way; a short read
 * is false and sets bad. For magic numbers and signatures. */
static inline bool br_match(br *r, const void *lit, size_t n)
{
	if (!br_need(r, n))
		return false;
	if (n == 0)
		return true;
	bool eq = memcmp(r->p, lit, n) == 0;
	r->p += n;
	return eq;
}

/* Peek at the byte i positions ahead without moving; 0 and no error if out of range. */
/* The leading UTF-16LE code units below 0x80 among the next n units of r,
 * copied to dst (room for n) as ASCII and skipped; returns how many. Stops
 * at the first other unit or the end of r: the fast path of UTF-16 text. */
static inline size_t br_ascii16(br *r, char *dst, size_t n)
{
	size_t avail = br_left(r) / 2, i = 0;
	if (n > avail)
		n = avail;
	const uint8_t *p = r->p;
	/* four units a step while all four are ASCII, then one at a time */
	while (n - i >= 4 && (p[2 * i] | p[2 * i + 2] | p[2 * i + 4] | p[2 * i + 6]) < 0x80 &&
	       (p[2 * i + 1] | p[2 * i + 3] | p[2 * i + 5] | p[2 * i + 7]) == 0) {
		dst[i] = (char)p[2 * i];
		dst[i + 1] = (char)p[2 * i + 2];
		dst[i + 2] = (char)p[2 * i + 4];
		dst[i + 3] = (char)p[2 * i + 6];
		i += 4;
	}
	while (i < n && p[2 * i] < 0x80 && p[2 * i + 1] == 0) {
		dst[i] = (char)p[2 * i];
		i++;
	}
	r->p += 2 * i;
	return i;
}

static inline uint8_t br_peek(const br *r, size_t i)
{
	return i < br_left(r) ? r->p[i] : 0;
}

#endif
