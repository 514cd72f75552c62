/*
 * parsers/etl_read.c - the ETL container: buffers, LZXpress buffers (libfwnt),
 * the logfile header and its clock, and the records of every header type
 * (see etl.h). Every read of the file goes through the bounds-checked reader;
 * a damaged buffer or record is counted, cited and skipped.
 * Does not: decode payloads (etl_events.c, etl.c) or merge CPUs by time.
 */
#include "etl.h"
#include "../correlator/core/br.h"
#include "../correlator/core/event.h"
#include "../correlator/core/source.h"
#include "../correlator/core/util.h"

#include <errno.h>
#include <libfwnt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETL_MAX_BUFFER (64u * 1024 * 1024)
#define FILETIME_UNIX_DIFF 116444736000000000LL

struct etl_reader {
	struct source *src;
	FILE *f;
	struct etl_info info;
	uint8_t *raw, *buf;
	size_t rawcap, bufcap;
	size_t pos, end;         /* record walk inside buf */
	uint64_t buf_off;        /* file offset of the loaded buffer */
	uint64_t t0;             /* raw time of the logfile header record */
	bool first_rec_seen;
	bool clock_known;
};

const uint8_t ETL_GUID_PKTMON[16] = { 0xd9, 0x80, 0x4f, 0x4d, 0xbd, 0xc8, 0x73, 0x4d,
				      0xbb, 0x5b, 0x19, 0xc9, 0x04, 0x02, 0xc5, 0xac };
const uint8_t ETL_GUID_NDIS[16] = { 0x6e, 0x00, 0xd6, 0x2e, 0x29, 0x47, 0x09, 0x46,
				    0xb4, 0x23, 0x3e, 0xe7, 0xbc, 0xd6, 0x78, 0xef };
const uint8_t ETL_GUID_KERNEL_NET[16] = { 0x49, 0x2a, 0xd4, 0x7d, 0x29, 0x53, 0x32, 0x48,
					  0x8d, 0xfd, 0x43, 0xd9, 0x79, 0x15, 0x3a, 0x88 };
const uint8_t ETL_GUID_TCPIP[16] = { 0xee, 0xe2, 0x07, 0x2f, 0xdb, 0x15, 0xf1, 0x40,
				     0x90, 0xef, 0x9d, 0x7b, 0xa2, 0x82, 0x18, 0x8a };
const uint8_t ETL_GUID_AFD[16] = { 0x23, 0x68, 0x3c, 0xe5, 0xb8, 0x7b, 0xbb, 0x44,
				   0x90, 0xdc, 0x3f, 0x86, 0x09, 0x0d, 0x48, 0xa6 };

void etl_guid_format(const uint8_t g[16], char out[37])
{
	br r = br_make(g, 16);
	uint32_t a = br_le32(&r);
	uint16_t b = br_le16(&r), c = br_le16(&r);
	snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", a, b, c,
		 g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

const char *etl_provider_name(const uint8_t g[16])
{
	static const struct { const char *guid, *name; } known[] = {
		{ "4d4f80d9-c8bd-4d73-bb5b-19c90402c5ac", "Microsoft-Windows-PktMon" },
		{ "2ed6006e-4729-4609-b423-3ee7bcd678ef", "Microsoft-Windows-NDIS-PacketCapture" },
		{ "7dd42a49-5329-4832-8dfd-43d979153a88", "Microsoft-Windows-Kernel-Network" },
		{ "2f07e2ee-15db-40f1-90ef-9d7ba282188a", "Microsoft-Windows-TCPIP" },
		{ "e53c6823-7bb8-44bb-90dc-3f86090d48a6", "Microsoft-Windows-Winsock-AFD" },
		{ "d84521f7-2235-4237-a7c0-14e3a9676286", "Microsoft-Windows-Ras-NdisWanPacketCapture" },
		{ "22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716", "Microsoft-Windows-Kernel-Process" },
		{ "dd5ef90a-6398-47a4-ad34-4dcecdef795f", "Microsoft-Windows-HttpService" },
		{ "e13c0d23-ccbc-4e12-931b-d9cc2eee27e4", "Microsoft-Windows-DotNETRuntime" },
		{ "a669021c-c450-4609-a035-5af59af4df18", "Microsoft-Windows-DotNETRuntimeRundown" },
		{ "b675ec37-bdb6-4648-bc92-f3fdc74d3ca2", "Microsoft-Windows-Kernel-EventTracing" },
		{ "1c95126e-7eea-49a9-a3fe-a378b03ddb4d", "Microsoft-Windows-DNS-Client" },
		{ "edd08927-9cc4-4e65-b970-c2560fb5c289", "Microsoft-Windows-Kernel-File" },
		{ "a0c1853b-5c40-4b15-8766-3cf1c58f985a", "Microsoft-Windows-PowerShell" },
		{ "9e814aad-3204-11d2-9a82-006008a86939", "MSNT_SystemTrace" },
		{ "68fdd900-4a3e-11d1-84f4-0000f80464e3", "EventTraceEvent" },
	};
	char s[37];
	etl_guid_format(g, s);
	for (size_t i = 0; i < ARRAY_LEN(known); i++)
		if (!strcmp(known[i].guid, s))
			return known[i].name;
	return NULL;
}

int etl_sniff(const uint8_t *h, size_t n)
{
	if (n < ETL_BUFHDR + 32)
		return 0;
	br r = br_make(h, n);
	uint32_t bs = br_le32(&r);
	if (bs < ETL_BUFHDR + 32 || bs > ETL_MAX_BUFFER)
		return 0;
	br e = br_at(&r, ETL_BUFHDR - 4);
	br_skip(&e, 2);
	uint8_t ht = br_u8(&e), mf = br_u8(&e);
	br_skip(&e, 2);
	uint16_t hook = br_le16(&e);
	if (e.bad || (ht != ETL_H_SYS32 && ht != ETL_H_SYS64) || (mf & 0xC0) != 0xC0)
		return 0;
	return hook == 0 ? 100 : 60;
}

/* UTF-16LE (NUL-terminated or to the end) -> UTF-8, at most outlen-1 bytes; returns bytes read. */
size_t etl_utf16_to_utf8(br *r, char *out, size_t outlen)
{
	size_t o = 0;
	const uint8_t *start = r->p;
	while (br_left(r) >= 2) {
		uint32_t c = br_le16(r);
		if (c == 0)
			break;
		if (c >= 0xD800 && c <= 0xDFFF)
			c = '?';
		char tmp[3];
		size_t k;
		if (c < 0x80) {
			tmp[0] = (char)c;
			k = 1;
		} else if (c < 0x800) {
			tmp[0] = (char)(0xC0 | c >> 6);
			tmp[1] = (char)(0x80 | (c & 0x3F));
			k = 2;
		} else {
			tmp[0] = (char)(0xE0 | c >> 12);
			tmp[1] = (char)(0x80 | ((c >> 6) & 0x3F));
			tmp[2] = (char)(0x80 | (c & 0x3F));
			k = 3;
		}
		if (o + k < outlen) {
			memcpy(out + o, tmp, k);
			o += k;
		}
	}
	if (outlen)
		out[o] = 0;
	return (size_t)(r->p - start);
}

struct etl_reader *etl_open(const char *path, struct source *src, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	uint8_t head[ETL_BUFHDR + 32];
	size_t got = fread(head, 1, sizeof head, f);
	if (etl_sniff(head, got) == 0) {
		snprintf(err, errlen, "%s: not an ETL file (no WMI buffer header with a logfile header record)", path);
		fclose(f);
		return NULL;
	}
	struct etl_reader *r = xcalloc(1, sizeof *r);
	r->src = src;
	r->f = f;
	if (fseek(f, 0, SEEK_END) == 0) {
		long sz = ftell(f);
		r->info.size = sz > 0 ? (uint64_t)sz : 0;
	}
	fseek(f, 0, SEEK_SET);
	return r;
}

const struct etl_info *etl_info(const struct etl_reader *r) { return &r->info; }

void etl_close(struct etl_reader *r)
{
	if (!r)
		return;
	fclose(r->f);
	free(r->raw);
	free(r->buf);
	free(r);
}

static void grow(uint8_t **p, size_t *cap, size_t need)
{
	if (*cap >= need)
		return;
	free(*p);
	*p = xmalloc(need);
	*cap = need;
}

/* Does a buffer header start at h (0x48 bytes at file offset o)? Every buffer
 * after the first repeats its SavedOffset at 0x30 (all 31 corpus files). */
static bool plausible_header(const uint8_t *h, uint64_t o, uint64_t size)
{
	br b = br_make(h, ETL_BUFHDR);
	uint32_t bs = br_le32(&b), saved = br_le32(&b);
	br s30 = br_slice(&b, 0x30 - 8, 4);
	uint32_t again = br_le32(&s30);
	br fl = br_slice(&b, 0x34 - 8, 2);
	uint16_t bflags = br_le16(&fl);
	return bs >= ETL_BUFHDR && bs <= ETL_MAX_BUFFER && o + bs <= size && saved == again &&
	       saved <= ETL_MAX_BUFFER && ((bflags & 0x40) || saved <= bs);
}

/* The offset of the next plausible buffer header after a damaged one at off,
 * or 0 when there is none. */
static uint64_t resync(struct etl_reader *r, uint64_t off)
{
	enum { CHUNK = 1 << 16 };
	uint8_t *w = xmalloc(CHUNK + ETL_BUFHDR);
	uint64_t found = 0, size = r->info.size;
	for (uint64_t base = off + 1; !found && base + ETL_BUFHDR <= size; base += CHUNK) {
		size_t want = (size_t)(size - base < CHUNK + ETL_BUFHDR ? size - base : CHUNK + ETL_BUFHDR);
		if (fseek(r->f, (long)base, SEEK_SET) != 0 || fread(w, 1, want, r->f) != want)
			break;
		for (size_t k = 0; k + ETL_BUFHDR <= want && k < CHUNK; k++)
			if (plausible_header(w + k, base + k, size)) {
				found = base + k;
				break;
			}
	}
	free(w);
	return found;
}

int etl_next_buffer(struct etl_reader *r)
{
	struct etl_info *in = &r->info;
	for (;;) {
		r->pos = r->end = 0;
		uint64_t off = in->offset;
		if (off >= in->size)
			return 0;
		uint64_t bufno = in->buffers + 1;
		uint8_t h[ETL_BUFHDR];
		if (fseek(r->f, (long)off, SEEK_SET) != 0 || fread(h, 1, ETL_BUFHDR, r->f) != ETL_BUFHDR) {
			in->bad_buffers++;
			if (r->src)
				source_skip(r->src, 0, "buffer %llu at offset %llu: header cut short (%llu bytes left); the file ends there",
					    (unsigned long long)bufno, (unsigned long long)off,
					    (unsigned long long)(in->size - off));
			in->offset = in->size;
			return 0;
		}
		br b = br_make(h, ETL_BUFHDR);
		uint32_t bs = br_le32(&b), saved = br_le32(&b), cur = br_le32(&b);
		br fl = br_slice(&b, 0x34 - 12, 2);
		uint16_t bflags = br_le16(&fl);
		if (bs < ETL_BUFHDR || bs > ETL_MAX_BUFFER || off + bs > in->size) {
			in->bad_buffers++;
			uint64_t next = off ? resync(r, off) : 0;
			if (next) {
				if (r->src)
					source_skip(r->src, 0, "buffer %llu at offset %llu: size %u %s; %llu bytes skipped to the next buffer header at offset %llu",
						    (unsigned long long)bufno, (unsigned long long)off, bs,
						    bs < ETL_BUFHDR || bs > ETL_MAX_BUFFER ? "is not a buffer size" : "runs past the end of the file",
						    (unsigned long long)(next - off), (unsigned long long)next);
				in->buffers = bufno;
				in->offset = next;
				continue;
			}
			if (r->src)
				source_skip(r->src, 0, "buffer %llu at offset %llu: size %u %s; the rest of the file (%llu bytes) is not read",
					    (unsigned long long)bufno, (unsigned long long)off, bs,
					    bs < ETL_BUFHDR || bs > ETL_MAX_BUFFER ? "is not a buffer size" : "runs past the end of the file",
					    (unsigned long long)(in->size - off));
			in->offset = in->size;
			return 0;
		}
		in->buffers = bufno;
		in->offset = off + bs;
		r->buf_off = off;
		grow(&r->raw, &r->rawcap, bs);
		memcpy(r->raw, h, ETL_BUFHDR);
		if (fread(r->raw + ETL_BUFHDR, 1, bs - ETL_BUFHDR, r->f) != bs - ETL_BUFHDR) {
			in->bad_buffers++;
			if (r->src)
				source_skip(r->src, 0, "buffer %llu: read error", (unsigned long long)bufno);
			continue;
		}
		uint32_t fill = saved ? saved : cur;
		if (bflags & 0x40) {
			if (fill < ETL_BUFHDR || fill > ETL_MAX_BUFFER) {
				in->bad_buffers++;
				if (r->src)
					source_skip(r->src, 0, "compressed buffer %llu: uncompressed size %u is not a buffer size; skipped",
						    (unsigned long long)bufno, fill);
				continue;
			}
			grow(&r->buf, &r->bufcap, fill);
			memcpy(r->buf, h, ETL_BUFHDR);
			size_t outlen = fill - ETL_BUFHDR;
			libfwnt_error_t *e = NULL;
			int rc = outlen ? libfwnt_lzxpress_decompress(r->raw + ETL_BUFHDR, bs - ETL_BUFHDR,
								      r->buf + ETL_BUFHDR, &outlen, &e) : 1;
			if (e)
				libfwnt_error_free(&e);
			if (rc != 1) {
				in->bad_buffers++;
				if (r->src)
					source_skip(r->src, 0, "compressed buffer %llu at offset %llu does not decompress; skipped",
						    (unsigned long long)bufno, (unsigned long long)off);
				continue;
			}
			if (outlen != fill - ETL_BUFHDR) {
				in->bad_buffers++;
				if (r->src)
					source_skip(r->src, 0, "compressed buffer %llu at offset %llu decompresses to %zu bytes, not the %u its header gives; skipped",
						    (unsigned long long)bufno, (unsigned long long)off, outlen, fill - ETL_BUFHDR);
				continue;
			}
			in->compressed++;
			r->end = ETL_BUFHDR + outlen;
		} else {
			grow(&r->buf, &r->bufcap, bs);
			memcpy(r->buf, r->raw, bs);
			r->end = fill >= ETL_BUFHDR && fill <= bs ? fill : bs;
		}
		r->pos = ETL_BUFHDR;
		if (r->src)
			r->src->bytes_cur = in->offset;
		return 1;
	}
}

/* TRACE_LOGFILE_HEADER (the payload of the first record). */
static void read_logfile_header(struct etl_reader *r, const uint8_t *d, uint32_t n)
{
	struct etl_info *in = &r->info;
	br b = br_make(d, n);
	in->buffer_size = br_le32(&b);
	in->major = br_u8(&b);
	in->minor = br_u8(&b);
	br_skip(&b, 2);
	in->build = br_le32(&b) & 0xffff;
	in->ncpu = br_le32(&b);
	in->end_ft = (int64_t)br_le64(&b);
	br_skip(&b, 4 + 4);           /* timer resolution, maximum file size */
	in->mode = br_le32(&b);
	in->buffers_written = br_le32(&b);
	br_skip(&b, 4);               /* start buffers */
	in->ptrsize = br_le32(&b);
	in->events_lost = br_le32(&b);
	in->cpu_mhz = br_le32(&b);
	uint32_t p = in->ptrsize == 4 ? 4 : 8;
	br_skip(&b, 2 * p);           /* LoggerName, LogFileName pointers */
	br tz = br_sub(&b, 176);
	in->tz_bias_min = (int32_t)br_le32(&tz);
	in->boot_ft = (int64_t)br_le64(&b);
	in->perf_freq = (int64_t)br_le64(&b);
	in->start_ft = (int64_t)br_le64(&b);
	in->clock = br_le32(&b);
	in->buffers_lost = br_le32(&b);
	if (b.bad) {
		in->bad_records++;
		if (r->src)
			source_warn(r->src, 1, "logfile header cut short (%u bytes); times are counted from 1970", n);
		in->start_ft = 0;
		return;
	}
	etl_utf16_to_utf8(&b, in->logger, sizeof in->logger);
	in->have_header = true;
}

static int64_t to_ns(struct etl_reader *r, uint64_t raw)
{
	const struct etl_info *in = &r->info;
	__int128 ft;
	int64_t base = in->start_ft > 0 ? in->start_ft : FILETIME_UNIX_DIFF;
	__int128 d = (__int128)raw - (__int128)r->t0;
	if (!in->have_header)
		ft = (__int128)raw;
	else if (in->clock == 2)
		ft = (__int128)raw;
	else if (in->clock == 3 && in->cpu_mhz)
		ft = base + d * 10 / in->cpu_mhz;
	else if (in->perf_freq > 0)
		ft = base + d * 10000000 / in->perf_freq;
	else
		ft = base + d;
	__int128 ns = (ft - FILETIME_UNIX_DIFF) * 100;
	if (ns > EV_TS_LIMIT)
		ns = EV_TS_LIMIT;
	if (ns < -EV_TS_LIMIT)
		ns = -EV_TS_LIMIT;
	return (int64_t)ns;
}

static bool kernel_size_at_4(uint8_t ht)
{
	return ht == ETL_H_SYS32 || ht == ETL_H_SYS64 || ht == ETL_H_COMPACT32 ||
	       ht == ETL_H_COMPACT64 || ht == ETL_H_PERF32 || ht == ETL_H_PERF64;
}

static uint32_t header_len(uint8_t ht)
{
	switch (ht) {
	case ETL_H_SYS32: case ETL_H_SYS64: return 32;
	case ETL_H_COMPACT32: case ETL_H_COMPACT64: return 24;
	case ETL_H_PERF32: case ETL_H_PERF64: return 16;
	case ETL_H_FULL32: case ETL_H_FULL64: return 48;
	case ETL_H_INST32: case ETL_H_INST64: return 48;
	case ETL_H_EH32: case ETL_H_EH64: return 80;
	default: return 8;
	}
}

bool etl_next_rec(struct etl_reader *r, struct etl_rec *rec)
{
	struct etl_info *in = &r->info;
	while (r->pos + 4 <= r->end) {
		br all = br_make(r->buf + r->pos, r->end - r->pos);
		br h = all;
		uint32_t marker = br_le32(&h);
		if (marker == 0xFFFFFFFF || marker == 0) {
			r->pos = r->end;  /* padding: the end of the buffer's events */
			return false;
		}
		uint8_t ht = r->buf[r->pos + 2];
		br s = br_at(&all, kernel_size_at_4(ht) ? 4 : 0);
		uint32_t size = br_le16(&s);
		uint32_t hl = header_len(ht);
		uint64_t ref = ++in->records;
		if (size < hl || size > br_left(&all)) {
			in->bad_records++;
			if (r->src)
				source_skip(r->src, ref, "buffer %llu at offset %llu, record at 0x%zx in it: type 0x%02x with size %u %s; the rest of the buffer (%zu bytes) is skipped",
					    (unsigned long long)in->buffers, (unsigned long long)r->buf_off, r->pos, ht, size,
					    size < hl ? "shorter than its header" : "runs past the buffer's data",
					    br_left(&all));
			r->pos = r->end;
			return false;
		}
		memset(rec, 0, sizeof *rec);
		rec->ref = ref;
		rec->buffer = in->buffers;
		rec->htype = ht;
		rec->size = size;
		const uint8_t *at = r->buf + r->pos;
		br e = br_make(at, size);
		r->pos += (size + 7u) & ~7u;
		if (r->pos > r->end)
			r->pos = r->end;
		switch (ht) {
		case ETL_H_SYS32: case ETL_H_SYS64: case ETL_H_COMPACT32: case ETL_H_COMPACT64:
			rec->kind = ETL_K_KERNEL;
			br_skip(&e, 6);
			rec->hook = br_le16(&e);
			rec->tid = br_le32(&e);
			rec->pid = br_le32(&e);
			rec->raw_ts = br_le64(&e);
			break;
		case ETL_H_PERF32: case ETL_H_PERF64:
			rec->kind = ETL_K_KERNEL;
			br_skip(&e, 6);
			rec->hook = br_le16(&e);
			rec->raw_ts = br_le64(&e);
			break;
		case ETL_H_FULL32: case ETL_H_FULL64: case ETL_H_INST32: case ETL_H_INST64:
			rec->kind = ETL_K_CLASSIC;
			br_skip(&e, 4);
			rec->opcode = br_u8(&e);
			rec->level = br_u8(&e);
			rec->version = (uint8_t)br_le16(&e);
			rec->tid = br_le32(&e);
			rec->pid = br_le32(&e);
			rec->raw_ts = br_le64(&e);
			br_copy(&e, rec->guid, 16);
			rec->has_guid = true;
			break;
		case ETL_H_EH32: case ETL_H_EH64:
			rec->kind = ETL_K_EVENT;
			br_skip(&e, 4);
			rec->eflags = br_le16(&e);
			br_skip(&e, 2);
			rec->tid = br_le32(&e);
			rec->pid = br_le32(&e);
			rec->raw_ts = br_le64(&e);
			br_copy(&e, rec->guid, 16);
			rec->has_guid = true;
			rec->id = br_le16(&e);
			rec->version = br_u8(&e);
			rec->channel = br_u8(&e);
			rec->level = br_u8(&e);
			rec->opcode = br_u8(&e);
			rec->task = br_le16(&e);
			rec->keyword = br_le64(&e);
			break;
		default:
			rec->kind = ETL_K_OTHER;
			break;
		}
		br body = br_make(at + hl, size - hl);
		if (rec->kind == ETL_K_EVENT && (rec->eflags & 0x01)) {
			/* extended data items: {u16 reserved, u16 type, u16 linkage, u16 size, data} */
			const uint8_t *x0 = body.p;
			bool more = true;
			while (more && !body.bad) {
				br_skip(&body, 4);
				more = br_le16(&body) & 1;
				uint16_t dsz = br_le16(&body);
				br_skip(&body, ((uint32_t)dsz + 7u) & ~7u);
			}
			if (body.bad) {
				in->bad_records++;
				if (r->src)
					source_skip(r->src, ref, "record of %u bytes: its extended data items run past its end; skipped", size);
				continue;
			}
			rec->ext = x0;
			rec->ext_len = (uint32_t)(body.p - x0);
		}
		rec->data = body.p;
		rec->len = (uint32_t)br_left(&body);
		if (!r->first_rec_seen) {
			r->first_rec_seen = true;
			if (rec->kind == ETL_K_KERNEL && rec->hook == 0) {
				r->t0 = rec->raw_ts;
				read_logfile_header(r, rec->data, rec->len);
				if (in->have_header && in->start_ft <= 0 && r->src)
					source_note(r->src, "the logfile header's start time is 0: times are counted from 1970-01-01");
			}
		}
		rec->ts = to_ns(r, rec->raw_ts);
		return true;
	}
	r->pos = r->end;
	return false;
}
