/*
 * correlator/report/timeline_out.c - timeline writers (see timeline_out.h).
 * JSONL and CSV carry the columns Timesketch requires for an import
 * ("Create timeline from JSONL or CSV file" in the Timesketch user guide):
 *   message         the human line
 *   datetime        ISO 8601 with offset, as in its examples
 *                   (2015-07-24T19:01:01+00:00); we give microseconds, the
 *                   precision Timesketch keeps, e.g. 2024-01-07T14:33:49.908123+00:00
 *   timestamp_desc  what the time means ("Packet Captured", "Event Recorded",
 *                   "Analysis")
 *   timestamp       microseconds since the epoch (older Timesketch releases
 *                   required it; newer ones accept it)
 * plus our own: ts (RFC 3339 with nanoseconds: the contract in DESIGN.md),
 * source, file, ref, type, flow, fields. The CSV has a header line first;
 * Timesketch wants the file named *.csv or *.jsonl.
 * JSONL and CSV go out through one 256 KiB block (one fwrite per block) with
 * a field-name key cache (json.h); the message is escaped once for both of
 * its JSONL columns.
 * Does not: filter or sort (events arrive merged).
 */
#include "timeline_out.h"
#include "../core/event.h"
#include "../core/json.h"
#include "../core/run.h"
#include "../core/util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *label_of(const struct timeline_out *o, const struct event *ev)
{
	return ev->source < o->run->nsources ? o->run->sources[ev->source]->label : "?";
}

/* The file name, for multi-file sources: refs restart in every file. */
static const char *file_of(const struct timeline_out *o, const struct event *ev)
{
	const struct source *s = ev->source < o->run->nsources ? o->run->sources[ev->source] : NULL;
	if (!s || s->nfiles < 2 || ev->file >= s->nfiles)
		return NULL;
	const char *p = s->files[ev->file].path, *b = strrchr(p, '/');
	return b ? b + 1 : p;
}

static const char *timestamp_desc(const struct event *ev)
{
	if (ev->flags & EV_ANALYSIS)
		return "Analysis";
	if (ev->pkt)
		return "Packet Captured";
	return "Event Recorded";
}

/* Timesketch's datetime: ISO 8601, microseconds, explicit +00:00 offset. */
static void iso_datetime(const char *rfc3339, char *buf, size_t len)
{
	const char *dot = strchr(rfc3339, '.');
	size_t n = dot ? (size_t)(dot - rfc3339) + 7 : strcspn(rfc3339, "Z");
	snprintf(buf, len, "%.*s+00:00", (int)n, rfc3339);
}

/* Microseconds since the epoch, rounded down (also before 1970). */
static int64_t epoch_us(int64_t ns)
{
	return ns / 1000 - (ns % 1000 < 0);
}

/* The message as a JSON string in esc (one escape for both columns that
 * carry it); its length, or 0 when it might not fit (written directly then). */
static size_t escape_msg(const char *msg, char *esc, size_t cap)
{
	size_t n = strlen(msg);
	if (n > (cap - 2) / 6)  /* \u00XX: at most 6 bytes out per byte in */
		return 0;
	struct jbuf t;
	jbuf_init_mem(&t, NULL, esc, cap);
	jbuf_str(&t, msg, n);
	return t.n;
}

static void put_msg(struct jbuf *j, const char *msg, const char *esc, size_t n)
{
	if (n)
		jbuf_put(j, esc, n);
	else
		jbuf_cstr(j, msg);
}

static void write_jsonl(struct jbuf *j, const struct timeline_out *o, const struct event *ev, const char *msg)
{
	char ts[40], dt[48], esc[6 * 1024 + 2];
	size_t nesc = escape_msg(msg, esc, sizeof esc);
	format_rfc3339(ev->ts, ts, sizeof ts);
	iso_datetime(ts, dt, sizeof dt);
	jbuf_put(j, "{\"message\":", 11);
	put_msg(j, msg, esc, nesc);
	jbuf_put(j, ",\"datetime\":\"", 13);
	jbuf_puts(j, dt);
	jbuf_put(j, "\",\"timestamp_desc\":\"", 20);
	jbuf_puts(j, timestamp_desc(ev));
	jbuf_put(j, "\",\"timestamp\":", 14);
	jbuf_i64(j, epoch_us(ev->ts));
	jbuf_put(j, ",\"ts\":\"", 7);
	jbuf_puts(j, ts);
	jbuf_put(j, "\",\"source\":", 11);
	jbuf_cstr(j, label_of(o, ev));
	const char *file = file_of(o, ev);
	if (file) {
		jbuf_put(j, ",\"file\":", 8);
		jbuf_cstr(j, file);
	}
	jbuf_put(j, ",\"ref\":", 7);
	jbuf_u64(j, ev->ref);
	jbuf_put(j, ",\"type\":", 8);
	jbuf_cstr(j, ev->type);
	jbuf_put(j, ",\"flow\":", 8);
	jbuf_flow(j, ev);
	jbuf_put(j, ",\"fields\":", 10);
	jbuf_fields_indexable(j, ev);
	jbuf_put(j, ",\"msg\":", 7);
	put_msg(j, msg, esc, nesc);
	if (ev->ts != ev->ts_raw) {
		jbuf_put(j, ",\"ts_raw_offset_ns\":", 20);
		jbuf_i64(j, ev->ts - ev->ts_raw);
	}
	jbuf_put(j, "}\n", 2);
}

static void csv_str(struct jbuf *j, const char *s)
{
	jbuf_csv_cell(j, s, strlen(s));
}

/* One CSV line through the output block (no stdio call per cell). */
static void write_csv(struct jbuf *j, const struct timeline_out *o, const struct event *ev, const char *msg)
{
	char ts[40], dt[48], a[64] = "", b[64] = "";
	format_rfc3339(ev->ts, ts, sizeof ts);
	iso_datetime(ts, dt, sizeof dt);
	csv_str(j, msg);
	jbuf_putc(j, ',');
	jbuf_puts(j, dt);
	jbuf_putc(j, ',');
	jbuf_puts(j, timestamp_desc(ev));
	jbuf_putc(j, ',');
	jbuf_i64(j, epoch_us(ev->ts));
	jbuf_putc(j, ',');
	jbuf_puts(j, ts);
	jbuf_putc(j, ',');
	csv_str(j, label_of(o, ev));
	jbuf_putc(j, ',');
	const char *file = file_of(o, ev);
	if (file)
		csv_str(j, file);
	jbuf_putc(j, ',');
	jbuf_u64(j, ev->ref);
	jbuf_putc(j, ',');
	jbuf_puts(j, ev->type);
	jbuf_putc(j, ',');
	if (ev->flags & EV_HAS_FLOW) {
		addr_format(&ev->flow.src, a, sizeof a);
		addr_format(&ev->flow.dst, b, sizeof b);
		const char *pn = ip_proto_name(ev->flow.proto);
		jbuf_puts(j, a);
		jbuf_putc(j, ',');
		jbuf_u64(j, ev->flow.sport);
		jbuf_putc(j, ',');
		jbuf_puts(j, b);
		jbuf_putc(j, ',');
		jbuf_u64(j, ev->flow.dport);
		jbuf_putc(j, ',');
		if (pn)
			jbuf_puts(j, pn);
		jbuf_putc(j, ',');
		jbuf_u64(j, ev->session);
	} else {
		jbuf_put(j, ",,,,,", 5);
	}
	jbuf_putc(j, ',');
	/* the fields as one JSON object: spreadsheets keep it, scripts parse it */
	jbuf_csv_fields(j, ev);
	jbuf_putc(j, '\n');
}

static void write_text(struct timeline_out *o, const struct event *ev, const char *msg)
{
	FILE *f = o->f;
	char ts[40];
	format_rfc3339(ev->ts, ts, sizeof ts);
	fprintf(f, "%s  %s", ts, label_of(o, ev));
	const char *file = file_of(o, ev);
	if (file)
		fprintf(f, "[%s]", file);
	fprintf(f, "#%" PRIu64 "  %-24s ", ev->ref, ev->type);
	text_safe(f, msg, strlen(msg));
	fputc('\n', f);
}

static void on_event(void *ctx, const struct event *ev)
{
	struct timeline_out *o = ctx;
	char buf[1024];
	const char *msg = event_describe(ev, buf, sizeof buf);
	if (o->fmt == TL_TEXT) {
		write_text(o, ev, msg);
	} else {
		if (o->fmt == TL_JSONL)
			write_jsonl(o->block, o, ev, msg);
		else
			write_csv(o->block, o, ev, msg);
	}
	o->lines++;
}

/* The output block and key cache of the JSONL and CSV writers. */
static void block_open(struct timeline_out *out)
{
	out->block = xmalloc(sizeof *out->block + TIMELINE_OUT_BLOCK);
	jbuf_init_mem(out->block, out->f, (char *)(out->block + 1), TIMELINE_OUT_BLOCK);
	out->block->keys = jkeys_new();
}

static void on_finish(void *ctx)
{
	struct timeline_out *o = ctx;
	if (!o->block)
		return;
	jbuf_flush(o->block);
	jkeys_free(o->block->keys);
	free(o->block);
	o->block = NULL;
}

void timeline_out_begin(struct timeline_out *out)
{
	static const char header[] = "message,datetime,timestamp_desc,timestamp,ts,source,file,ref,type,"
				     "src,sport,dst,dport,proto,session,fields\n";
	if (out->fmt != TL_TEXT)
		block_open(out);
	if (out->fmt == TL_CSV)
		jbuf_put(out->block, header, sizeof header - 1);
}

struct sink timeline_out_sink(struct timeline_out *out)
{
	struct sink s = { out, on_event, on_finish };
	return s;
}
