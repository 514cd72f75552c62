/*
 * parsers/pcapng.c - pcapng capture files, read by hand so that interfaces with
 * different link types and time resolutions, interface ids, the direction flag
 * and packet comments survive (libpcap 1.10 refuses the first and hides the rest).
 *
 *   block := u32 type | u32 total_length | body | u32 total_length
 *   SHB (0x0A0D0D0A) sets byte order and resets interfaces; IDB (1) adds one;
 *   EPB (6), SPB (3), PB (2) carry packets; ISB (5) drop counts; others skipped.
 *
 * Damage: a block whose lengths do not agree is skipped by scanning forward
 * for the next plausible block; what was jumped over is reported.
 * Does not: decrypt (DSB), resolve names (NRB), read the systemd journal block.
 * Spec: draft-ietf-opsawg-pcapng.
 */
#include "../correlator/core/parser.h"
#include "decode/capture.h"
#include "../correlator/core/br.h"
#include "../correlator/core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_PB 2u
#define BT_SPB 3u
#define BT_NRB 4u
#define BT_ISB 5u
#define BT_EPB 6u
#define BLOCK_MAX (64u * 1024 * 1024)
#define MAX_IFACES 4096

struct iface {
	uint16_t linktype;
	uint32_t snaplen;
	uint8_t tsresol;      /* if_tsresol byte: 6 = usec */
	int64_t tsoffset;     /* seconds */
	uint64_t dropped;     /* from ISB */
};

struct pcapng_state {
	struct source *src;
	FILE *f;
	bool big;             /* section byte order */
	struct iface *ifs;
	size_t nifs;
	uint8_t *buf;
	size_t bufcap;
	uint64_t offset;      /* file offset of the next block */
	uint64_t size;
	struct capture cap;
};

static int pcapng_sniff(const uint8_t *h, size_t n)
{
	br r = br_make(h, n);
	uint32_t type = br_be32(&r);
	br_skip(&r, 4);
	uint32_t bom = br_be32(&r);
	if (r.bad || type != BT_SHB)
		return 0;
	return bom == 0x1A2B3C4D || bom == 0x4D3C2B1A ? 100 : 0;
}

static int pcapng_open(struct source *src, const char *path, void **state)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		source_error(src, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct pcapng_state *st = xcalloc(1, sizeof *st);
	st->src = src;
	st->f = f;
	setvbuf(f, NULL, _IOFBF, 256 * 1024);
	if (fseek(f, 0, SEEK_END) == 0) {
		long sz = ftell(f);
		st->size = sz > 0 ? (uint64_t)sz : 0;
		rewind(f);
	}
	capture_init(&st->cap, src);
	*state = st;
	return 0;
}

/* Convert a timestamp in interface units to UTC ns. */
static int64_t iface_ts(const struct iface *ifc, uint64_t t)
{
	__int128 ns;
	uint8_t r = ifc->tsresol;
	if (r & 0x80) {
		unsigned sh = r & 0x7f;
		if (sh > 63)
			sh = 63;
		ns = ((__int128)t * NS_PER_SEC) >> sh;
	} else if (r <= 9) {
		static const int64_t mul[] = { 1000000000, 100000000, 10000000, 1000000, 100000,
					       10000, 1000, 100, 10, 1 };
		ns = (__int128)t * mul[r];
	} else {
		__int128 div = 1;
		for (unsigned i = 9; i < r && i < 40; i++)
			div *= 10;
		ns = (__int128)t / div;
	}
	ns += (__int128)ifc->tsoffset * NS_PER_SEC;
	if (ns > INT64_MAX)
		return INT64_MAX;
	if (ns < INT64_MIN)
		return INT64_MIN;
	return (int64_t)ns;
}

struct opts {
	const char *comment;
	uint32_t comment_len;
	uint32_t epb_flags;
	bool has_flags;
	uint8_t tsresol;
	bool has_tsresol;
	int64_t tsoffset;
	uint64_t ifdrop;
	bool has_ifdrop;
};

/* Walk an option list; unknown options are skipped. */
static void read_opts(br o, bool big, uint32_t block, struct opts *out)
{
	while (br_left(&o) >= 4) {
		uint16_t code = br_u16(&o, big);
		uint16_t len = br_u16(&o, big);
		if (code == 0)
			break;
		if (len > br_left(&o))
			return;
		br v = br_sub(&o, len);
		br_skip(&o, (4 - len % 4) % 4);
		if (o.bad)
			o.bad = false, o.p = o.end;  /* last option may omit padding */
		if (code == 1 && !out->comment) {
			out->comment = (const char *)v.p;
			out->comment_len = len;
		} else if (block == BT_IDB && code == 9 && len >= 1) {
			out->tsresol = br_u8(&v);
			out->has_tsresol = true;
		} else if (block == BT_IDB && code == 14 && len == 8) {
			out->tsoffset = (int64_t)br_u64(&v, big);
		} else if (block == BT_EPB && code == 2 && len == 4) {
			out->epb_flags = br_u32(&v, big);
			out->has_flags = true;
		} else if (block == BT_ISB && code == 5 && len == 8) {
			out->ifdrop = br_u64(&v, big);
			out->has_ifdrop = true;
		}
	}
}

/* A packet timestamp: the upper 32 bits, then the lower, each in the section's
 * byte order (so not one 64-bit number in a little-endian section). */
static uint64_t read_ts(br *b, bool big)
{
	uint64_t hi = br_u32(b, big);
	uint64_t lo = br_u32(b, big);
	return hi << 32 | lo;
}

static bool read_exact(struct pcapng_state *st, void *p, size_t n)
{
	size_t got = fread(p, 1, n, st->f);
	st->offset += got;
	return got == n;
}

/* Is there a plausible block at off (known type, sane length, trailing
 * length agrees)? Reads the trailer with pread. */
static bool block_at(struct pcapng_state *st, uint64_t off, br w)
{
	uint32_t type = br_u32(&w, st->big), len = br_u32(&w, st->big);
	if (!(type == BT_EPB || type == BT_SHB || type == BT_IDB || type == BT_SPB ||
	      type == BT_ISB) || len < 12 || len % 4 || len > BLOCK_MAX || off + len > st->size)
		return false;
	uint8_t t[4];
	/* pread leaves the stream's position and buffer alone */
	if (pread(fileno(st->f), t, 4, (off_t)(off + len - 4)) != 4)
		return false;
	br tr = br_make(t, sizeof t);
	return br_u32(&tr, st->big) == len;
}

/* Scan forward from the current offset for the next plausible block, reading
 * the file in large windows (candidates are checked against their trailer). */
static bool resync(struct pcapng_state *st)
{
	enum { WIN = 1 << 16 };
	uint64_t start = st->offset;
	uint8_t *w = xmalloc(WIN + 8);
	for (uint64_t base = (start + 3) & ~3ull; base + 12 <= st->size; base += WIN) {
		if (fseek(st->f, (long)base, SEEK_SET) != 0)
			break;
		size_t n = fread(w, 1, WIN + 8, st->f);
		br win = br_make(w, n);
		for (size_t i = 0; i + 8 <= n && i < WIN; i += 4) {
			if (!block_at(st, base + i, br_at(&win, i)))
				continue;
			free(w);
			if (fseek(st->f, (long)(base + i), SEEK_SET) != 0)
				return false;
			st->offset = base + i;
			source_warn(st->src, 0, "%s: skipped %llu damaged bytes at offset %llu; resumed at the next block",
				    source_cur_path(st->src), (unsigned long long)(st->offset - start),
				    (unsigned long long)start);
			return true;
		}
	}
	free(w);
	return false;
}

static pr_status handle_shb(struct pcapng_state *st, size_t n)
{
	if (n < 16) {
		source_error(st->src, "section header block too short");
		return PR_FATAL;
	}
	/* byte order already fixed by the caller from the BOM */
	st->nifs = 0;
	return PR_SKIP;
}

static pr_status handle_idb(struct pcapng_state *st, br *b)
{
	struct iface ifc = { 0 };
	ifc.linktype = br_u16(b, st->big);
	br_skip(b, 2);
	ifc.snaplen = br_u32(b, st->big);
	if (b->bad)
		return PR_SKIP;
	struct opts o = { 0 };
	read_opts(*b, st->big, BT_IDB, &o);
	ifc.tsresol = o.has_tsresol ? o.tsresol : 6;
	ifc.tsoffset = o.tsoffset;
	if (st->nifs >= MAX_IFACES) {
		source_warn(st->src, 0, "more than %d interfaces; extra ones ignored", MAX_IFACES);
		return PR_SKIP;
	}
	st->ifs = xrealloc(st->ifs, (st->nifs + 1) * sizeof *st->ifs);
	st->ifs[st->nifs++] = ifc;
	return PR_SKIP;
}

static pr_status pcapng_next(void *state, struct event *ev)
{
	struct pcapng_state *st = state;
	for (;;) {
		uint8_t hdr[8];
		uint64_t block_off = st->offset;
		size_t got = fread(hdr, 1, 8, st->f);
		st->offset += got;
		if (got == 0)
			return PR_EOF;
		if (got < 8) {
			source_skip(st->src, st->cap.frame + 1,
				    "file ends inside a block header at offset %llu",
				    (unsigned long long)block_off);
			return PR_EOF;
		}
		br h = br_make(hdr, sizeof hdr);
		uint32_t type = br_u32(&h, st->big);  /* the SHB type reads the same either way */
		if (type == BT_SHB) {
			/* read the BOM to learn this section's byte order */
			uint8_t bom[4];
			if (!read_exact(st, bom, 4)) {
				source_skip(st->src, st->cap.frame + 1, "truncated section header");
				return PR_EOF;
			}
			br bo = br_make(bom, sizeof bom);
			uint32_t b = br_be32(&bo);
			if (b == 0x1A2B3C4D)
				st->big = true;
			else if (b == 0x4D3C2B1A)
				st->big = false;
			else {
				source_error(st->src, "bad byte-order magic in section header at offset %llu",
					     (unsigned long long)block_off);
				return PR_FATAL;
			}
			if (fseek(st->f, -4, SEEK_CUR) != 0)
				return PR_FATAL;
			st->offset -= 4;
		}
		uint32_t len = br_u32(&h, st->big);
		if (len < 12 || len > BLOCK_MAX || (st->size && block_off + len > st->size)) {
			bool at_end = st->size && block_off + len > st->size && len >= 12 && len <= BLOCK_MAX;
			if (at_end) {
				source_skip(st->src, st->cap.frame + 1,
					    "file ends inside a block (offset %llu, needs %u bytes)",
					    (unsigned long long)block_off, len);
				return PR_EOF;
			}
			source_warn(st->src, st->cap.frame + 1, "bad block length %u at offset %llu", len,
				    (unsigned long long)block_off);
			st->offset = block_off + 4;
			if (!resync(st))
				return PR_EOF;
			continue;
		}
		size_t body = len - 12;
		if (st->bufcap < body + 4) {
			st->bufcap = body + 4 > 65536 ? body + 4 : 65536;
			st->buf = xrealloc(st->buf, st->bufcap);
		}
		if (!read_exact(st, st->buf, body + 4)) {
			source_skip(st->src, st->cap.frame + 1, "file ends inside a block at offset %llu",
				    (unsigned long long)block_off);
			return PR_EOF;
		}
		br whole = br_make(st->buf, body + 4);
		br b = br_sub(&whole, body);
		if (br_u32(&whole, st->big) != len) {
			source_warn(st->src, st->cap.frame + 1,
				    "block at offset %llu: trailing length disagrees", (unsigned long long)block_off);
			if (fseek(st->f, (long)(block_off + 4), SEEK_SET) != 0)
				return PR_FATAL;
			st->offset = block_off + 4;
			if (!resync(st))
				return PR_EOF;
			continue;
		}
		st->src->bytes_cur = st->offset;
		uint32_t ifid = 0, caplen = 0, wirelen = 0;
		uint64_t t = 0;
		struct opts o = { 0 };
		switch (type) {
		case BT_SHB:
			handle_shb(st, body);
			continue;
		case BT_IDB:
			handle_idb(st, &b);
			continue;
		case BT_EPB: {
			ifid = br_u32(&b, st->big);
			t = read_ts(&b, st->big);
			caplen = br_u32(&b, st->big);
			wirelen = br_u32(&b, st->big);
			if (b.bad || caplen > br_left(&b)) {
				source_skip(st->src, st->cap.frame + 1,
					    "packet block at offset %llu claims %u bytes, holds %zu",
					    (unsigned long long)block_off, caplen, br_left(&b));
				st->cap.frame++;
				continue;
			}
			br data = br_sub(&b, caplen);
			br_skip(&b, (4 - caplen % 4) % 4);
			if (!b.bad)
				read_opts(b, st->big, BT_EPB, &o);
			b = data;
			break;
		}
		case BT_PB: {
			ifid = br_u16(&b, st->big);
			br_skip(&b, 2);
			t = read_ts(&b, st->big);
			caplen = br_u32(&b, st->big);
			wirelen = br_u32(&b, st->big);
			if (b.bad || caplen > br_left(&b)) {
				source_skip(st->src, st->cap.frame + 1, "damaged packet block at offset %llu",
					    (unsigned long long)block_off);
				st->cap.frame++;
				continue;
			}
			b = br_sub(&b, caplen);
			break;
		}
		case BT_SPB: {
			wirelen = br_u32(&b, st->big);
			caplen = (uint32_t)br_left(&b);
			if (caplen > wirelen)
				caplen = wirelen;
			b = br_sub(&b, caplen);
			t = 0;
			break;
		}
		case BT_ISB: {
			uint32_t id = br_u32(&b, st->big);
			br_skip(&b, 8);
			if (!b.bad) {
				read_opts(b, st->big, BT_ISB, &o);
				if (o.has_ifdrop && o.ifdrop && id < st->nifs) {
					st->ifs[id].dropped = o.ifdrop;
					source_note(st->src, "capture reports %llu packets dropped on interface %u",
						    (unsigned long long)o.ifdrop, id);
				}
			}
			continue;
		}
		default:
			continue;  /* NRB, DSB, custom, journal: not packets */
		}
		if (ifid >= st->nifs) {
			source_skip(st->src, st->cap.frame + 1,
				    "packet names interface %u, but the section declares %zu", ifid,
				    st->nifs);
			st->cap.frame++;
			continue;
		}
		struct iface *ifc = &st->ifs[ifid];
		uint8_t dir = o.has_flags ? (uint8_t)(o.epb_flags & 3) : 0;
		capture_meta(&st->cap, (int32_t)ifid, dir == 3 ? 0 : dir, o.comment, o.comment_len);
		int64_t ts = type == BT_SPB ? 0 : iface_ts(ifc, t);
		capture_frame(&st->cap, ev, ifc->linktype, b.p, caplen, wirelen, ts);
		return PR_EVENT;
	}
}

static void pcapng_close(void *state)
{
	struct pcapng_state *st = state;
	if (!st)
		return;
	capture_fini(&st->cap);
	if (st->f)
		fclose(st->f);
	free(st->ifs);
	free(st->buf);
	free(st);
}

const struct parser parser_pcapng = {
	.api_version = PARSER_API_VERSION,
	.name = "pcapng",
	.summary = "pcapng capture: any mix of link types, interface ids, direction, comments",
	.sniffs = "section header block 0a0d0d0a with byte-order magic 1a2b3c4d",
	.sniff = pcapng_sniff,
	.open = pcapng_open,
	.next_event = pcapng_next,
	.close = pcapng_close,
};
