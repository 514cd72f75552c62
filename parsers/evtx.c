/*
 * parsers/evtx.c - binary Windows XML Event Log files (.evtx), our own reader
 * (the default): the 4 KiB file header, then 64 KiB chunks read one at a time
 * (memory: one chunk), CRC32 of chunk header and record data checked, event
 * records walked in file order, each record's binary XML mapped straight to
 * a `win.event` by evtx_binxml.c + winevt.c (the same mapping as the XML
 * exports and the libevtx reader). ref is the 1-based position of the record
 * in the file; the EventRecordID is event.record_id.
 *
 *   file:   "ElfFile\0" ... u16 header-block-size @40, u16 chunk-count @42 | chunks @4096
 *   chunk:  "ElfChnk\0" ... u32 last-record-offset @44, u32 free-space @48,
 *           u32 data-CRC @52, u32 header-CRC @124 (of 0..120 and 128..512) | records @512
 *   record: "**\0\0" u32 size, u64 record-id, u64 written-time, binxml, u32 size
 *
 * Damage: a chunk with a bad signature or header CRC is skipped with a
 * warning; a bad data CRC is warned about and its records are still read one
 * by one; a record with a bad signature or size ends its chunk (counted skip);
 * a record whose binary XML is broken is a counted skip; a file cut inside a
 * chunk keeps the records that are whole.
 * After the last record, the records libevtx recovers from slack space and
 * damaged chunks follow (evtx_libevtx.h), marked event.recovered = true.
 * Its pass runs only if it can find something new: when the only thing left
 * in a clean file is slack records that repeat records read (scanned for
 * the way libevtx scans, decoded by us), the pass is skipped and the same
 * note counts them.
 * Does not: carve records itself (libevtx does), follow the ring's
 * oldest-chunk order (records come in file order, as libevtx gives them).
 * Spec: libyal libevtx format document; ../shared/formats/windows-events.md (b).
 */
#include "../correlator/core/parser.h"
#include "evtx_binxml.h"
#include "evtx_libevtx.h"
#include "winevt.h"
#include "../correlator/core/br.h"
#include "../correlator/core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define EVTX_HEADER 4096
#define EVTX_CHUNK 65536

struct evtx {
	struct source *src;
	FILE *f;
	uint64_t size;
	uint8_t *chunk;
	size_t clen;               /* bytes of the current chunk we have */
	br whole;                  /* reader over those bytes */
	size_t next, end;          /* next record offset, end of record data */
	uint64_t chunk_no;         /* chunks loaded */
	bool have_chunk, eof;
	uint64_t ref;
	struct winevt w;
	struct binxml *bx;
	char *path;
	void *recovered;           /* libevtx's recovered-records pass, after our records */
	struct evtx_seen seen;     /* signatures of our records: recovered repeats are dropped */
	/* the chunk being read is cut short (a truncated file): its records are counted */
	bool cut;
	uint64_t cut_at, cut_records;
	bool recovered_done;
	/* Whether libevtx could recover anything or would call the file
	 * corrupted (then its pass runs): set by any damage we meet, a record
	 * in a chunk's slack that libevtx would recover and that is not a
	 * repeat of one we read, or chunk header counts and offsets that
	 * disagree with the records read. A clean file skips the pass (it
	 * re-reads and re-parses every chunk to find nothing new). */
	bool damaged;
	uint64_t hdr_chunks;       /* chunk count of the file header */
	/* the chunk being read: its header's record numbers and last record
	 * offset, the records read so far and the offset of the last one */
	uint64_t c_first, c_last, c_records;
	uint32_t c_last_off;
	size_t c_at_last;
	/* records in chunk slack that libevtx would recover, all repeats of
	 * records read (its pass is skipped; the same note is given) */
	uint64_t slack_repeats;
	struct event *probe;       /* a slack record decoded to compare it */
};

/* The CRC-32 (zlib's: IEEE, reflected) of crc's bytes followed by all of r's. */
static uint32_t crc32_update(uint32_t crc, br r)
{
	return (uint32_t)crc32_z(crc, r.p, br_left(&r));
}

static uint32_t le32_at(br r, size_t off)
{
	br at = br_at(&r, off);
	return br_le32(&at);
}

static int evtx_sniff(const uint8_t *h, size_t n)
{
	br r = br_make(h, n);
	return br_match(&r, "ElfFile", 8) ? 100 : 0;
}

static int evtx_open(struct source *src, const char *path, void **state)
{
	struct evtx *st = xcalloc(1, sizeof *st);
	st->src = src;
	*state = st;
	winevt_init(&st->w, src);
	st->bx = binxml_new();
	st->chunk = xmalloc(EVTX_CHUNK);
	st->path = xstrdup(path);
	st->f = fopen(path, "rb");
	if (!st->f) {
		source_error(src, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat sb;
	if (fstat(fileno(st->f), &sb) == 0)
		st->size = (uint64_t)sb.st_size;
	uint8_t h[128];
	size_t got = fread(h, 1, sizeof h, st->f);
	const br file = br_make(h, got);
	br r = file;
	if (!br_match(&r, "ElfFile", 8)) {
		source_error(src, "%s: not an EVTX file (no ElfFile signature)", path);
		return -1;
	}
	if (st->size < EVTX_HEADER) {
		source_error(src, "%s: %llu bytes, shorter than the 4096-byte EVTX file header: truncated",
			     path, (unsigned long long)st->size);
		return -1;
	}
	uint64_t first_chunk = br_le64(&r), last_chunk = br_le64(&r);
	br_skip(&r, 40 - 24);
	uint16_t block = br_le16(&r);
	uint16_t chunks = br_le16(&r);
	if (block != EVTX_HEADER)
		st->damaged = true;
	br_skip(&r, 120 - 44);
	uint32_t flags = br_le32(&r);
	uint32_t crc = br_le32(&r);
	if (!r.bad) {
		if (crc32_update(0, br_slice(&file, 0, 120)) != crc) {
			source_warn(src, 0, "%s: file header CRC mismatch (header counts not trusted; "
				    "chunks are found by signature)", path);
			st->damaged = true;
		}
		st->hdr_chunks = chunks;
		if (first_chunk > last_chunk || chunks != last_chunk - first_chunk + 1)
			st->damaged = true;
		uint64_t want = (uint64_t)(block ? block : EVTX_HEADER) + (uint64_t)chunks * EVTX_CHUNK;
		if (st->size < want) {
			st->damaged = true;
			source_warn(src, 0, "%s is truncated: its header lists %u chunks (%llu bytes), "
				    "the file has %llu bytes; records past the cut are lost", path, chunks,
				    (unsigned long long)want, (unsigned long long)st->size);
		}
		if (flags & 1)
			source_note(src, "%s was not closed cleanly (dirty flag): the last records may "
				    "be missing", path);
	}
	else
		st->damaged = true;
	if (fseek(st->f, EVTX_HEADER, SEEK_SET) != 0) {
		source_error(src, "%s: cannot seek past the file header", path);
		return -1;
	}
	return 0;
}

static bool all_zero(br r)
{
	while (br_left(&r))
		if (br_u8(&r))
			return false;
	return true;
}

/* The records read from a chunk the file cuts short: a note. */
static void note_cut(struct evtx *st)
{
	if (!st->cut)
		return;
	st->cut = false;
	source_note(st->src, "%llu records read from the chunk at offset 0x%llx, which the file cuts "
		    "short (the whole records before the cut)", (unsigned long long)st->cut_records,
		    (unsigned long long)st->cut_at);
}

/* Whether libevtx takes the bytes at chunk offset off, in the slack after
 * the last record, as a record to recover (libevtx_chunk_read and
 * libevtx_record_values_read_header, 20181227): a record signature, a size
 * that fits 4 bytes short of the chunk end and is repeated in its last 4
 * bytes, and binary XML that starts with a fragment header (0f 01 01 00)
 * or 0x0a. Its size in *size. */
static bool slack_candidate(br chunk, size_t off, uint32_t *size)
{
	br r = br_at(&chunk, off);
	size_t left = br_left(&r);
	if (br_le32(&r) != 0x00002a2a || left < 28)
		return false;
	uint32_t n = br_le32(&r);
	if (n <= 28 || n > left - 4 || le32_at(br_at(&chunk, off), n - 4) != n)
		return false;
	*size = n;
	br x = br_slice(&chunk, off + 24, n - 28);
	if (br_left(&x) >= 5 && br_peek(&x, 0) == 0x0a)
		return true;
	return br_left(&x) >= 4 && br_peek(&x, 0) == 0x0f && br_peek(&x, 1) == 0x01 &&
	       br_peek(&x, 2) == 0x01 && br_peek(&x, 3) == 0x00;
}

/* The first offset from off on, in libevtx's 4-byte steps, that holds a
 * record signature; clen if none. */
static size_t slack_next_signature(const struct evtx *st, size_t off)
{
	while (off < st->clen) {
		const uint8_t *p = memmem(st->chunk + off, st->clen - off, "**\0\0", 4);
		if (!p)
			break;
		size_t at = (size_t)(p - st->chunk);
		size_t rem = (at - off) % 4;
		if (!rem)
			return at;
		off = at + 4 - rem;
	}
	return st->clen;
}

/* The slack record of size bytes at chunk offset off, decoded by our
 * reader: a record already read? */
static bool slack_is_repeat(struct evtx *st, size_t off, uint32_t size)
{
	if (!st->probe)
		st->probe = xmalloc(sizeof *st->probe);
	event_reset(st->probe);
	winevt_begin(&st->w);
	if (binxml_record(st->bx, &st->w, off + 24, size - 28) != 0 ||
	    winevt_finish(&st->w, st->probe) != WINEVT_OK)
		return false;
	return evtx_seen_has(&st->seen, evtx_signature(st->probe));
}

/* libevtx's slack scan of the chunk just read, after our last record: true
 * if every record it would recover repeats one we read (counted in
 * slack_repeats), so its recovery pass would add nothing but that note. */
static bool slack_repeats_only(struct evtx *st)
{
	uint64_t repeats = 0;
	for (size_t off = slack_next_signature(st, st->next); off < st->clen;) {
		uint32_t size;
		if (!slack_candidate(st->whole, off, &size)) {
			off = slack_next_signature(st, off + 4);
			continue;
		}
		if (!slack_is_repeat(st, off, size))
			return false;
		repeats++;
		off = slack_next_signature(st, off + size);
	}
	st->slack_repeats += repeats;
	return true;
}

/* The chunk just read to its end: does it leave libevtx anything to
 * recover (a record signature in the slack after our last record) or to
 * call corrupt (its header's record numbers or last record offset not the
 * records we read)? */
static void chunk_done(struct evtx *st)
{
	if (st->damaged)
		return;
	if (st->c_first > st->c_last || st->c_records != st->c_last - st->c_first + 1 ||
	    !st->c_records || st->c_at_last != st->c_last_off) {
		st->damaged = true;
		return;
	}
	if (!slack_repeats_only(st))
		st->damaged = true;
}

/* Load the next usable chunk. False at the end of the file. */
static bool next_chunk(struct evtx *st)
{
	if (st->have_chunk)
		chunk_done(st);
	note_cut(st);
	for (;;) {
		if (st->eof)
			return false;
		uint64_t at = EVTX_HEADER + st->chunk_no * EVTX_CHUNK;
		size_t got = fread(st->chunk, 1, EVTX_CHUNK, st->f);
		st->chunk_no++;
		st->src->bytes_cur = at + got;
		if (got < EVTX_CHUNK)
			st->eof = true;
		if (got == 0)
			return false;
		const br chunk = br_make(st->chunk, got);
		if (got < 512) {
			st->damaged = true;
			if (!all_zero(chunk))
				source_warn(st->src, 0, "chunk at offset 0x%llx: cut after %zu bytes, "
					    "inside its header; not read", (unsigned long long)at, got);
			return false;
		}
		br sig = chunk;
		if (!br_match(&sig, "ElfChnk", 8)) {
			if (st->chunk_no <= st->hdr_chunks || !all_zero(chunk))
				st->damaged = true;
			if (!all_zero(br_head(chunk, 512)))
				source_warn(st->src, 0, "chunk at offset 0x%llx: bad signature; its records "
					    "are not read (--input-format evtx-libevtx recovers some)",
					    (unsigned long long)at);
			continue;
		}
		uint32_t hcrc = crc32_update(crc32_update(0, br_slice(&chunk, 0, 120)), br_slice(&chunk, 128, 384));
		br stored = br_slice(&chunk, 124, 4);
		if (st->chunk_no > st->hdr_chunks)
			st->damaged = true;   /* past the header's count: libevtx reads it its own way */
		if (hcrc != br_le32(&stored)) {
			st->damaged = true;
			source_warn(st->src, 0, "chunk at offset 0x%llx: header CRC mismatch; its records "
				    "are not read", (unsigned long long)at);
			continue;
		}
		br h = br_slice(&chunk, 8, 40);
		st->c_first = br_le64(&h);
		st->c_last = br_le64(&h);
		br_skip(&h, 16);
		if (br_le32(&h) != 128)        /* header size */
			st->damaged = true;
		st->c_last_off = br_le32(&h);
		st->c_records = 0;
		st->c_at_last = 0;
		br r = br_slice(&chunk, 48, 8);
		uint32_t free_off = br_le32(&r), dcrc = br_le32(&r);
		if (free_off < 512 || free_off > EVTX_CHUNK) {
			free_off = 512;
			st->damaged = true;
		}
		size_t end = free_off <= got ? free_off : got;
		if (free_off > got) {
			source_warn(st->src, 0, "chunk at offset 0x%llx is cut at %zu of its %u bytes of "
				    "records; the whole records before the cut are read",
				    (unsigned long long)at, got, free_off);
			st->cut = true;
			st->damaged = true;
			st->cut_at = at;
			st->cut_records = 0;
		}
		else if (crc32_update(0, br_slice(&chunk, 512, free_off - 512)) != dcrc) {
			st->damaged = true;
			source_warn(st->src, 0, "chunk at offset 0x%llx: record data CRC mismatch; "
				    "records are checked one by one", (unsigned long long)at);
		}
		st->clen = got;
		st->whole = chunk;
		st->next = 512;
		st->end = end;
		binxml_chunk(st->bx, st->chunk, got);
		return true;
	}
}

/* After our last record: the records libevtx recovers from slack space and
 * damaged chunks (event.recovered = true), refs numbered on after ours. */
static pr_status evtx_recovered(struct evtx *st, struct event *ev)
{
	if (st->recovered_done)
		return PR_EOF;
	if (!st->damaged) {
		st->recovered_done = true;   /* nothing for libevtx to find but repeats */
		evtx_note_repeats(st->src, st->slack_repeats);
		return PR_EOF;
	}
	if (!st->recovered &&
	    evtx_libevtx_open_recovered(st->src, st->path, st->ref, &st->seen, &st->recovered) != 0) {
		evtx_libevtx_close(st->recovered);
		st->recovered = NULL;
		st->recovered_done = true;
		return PR_EOF;
	}
	pr_status s = evtx_libevtx_next(st->recovered, ev);
	if (s == PR_EOF || s == PR_FATAL) {
		evtx_libevtx_close(st->recovered);
		st->recovered = NULL;
		st->recovered_done = true;
		return PR_EOF;
	}
	return s;
}

static pr_status evtx_next(void *state, struct event *ev)
{
	struct evtx *st = state;
	for (;;) {
		if (!st->have_chunk || st->end - st->next < 28) {
			st->have_chunk = next_chunk(st);
			if (!st->have_chunk)
				return evtx_recovered(st, ev);
			continue;
		}
		const br rec = br_slice(&st->whole, st->next, st->end - st->next);
		br r = rec;
		uint32_t magic = br_le32(&r);
		uint32_t size = br_le32(&r);
		uint64_t rid = br_le64(&r);
		if (magic != 0x00002a2a) {
			if (!all_zero(rec)) {
				st->damaged = true;
				ev->ref = ++st->ref;
				source_skip(st->src, ev->ref, "bad record signature at chunk offset 0x%zx; "
					    "rest of the chunk not read", st->next);
				st->next = st->end;
				return PR_SKIP;
			}
			st->next = st->end;
			continue;
		}
		ev->ref = ++st->ref;
		if (size < 28 || size > st->end - st->next ||
		    le32_at(rec, size - 4) != size) {
			st->damaged = true;
			source_skip(st->src, ev->ref, "record of bad size %u at chunk offset 0x%zx; "
				    "rest of the chunk not read", size, st->next);
			st->next = st->end;
			return PR_SKIP;
		}
		size_t off = st->next;
		st->next += size;
		st->c_records++;
		st->c_at_last = off;
		winevt_begin(&st->w);
		if (binxml_record(st->bx, &st->w, off + 24, size - 28) != 0) {
			st->damaged = true;
			source_skip(st->src, ev->ref, "record (header id %llu): %s", (unsigned long long)rid,
				    binxml_error(st->bx));
			return PR_SKIP;
		}
		if (winevt_finish(&st->w, ev) != WINEVT_OK) {
			st->damaged = true;
			source_skip(st->src, ev->ref, "record (header id %llu): %s", (unsigned long long)rid,
				    st->w.xml_err);
			return PR_SKIP;
		}
		evtx_seen_add(&st->seen, evtx_signature(ev));
		if (st->cut)
			st->cut_records++;
		return PR_EVENT;
	}
}

static void evtx_close(void *state)
{
	struct evtx *st = state;
	if (!st)
		return;
	if (st->f)
		fclose(st->f);
	evtx_libevtx_close(st->recovered);
	evtx_seen_free(&st->seen);
	free(st->path);
	winevt_fini(&st->w);
	binxml_free(st->bx);
	free(st->chunk);
	free(st->probe);
	free(st);
}

const struct parser parser_evtx = {
	.api_version = PARSER_API_VERSION,
	.name = "evtx",
	.summary = "Windows XML Event Log (.evtx), own chunk and binary-XML reader",
	.sniffs = "file signature ElfFile\\0",
	.sniff = evtx_sniff,
	.open = evtx_open,
	.next_event = evtx_next,
	.close = evtx_close,
};
