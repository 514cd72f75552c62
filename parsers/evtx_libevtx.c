/*
 * parsers/evtx_libevtx.c - binary Windows XML Event Log files (.evtx) through
 * libyal libevtx (--input-format evtx-libevtx; the default reader is evtx.c): every record, then every record libevtx recovers from slack and
 * damaged chunks, is rendered to XML by libevtx and mapped by the same code as
 * the XML exports (winevt.c), so both inputs give identical events.
 * ref is the 1-based position of the record in libevtx's order (the order of
 * `evtxexport`); recovered records follow, numbered on after the last record,
 * and carry event.recovered = true. The EventRecordID is event.record_id.
 * Does not: walk chunks itself (libevtx does, including its CRC checks), read
 * the file incrementally (libevtx indexes it at open), render messages.
 * Spec: [MS-EVEN6] binary XML; libevtx 20181227 include/libevtx.h;
 * ../shared/formats/windows-events.md (b).
 */
#include "../correlator/core/parser.h"
#include "evtx_libevtx.h"
#include "winevt.h"
#include "../correlator/core/br.h"
#include "../correlator/core/util.h"

/* libevtx.h pulls in libbfio.h (libbfio-dev) only for the file-IO-handle
 * open, which we do not use: declare it absent. */
#include <libevtx/features.h>
#undef LIBEVTX_HAVE_BFIO
#include <libevtx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct evtx {
	struct source *src;
	libevtx_file_t *file;
	int nrecords, nrecovered;
	int next;                  /* records and then recovered records, 0-based */
	uint64_t ref_base;         /* recovered-only mode: refs continue after this */
	bool recovered_only;
	int unrecoverable;         /* recovered slots libevtx could not decode */
	bool noted;
	struct evtx_seen own_seen; /* signatures of the allocated records read */
	const struct evtx_seen *seen;  /* own_seen, or the caller's (recovered-only) */
	uint64_t dups;             /* recovered records repeating an allocated one */
	uint8_t *xml;
	size_t xml_cap;
	xmlTextReaderPtr r;
	struct winevt w;
};

static void err_text(libevtx_error_t **e, char *buf, size_t len)
{
	buf[0] = '\0';
	if (e && *e) {
		libevtx_error_sprint(*e, buf, len);
		libevtx_error_free(e);
	}
	/* libyal stacks messages one per line: keep the first, innermost-last */
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	if (!buf[0])
		snprintf(buf, len, "libevtx error");
}

static void evtx_close(void *state);

static int evtx_sniff(const uint8_t *h, size_t n)
{
	(void)h;
	(void)n;
	return 0;  /* chosen by name only: evtx.c reads the same files by default */
}

/* libevtx says nothing when a file is cut inside a chunk: compare the file
 * size with the chunk count of the header (offset 42, u16) ourselves.
 * Returns -1 (error reported) if not even the 4096-byte header is there. */
static int evtx_check_size(struct source *src, const char *path)
{
	uint8_t h[128];
	FILE *f = fopen(path, "rb");
	if (!f) {
		source_error(src, "%s: cannot open", path);
		return -1;
	}
	size_t n = fread(h, 1, sizeof h, f);
	struct stat sb;
	int ok = fstat(fileno(f), &sb);
	fclose(f);
	if (ok != 0 || sb.st_size < 4096) {
		source_error(src, "%s: %lld bytes, shorter than the 4096-byte EVTX file header: "
			     "truncated", path, ok == 0 ? (long long)sb.st_size : 0LL);
		return -1;
	}
	br r = br_make(h, n);
	br_skip(&r, 40);
	uint16_t block = br_le16(&r);
	uint16_t chunks = br_le16(&r);
	if (r.bad)
		return 0;
	uint64_t want = (uint64_t)(block ? block : 4096) + (uint64_t)chunks * 65536u;
	if ((uint64_t)sb.st_size < want)
		source_warn(src, 0, "%s is truncated: its header lists %u chunks (%llu bytes), the file "
			    "has %lld bytes; records past the cut are lost", path, chunks,
			    (unsigned long long)want, (long long)sb.st_size);
	return 0;
}

static int evtx_open(struct source *src, const char *path, void **state)
{
	struct evtx *st = xcalloc(1, sizeof *st);
	st->src = src;
	*state = st;
	winevt_init(&st->w, src);
	if (evtx_check_size(src, path) != 0)
		return -1;
	libevtx_error_t *e = NULL;
	char msg[256];
	if (libevtx_file_initialize(&st->file, &e) != 1 ||
	    libevtx_file_open(st->file, path, LIBEVTX_OPEN_READ, &e) != 1) {
		err_text(&e, msg, sizeof msg);
		source_error(src, "%s: %s", path, msg);
		return -1;
	}
	if (libevtx_file_get_number_of_records(st->file, &st->nrecords, &e) != 1) {
		err_text(&e, msg, sizeof msg);
		source_error(src, "%s: %s", path, msg);
		return -1;
	}
	if (libevtx_file_get_number_of_recovered_records(st->file, &st->nrecovered, &e) != 1) {
		err_text(&e, msg, sizeof msg);
		source_warn(src, 0, "%s: recovered records not read: %s", path, msg);
		st->nrecovered = 0;
	}
	uint8_t corrupted = 0;
	if (libevtx_file_is_corrupted(st->file, &e) == 1)
		corrupted = 1;
	else if (e)
		libevtx_error_free(&e);
	if (corrupted)
		source_note(src, "libevtx marks %s corrupted (damaged chunks); %d recovery "
			    "candidates", path, st->nrecovered);
	return 0;
}

/* Render record `rec` to XML and map it. */
static pr_status evtx_map(struct evtx *st, libevtx_record_t *rec, struct event *ev)
{
	libevtx_error_t *e = NULL;
	char msg[256];
	size_t sz = 0;
	if (libevtx_record_get_utf8_xml_string_size(rec, &sz, &e) != 1 || sz == 0 || sz > INT32_MAX) {
		err_text(&e, msg, sizeof msg);
		source_skip(st->src, ev->ref, "record not rendered: %s", msg);
		return PR_SKIP;
	}
	if (sz > st->xml_cap) {
		st->xml_cap = sz * 2;
		st->xml = xrealloc(st->xml, st->xml_cap);
	}
	if (libevtx_record_get_utf8_xml_string(rec, st->xml, sz, &e) != 1) {
		err_text(&e, msg, sizeof msg);
		source_skip(st->src, ev->ref, "record not rendered: %s", msg);
		return PR_SKIP;
	}
	int len = (int)strnlen((const char *)st->xml, sz);
	if (!st->r) {
		st->r = xmlReaderForMemory((const char *)st->xml, len, NULL, "UTF-8", WINEVT_XML_OPTIONS);
	} else if (xmlReaderNewMemory(st->r, (const char *)st->xml, len, NULL, "UTF-8",
				      WINEVT_XML_OPTIONS) != 0) {
		xmlFreeTextReader(st->r);
		st->r = NULL;
	}
	if (!st->r) {
		source_skip(st->src, ev->ref, "cannot start the XML reader");
		return PR_SKIP;
	}
	winevt_attach(&st->w, st->r);
	int rc;
	while ((rc = xmlTextReaderRead(st->r)) == 1) {
		if (xmlTextReaderNodeType(st->r) != XML_READER_TYPE_ELEMENT)
			continue;
		const char *name = (const char *)xmlTextReaderConstLocalName(st->r);
		if (!name || strcmp(name, "Event") != 0)
			continue;
		enum winevt_status s = winevt_read(&st->w, st->r, ev);
		if (s == WINEVT_OK)
			return PR_EVENT;
		source_skip(st->src, ev->ref, "%s", st->w.xml_err);
		return PR_SKIP;
	}
	source_skip(st->src, ev->ref, "record rendered without an <Event> element%s%s",
		    st->w.xml_err_set ? ": " : "", st->w.xml_err_set ? st->w.xml_err : "");
	return PR_SKIP;
}

static pr_status evtx_next(void *state, struct event *ev)
{
	struct evtx *st = state;
	int total = st->nrecords + st->nrecovered;
	if (st->next >= total) {
		if (!st->noted) {
			if (st->unrecoverable)
				source_note(st->src, "%d of %d recovery candidates in slack space could not be "
					    "decoded by libevtx", st->unrecoverable, st->nrecovered);
			evtx_note_repeats(st->src, st->dups);
			st->noted = true;
		}
		return PR_EOF;
	}
	int i = st->next++;
	bool recovered = i >= st->nrecords;
	ev->ref = st->recovered_only ? st->ref_base + (uint64_t)(i - st->nrecords) + 1 : (uint64_t)i + 1;
	libevtx_record_t *rec = NULL;
	libevtx_error_t *e = NULL;
	int rc = recovered
		 ? libevtx_file_get_recovered_record_by_index(st->file, i - st->nrecords, &rec, &e)
		 : libevtx_file_get_record_by_index(st->file, i, &rec, &e);
	if (rc != 1 || !rec) {
		char msg[256];
		err_text(&e, msg, sizeof msg);
		if (recovered) {
			/* a carving candidate libevtx could not decode (evtxexport
			 * drops these silently): not a record we had, so one note */
			st->unrecoverable++;
			return PR_SKIP;
		}
		source_skip(st->src, ev->ref, "%srecord %d unreadable: %s",
			    recovered ? "recovered " : "", i + 1, msg);
		return PR_SKIP;
	}
	off64_t off = 0;
	if (libevtx_record_get_offset(rec, &off, &e) == 1 && off > 0)
		st->src->bytes_cur = (uint64_t)off;
	else if (e)
		libevtx_error_free(&e);
	pr_status s = evtx_map(st, rec, ev);
	libevtx_record_free(&rec, NULL);
	if (s != PR_EVENT)
		return s;
	uint64_t sig = evtx_signature(ev);
	if (!recovered) {
		if (!st->seen)
			st->seen = &st->own_seen;
		evtx_seen_add(&st->own_seen, sig);
	} else if (st->seen && evtx_seen_has(st->seen, sig)) {
		st->dups++;   /* the allocated record again: counted in the note */
		return PR_SKIP;
	} else {
		ev_bool(ev, "event.recovered", true);
	}
	return s;
}

int evtx_libevtx_open_recovered(struct source *src, const char *path, uint64_t ref_base,
				const struct evtx_seen *seen, void **state)
{
	bool quiet = src->quiet;
	src->quiet = true;  /* the header and truncation were reported by the caller */
	uint64_t warnings = src->warnings;
	int rc = evtx_open(src, path, state);
	src->warnings = warnings;
	src->quiet = quiet;
	struct evtx *st = *state;
	if (rc == 0) {
		st->recovered_only = true;
		st->ref_base = ref_base;
		st->seen = seen;
		st->next = st->nrecords;
	}
	return rc;
}

pr_status evtx_libevtx_next(void *state, struct event *ev)
{
	return evtx_next(state, ev);
}

void evtx_libevtx_close(void *state)
{
	evtx_close(state);
}

static void evtx_close(void *state)
{
	struct evtx *st = state;
	if (!st)
		return;
	if (st->file) {
		libevtx_file_close(st->file, NULL);
		libevtx_file_free(&st->file, NULL);
	}
	if (st->r)
		xmlFreeTextReader(st->r);
	winevt_fini(&st->w);
	evtx_seen_free(&st->own_seen);
	free(st->xml);
	free(st);
}

const struct parser parser_evtx_libevtx = {
	.api_version = PARSER_API_VERSION,
	.name = "evtx-libevtx",
	.summary = "Windows XML Event Log (.evtx) via libevtx, with records recovered from slack space",
	.sniffs = "not sniffed: --input-format evtx-libevtx",
	.sniff = evtx_sniff,
	.open = evtx_open,
	.next_event = evtx_next,
	.close = evtx_close,
};
