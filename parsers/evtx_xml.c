/*
 * parsers/evtx_xml.c - Windows event logs exported as XML: Event Viewer "Save
 * as XML" (<?xml?> + <Events> root), `wevtutil qe /f:xml` and
 * `/f:RenderedXml` (bare <Event> elements one after another, no root),
 * PowerShell ToXml(), `netsh trace convert dump=XML`; UTF-8, or UTF-16 with a
 * byte-order mark. One `win.event` per <Event> (mapping: winevt.c); ref is
 * the 1-based position of the <Event> in the file (the EventRecordID is the
 * field event.record_id).
 *
 * Streaming with libxml2's xmlTextReader over our own input callback, which
 * transcodes to UTF-8, drops the XML declaration and wraps the whole file in
 * one synthetic root element (so root-less wevtutil output is one document).
 * Hostile XML is refused: a DTD (<!DOCTYPE>, the only way to declare
 * entities, so no entity bomb and no external entity) ends the file with an
 * error, the parser never loads DTDs, never substitutes entities and never
 * touches the network (XML_PARSE_NONET), and nesting deeper than
 * limits.max_xml_depth is refused.
 * Damage: invalid UTF-16/UTF-8 and control characters become U+FFFD (one
 * warning with the count); an Event cut by broken or truncated XML is a
 * counted skip with its ref, and the reader stops there (libxml2 cannot
 * resynchronise).
 * Does not: read binary .evtx (evtx.c), render messages.
 * Spec: ../shared/formats/windows-events.md (a).
 */
#include "../correlator/core/parser.h"
#include "winevt.h"
#include "../correlator/core/br.h"
#include "../correlator/core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XIN_RAW 65536
#define XIN_OUT (XIN_RAW * 3 / 2 + 16)   /* worst case: UTF-16 BMP -> 3 UTF-8 bytes */

static const char WRAP_OPEN[] = "<correlator-events>";
static const char WRAP_CLOSE[] = "</correlator-events>";

enum xin_enc { ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE };

/* The transcoding, wrapping input stream handed to libxml2. */
struct xin {
	FILE *f;
	enum xin_enc enc;
	uint8_t raw[XIN_RAW];
	size_t raw_len;           /* undecoded bytes at raw[0..] (a split sequence) */
	uint8_t out[XIN_OUT];
	size_t out_pos, out_len;
	bool eof, io_error;
	int phase;                /* 0 wrapper open, 1 body, 2 wrapper close, 3 done */
	size_t wrap_pos;
	uint64_t consumed;        /* raw bytes read from the file */
	uint64_t replaced;        /* bad code units / control characters replaced */
	uint64_t lines;           /* newlines handed to libxml2 */
};

struct evtx_xml {
	struct source *src;
	struct xin in;
	xmlTextReaderPtr r;
	struct winevt w;
	uint64_t ref;             /* <Event> elements seen */
	bool done;
};

static size_t put_utf8(uint8_t *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (uint8_t)(0xC0 | cp >> 6);
		o[1] = (uint8_t)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (uint8_t)(0xE0 | cp >> 12);
		o[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (uint8_t)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (uint8_t)(0xF0 | cp >> 18);
	o[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (uint8_t)(0x80 | (cp & 0x3F));
	return 4;
}

/* XML 1.0 forbids C0 controls except tab, LF, CR; exports sometimes hold them. */
static bool bad_control(uint32_t cp)
{
	return (cp < 0x20 && cp != 0x09 && cp != 0x0A && cp != 0x0D) || cp == 0xFFFE || cp == 0xFFFF;
}

/* Decode raw[0..raw_len) into out; keep an incomplete tail in raw unless at EOF. */
static void xin_decode(struct xin *x)
{
	size_t i = 0, o = 0, n = x->raw_len;
	const br all = br_make(x->raw, n);
	bool le = x->enc == ENC_UTF16LE;
	while (i < n) {
		uint32_t cp;
		size_t used;
		br at = br_at(&all, i);
		if (x->enc == ENC_UTF8) {
			uint8_t b = br_u8(&at);
			size_t need = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 :
				      (b & 0xF8) == 0xF0 ? 4 : 0;
			if (need > 1 && n - i < need && !x->eof)
				break;  /* split sequence: wait for more */
			if (need == 0 || n - i < need) {
				cp = 0xFFFD;
				used = 1;
				x->replaced++;
			} else {
				cp = need == 1 ? b : need == 2 ? (b & 0x1Fu) : need == 3 ? (b & 0x0Fu) : (b & 0x07u);
				bool ok = true;
				for (size_t k = 1; k < need; k++) {
					uint8_t c = br_u8(&at);
					if ((c & 0xC0) != 0x80)
						ok = false;
					cp = cp << 6 | (c & 0x3Fu);
				}
				static const uint32_t minv[5] = { 0, 0, 0x80, 0x800, 0x10000 };
				if (!ok || cp < minv[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
					cp = 0xFFFD;
					used = 1;
					x->replaced++;
				} else {
					used = need;
				}
			}
		} else {
			if (n - i < 2) {
				if (!x->eof)
					break;
				x->replaced++;  /* odd trailing byte */
				i = n;
				break;
			}
			uint32_t u = br_u16(&at, !le);
			used = 2;
			cp = u;
			if (u >= 0xD800 && u <= 0xDBFF) {
				if (n - i < 4 && !x->eof)
					break;
				uint32_t v = 0;
				if (n - i >= 4)
					v = br_u16(&at, !le);
				if (v >= 0xDC00 && v <= 0xDFFF) {
					cp = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00);
					used = 4;
				} else {
					cp = 0xFFFD;
					x->replaced++;
				}
			} else if (u >= 0xDC00 && u <= 0xDFFF) {
				cp = 0xFFFD;
				x->replaced++;
			}
		}
		if (bad_control(cp)) {
			cp = 0xFFFD;
			x->replaced++;
		}
		o += put_utf8(x->out + o, cp);
		i += used;
	}
	memmove(x->raw, x->raw + i, n - i);
	x->raw_len = n - i;
	x->out_pos = 0;
	x->out_len = o;
}

/* Read more of the file and decode it. False at the end of the body. */
static bool xin_fill(struct xin *x)
{
	while (x->out_pos >= x->out_len) {
		if (x->eof && x->raw_len == 0)
			return false;
		if (!x->eof) {
			size_t got = fread(x->raw + x->raw_len, 1, XIN_RAW - x->raw_len, x->f);
			x->consumed += got;
			if (got == 0) {
				x->eof = true;
				if (ferror(x->f))
					x->io_error = true;
			}
			x->raw_len += got;
		}
		xin_decode(x);
		if (x->eof && x->raw_len)
			x->raw_len = 0;  /* unreachable: decode at EOF consumes all */
	}
	return true;
}

static int xin_read(void *ctx, char *buf, int len)
{
	struct xin *x = ctx;
	int done = 0;
	while (done < len) {
		if (x->phase == 0 || x->phase == 2) {
			const char *w = x->phase == 0 ? WRAP_OPEN : WRAP_CLOSE;
			size_t wl = strlen(w);
			size_t k = wl - x->wrap_pos;
			if (k > (size_t)(len - done))
				k = (size_t)(len - done);
			memcpy(buf + done, w + x->wrap_pos, k);
			done += (int)k;
			x->wrap_pos += k;
			if (x->wrap_pos == wl) {
				x->phase++;
				x->wrap_pos = 0;
			}
			continue;
		}
		if (x->phase == 3)
			break;
		if (!xin_fill(x)) {
			x->phase = 2;
			continue;
		}
		size_t k = x->out_len - x->out_pos;
		if (k > (size_t)(len - done))
			k = (size_t)(len - done);
		memcpy(buf + done, x->out + x->out_pos, k);
		for (size_t j = 0; j < k; j++)
			x->lines += buf[done + (int)j] == '\n';
		x->out_pos += k;
		done += (int)k;
	}
	return x->io_error ? -1 : done;
}

static int xin_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static const uint8_t *find_bytes(const uint8_t *h, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	return k <= n ? memmem(h, n, needle, k) : NULL;
}

/* UTF-16 heads are sniffed through their low (LE) or high (BE) bytes. */
static size_t sniff_narrow(const uint8_t *h, size_t n, uint8_t *out, size_t cap)
{
	size_t o = 0;
	br r = br_make(h, n);
	uint16_t bom = br_be16(&r);
	if (!r.bad && (bom == 0xFFFE || bom == 0xFEFF)) {
		br_skip(&r, bom == 0xFFFE ? 0 : 1);
		while (br_left(&r) && o < cap) {
			out[o++] = br_u8(&r);
			br_skip(&r, 1);
		}
		return o;
	}
	o = n < cap ? n : cap;
	memcpy(out, h, o);
	return o;
}

static int evtx_xml_sniff(const uint8_t *head, size_t len)
{
	uint8_t h[SNIFF_BYTES];
	size_t n = sniff_narrow(head, len, h, sizeof h);
	if (find_bytes(h, n, "schemas.microsoft.com/win/2004/08/events/event"))
		return 95;
	bool event = find_bytes(h, n, "<Event>") || find_bytes(h, n, "<Event ") ||
		     find_bytes(h, n, "<Events>") || find_bytes(h, n, "<Events ");
	if (event)
		return 70;
	/* a DTD ahead of event-looking names: claim it so open() can refuse it clearly */
	if (find_bytes(h, n, "<!DOCTYPE") && find_bytes(h, n, "Event"))
		return 60;
	return 0;
}

/* Position the stream after the BOM and the XML declaration; refuse a DTD. */
static int xin_prolog(struct source *src, const char *path, struct xin *x)
{
	uint8_t bom[3];
	size_t got = fread(bom, 1, sizeof bom, x->f);
	size_t skip = 0;
	if (got >= 2 && bom[0] == 0xFF && bom[1] == 0xFE) {
		x->enc = ENC_UTF16LE;
		skip = 2;
	} else if (got >= 2 && bom[0] == 0xFE && bom[1] == 0xFF) {
		x->enc = ENC_UTF16BE;
		skip = 2;
	} else if (got == 3 && bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF) {
		skip = 3;
	} else if (got >= 2 && bom[0] == '<' && bom[1] == 0) {
		x->enc = ENC_UTF16LE;  /* UTF-16 without a BOM, as some tools write */
	} else if (got >= 2 && bom[0] == 0 && bom[1] == '<') {
		x->enc = ENC_UTF16BE;
	}
	memcpy(x->raw, bom + skip, got - skip);
	x->raw_len = got - skip;
	x->consumed = got;
	if (!xin_fill(x)) {
		source_error(src, "%s: empty XML file", path);
		return -1;
	}
	/* the head: at most what is decoded now (one 64 KiB read) */
	const uint8_t *p = x->out + x->out_pos;
	size_t n = x->out_len - x->out_pos;
	if (find_bytes(p, n, "<!DOCTYPE") || find_bytes(p, n, "<!ENTITY")) {
		source_error(src, "%s: refused: the XML declares a DTD (<!DOCTYPE>); event log "
			     "exports never do, and DTD entities can expand without bound or "
			     "read local files and URLs", path);
		return -1;
	}
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (n - i >= 5 && !memcmp(p + i, "<?xml", 5)) {
		const uint8_t *e = find_bytes(p + i, n - i, "?>");
		if (!e) {
			source_error(src, "%s: unterminated XML declaration", path);
			return -1;
		}
		/* the declaration's encoding is moot: the stream is UTF-8 from here */
		i = (size_t)(e - p) + 2;
	}
	x->out_pos += i;
	return 0;
}

static int evtx_xml_open(struct source *src, const char *path, void **state)
{
	struct evtx_xml *st = xcalloc(1, sizeof *st);
	st->src = src;
	*state = st;
	st->in.f = fopen(path, "rb");
	if (!st->in.f) {
		source_error(src, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (xin_prolog(src, path, &st->in) != 0)
		return -1;
	winevt_init(&st->w, src);
	st->r = xmlReaderForIO(xin_read, xin_close, &st->in, NULL, NULL, WINEVT_XML_OPTIONS);
	if (!st->r) {
		source_error(src, "%s: cannot start the XML reader", path);
		return -1;
	}
	winevt_attach(&st->w, st->r);
	return 0;
}

static pr_status evtx_xml_next(void *state, struct event *ev)
{
	struct evtx_xml *st = state;
	if (st->done)
		return PR_EOF;
	for (;;) {
		int rc = xmlTextReaderRead(st->r);
		st->src->bytes_cur = st->in.consumed;
		if (rc == 0)
			goto end;
		if (rc < 0) {
			/* between events: nothing half-read is lost, but the rest is unreadable */
			st->done = true;
			if (st->ref == 0) {
				source_error(st->src, "%s", st->w.xml_err_set ? st->w.xml_err : "not XML");
				return PR_FATAL;
			}
			source_warn(st->src, 0, "%s after event %llu; the rest of the file is not read",
				    st->w.xml_err_set ? st->w.xml_err : "XML error",
				    (unsigned long long)st->ref);
			goto end;
		}
		if (xmlTextReaderNodeType(st->r) != XML_READER_TYPE_ELEMENT)
			continue;
		int depth = xmlTextReaderDepth(st->r);
		if (depth < 0 || (unsigned)depth >= st->w.max_depth) {
			st->done = true;
			source_error(st->src, "XML nested deeper than %u levels at line %d; refused",
				     st->w.max_depth, xmlTextReaderGetParserLineNumber(st->r));
			source_note(st->src, "XML nested deeper than %u levels (--max-xml-depth): reading stopped",
				    st->w.max_depth);
			return PR_FATAL;
		}
		const char *name = (const char *)xmlTextReaderConstLocalName(st->r);
		if (!name || strcmp(name, "Event") != 0)
			continue;
		ev->ref = ++st->ref;
		enum winevt_status s = winevt_read(&st->w, st->r, ev);
		st->src->bytes_cur = st->in.consumed;
		switch (s) {
		case WINEVT_OK:
			return PR_EVENT;
		case WINEVT_BAD:
			source_skip(st->src, ev->ref, "%s", st->w.xml_err);
			return PR_SKIP;
		case WINEVT_XML_ERROR:
			st->done = true;
			if (st->in.phase >= 2 && st->w.xml_err_line >= 0 &&
			    (uint64_t)st->w.xml_err_line >= st->in.lines + 1)
				source_skip(st->src, ev->ref, "the file ends inside this <Event> "
					    "(truncated at line %d)", st->w.xml_err_line);
			else
				source_skip(st->src, ev->ref, "%s; the rest of the file is not read",
					    st->w.xml_err);
			return PR_SKIP;
		case WINEVT_REFUSED:
			st->done = true;
			source_skip(st->src, ev->ref, "%s", st->w.xml_err);
			source_error(st->src, "%s", st->w.xml_err);
			source_note(st->src, "%s (--max-xml-depth %u): reading stopped", st->w.xml_err,
				    st->w.max_depth);
			return PR_FATAL;
		}
	}
end:
	st->done = true;
	if (st->in.replaced)
		source_warn(st->src, 0, "%llu invalid or control characters replaced by U+FFFD",
			    (unsigned long long)st->in.replaced);
	if (st->ref == 0)
		source_warn(st->src, 0, "no <Event> element in the file");
	return PR_EOF;
}

static void evtx_xml_close(void *state)
{
	struct evtx_xml *st = state;
	if (!st)
		return;
	if (st->r)
		xmlFreeTextReader(st->r);
	winevt_fini(&st->w);
	if (st->in.f)
		fclose(st->in.f);
	free(st);
}

const struct parser parser_evtx_xml = {
	.api_version = PARSER_API_VERSION,
	.name = "evtx-xml",
	.summary = "Windows event log XML export (Event Viewer, wevtutil /f:xml, ToXml, netsh dump=XML)",
	.sniffs = "the event schema namespace, or <Event>/<Events> elements (UTF-8 or UTF-16)",
	.sniff = evtx_xml_sniff,
	.open = evtx_xml_open,
	.next_event = evtx_xml_next,
	.close = evtx_xml_close,
};
