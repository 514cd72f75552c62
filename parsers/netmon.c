/*
 * parsers/netmon.c - Microsoft Network Monitor 2.x capture files (.cap, magic
 * "GMBU"), the format of nmcap capture rings. libpcap cannot read them.
 *
 *   header (128 bytes, little endian): magic, minor, major, media type,
 *   SYSTEMTIME start (local, no zone), frame table offset/length, ...
 *   frame table: u32 file offset per frame (frames need not be contiguous)
 *   frame: u64 usec since start, u32 wire length, u32 captured length, data,
 *          trailer (2.1: u16 media; 2.2: + u32 process index;
 *                   2.3: + u64 UTC FILETIME + u8 zone index)
 *
 * Frames whose media type is a NetMon special record (ETW NetEvent, network
 * info, DNS cache, filter) are not packets; Wireshark still numbers them as
 * frames, so they become `netmon.event` records with the same frame numbers.
 * Does not: read NetMon 1.x ("RTSS"), decode token ring, FDDI, ATM or 802.11.
 * Spec: ../shared/formats/capture-exports.md section 4 (after Wireshark's wiretap).
 */
#include "../correlator/core/parser.h"
#include "decode/capture.h"
#include "../correlator/core/br.h"
#include "../correlator/core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NM_HDR 128
#define NM_MAX_FRAMES (64u * 1024 * 1024)
#define FILETIME_UNIX_DIFF 116444736000000000LL  /* 100 ns units 1601 -> 1970 */

struct netmon_state {
	struct source *src;
	FILE *f;
	uint64_t size;
	uint8_t major, minor;
	uint16_t media;
	int64_t start_ns;       /* start SYSTEMTIME, as UTC ns after --tz */
	uint32_t *table;
	uint32_t nframes, next;
	uint8_t *buf;
	size_t bufcap;
	uint64_t special;       /* NetMon special records, not packets */
	uint64_t unknown_media;
	struct capture cap;
};

static int netmon_sniff(const uint8_t *h, size_t n)
{
	br r = br_make(h, n);
	if (n < NM_HDR || !br_match(&r, "GMBU", 4))
		return 0;
	br_skip(&r, 1);  /* minor version */
	return br_u8(&r) == 2 ? 100 : 60;
}

/* NetMon media type -> pcap link type, or -1 (not decodable), -2 (special). */
static int media_linktype(uint16_t m)
{
	if ((m & 0xF000) == 0xE000)
		return m & 0x0FFF;
	switch (m) {
	case 0: case 1: return LT_ETHERNET;
	case 7: case 8: case 9: return LT_RAW;
	default: break;
	}
	if (m >= 0xFFE0)
		return -2;
	return -1;
}

static int netmon_open(struct source *src, const char *path, void **state)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		source_error(src, "%s: %s", path, strerror(errno));
		return -1;
	}
	uint8_t h[NM_HDR];
	if (fread(h, 1, NM_HDR, f) != NM_HDR) {
		fclose(f);
		source_error(src, "%s: NetMon header truncated", path);
		return -1;
	}
	struct netmon_state *st = xcalloc(1, sizeof *st);
	st->src = src;
	st->f = f;
	if (fseek(f, 0, SEEK_END) == 0) {
		long sz = ftell(f);
		st->size = sz > 0 ? (uint64_t)sz : 0;
	}
	br r = br_make(h, NM_HDR);
	br_skip(&r, 4);
	st->minor = br_u8(&r);
	st->major = br_u8(&r);
	st->media = br_le16(&r);
	uint16_t y = br_le16(&r), mo = br_le16(&r);
	br_skip(&r, 2);  /* day of week */
	uint16_t d = br_le16(&r), hh = br_le16(&r), mi = br_le16(&r), ss = br_le16(&r), ms = br_le16(&r);
	uint32_t toff = br_le32(&r), tlen = br_le32(&r);
	int64_t local;
	/* years past ~2250 would overflow the ns clock */
	if (!utc_seconds(y, mo, d, hh, mi, ss, &local) || local > 9000000000LL || local < -9000000000LL) {
		source_warn(src, 0, "%s: capture start time %u-%u-%u is not a date; using 1970", path, y, mo, d);
		local = 0;
	}
	if (st->major != 2)
		source_note(src, "NetMon version %u.%u; read as 2.x", st->major, st->minor);
	bool utc_frames = st->minor >= 3;
	if (!utc_frames && !src->tz_given)
		source_note(src, "NetMon %u.%u stores local time without a zone; assumed UTC (use --tz %s=ZONE)",
			    st->major, st->minor, src->label);
	st->start_ns = (src->tz_given ? tz_local_to_utc(&src->tz, local) : local) * NS_PER_SEC +
		       (int64_t)ms * NS_PER_MSEC;
	uint32_t n = tlen / 4;
	if (n > NM_MAX_FRAMES || (st->size && ((uint64_t)toff + tlen > st->size))) {
		/* a ring file closed mid-write: read what the table holds */
		uint64_t avail = st->size > toff ? (st->size - toff) / 4 : 0;
		source_warn(src, 0, "%s: frame table (%u entries at offset %u) runs past the end of the file; %llu readable",
			    path, n, toff, (unsigned long long)avail);
		n = (uint32_t)(avail < n ? avail : n);
	}
	st->nframes = n;
	st->table = xcalloc(n ? n : 1, sizeof *st->table);
	if (n && (fseek(f, (long)toff, SEEK_SET) != 0 || fread(st->table, 4, n, f) != n)) {
		source_error(src, "%s: cannot read the frame table", path);
		fclose(f);
		free(st->table);
		free(st);
		return -1;
	}
	/* little-endian on disk: converted in place (entry i is read before it is written) */
	br t = br_make(st->table, (size_t)n * 4);
	for (uint32_t i = 0; i < n; i++)
		st->table[i] = br_le32(&t);
	capture_init(&st->cap, src);
	*state = st;
	return 0;
}

static size_t trailer_size(const struct netmon_state *st)
{
	if (st->major > 2)
		return 15;
	switch (st->minor) {
	case 0: return 0;
	case 1: return 2;
	case 2: return 6;
	default: return 15;
	}
}

static pr_status netmon_next(void *state, struct event *ev)
{
	struct netmon_state *st = state;
	size_t tr = trailer_size(st);
	while (st->next < st->nframes) {
		uint32_t off = st->table[st->next++];
		uint64_t ref = st->cap.frame + 1;
		uint8_t h[16];
		if (fseek(st->f, (long)off, SEEK_SET) != 0 || fread(h, 1, 16, st->f) != 16) {
			source_skip(st->src, ref, "frame header at offset %u is past the end of the file", off);
			st->cap.frame++;
			continue;
		}
		br r = br_make(h, 16);
		uint64_t delta_us = br_le64(&r);
		uint32_t wire = br_le32(&r), caplen = br_le32(&r);
		if (caplen > 16u * 1024 * 1024 || (st->size && off + 16ull + caplen + tr > st->size)) {
			source_skip(st->src, ref, "frame at offset %u claims %u bytes beyond the file", off, caplen);
			st->cap.frame++;
			continue;
		}
		size_t need = caplen + tr;
		if (st->bufcap < need) {
			st->bufcap = need > 65536 ? need : 65536;
			st->buf = xrealloc(st->buf, st->bufcap);
		}
		if (fread(st->buf, 1, need, st->f) != need) {
			source_skip(st->src, ref, "frame at offset %u is cut short", off);
			st->cap.frame++;
			continue;
		}
		st->src->bytes_cur = off + 16ull + need;
		uint16_t media = st->media;
		/* a delta beyond the ns clock's range is damage: the frame keeps the start time */
		int64_t ts = st->start_ns;
		if (delta_us > (uint64_t)INT64_MAX / 1000 ||
		    __builtin_add_overflow(st->start_ns, (int64_t)(delta_us * 1000), &ts)) {
			ts = st->start_ns;
			source_warn(st->src, ref, "frame time offset %llu us is out of range; using the capture start",
				    (unsigned long long)delta_us);
		}
		br t = br_make(st->buf, need);
		br data = br_sub(&t, caplen);
		if (tr >= 2) {
			media = br_le16(&t);
			if (tr >= 15) {
				br_skip(&t, 4);
				uint64_t ft = br_le64(&t);
				/* a FILETIME past year 30828 would overflow ns: keep the delta time */
				if (ft && ft <= (uint64_t)INT64_MAX / 100 + FILETIME_UNIX_DIFF && ft >= FILETIME_UNIX_DIFF)
					ts = ((int64_t)ft - FILETIME_UNIX_DIFF) * 100;
			}
		}
		int lt = media_linktype(media);
		if (lt == -2) {
			st->special++;
			ev->ref = ++st->cap.frame;
			ev->ts_raw = ts;
			ev->type = "netmon.event";
			ev_int(ev, "netmon.media_type", media);
			ev_int(ev, "frame.len", caplen);
			ev->msg = media == 0xFFE0 ? "NetMon record: embedded ETW event (not a packet)"
						  : "NetMon record: capture metadata (not a packet)";
			return PR_EVENT;
		}
		if (lt == -1) {
			st->unknown_media++;
			lt = 0xFFFF;  /* a frame event with nothing decoded */
		}
		capture_frame(&st->cap, ev, (uint16_t)lt, data.p, caplen, wire, ts);
		return PR_EVENT;
	}
	if (st->special)
		source_note(st->src, "%llu NetMon records are ETW events or capture metadata, not packets (netmon.event)",
			    (unsigned long long)st->special);
	if (st->unknown_media)
		source_note(st->src, "%llu frames of a media type we do not decode (token ring, FDDI, ATM, 802.11)",
			    (unsigned long long)st->unknown_media);
	return PR_EOF;
}

static void netmon_close(void *state)
{
	struct netmon_state *st = state;
	if (!st)
		return;
	capture_fini(&st->cap);
	fclose(st->f);
	free(st->table);
	free(st->buf);
	free(st);
}

const struct parser parser_netmon = {
	.api_version = PARSER_API_VERSION,
	.name = "netmon",
	.summary = "Microsoft Network Monitor 2.x capture (.cap, nmcap rings)",
	.sniffs = "magic \"GMBU\" with major version 2",
	.sniff = netmon_sniff,
	.open = netmon_open,
	.next_event = netmon_next,
	.close = netmon_close,
};
