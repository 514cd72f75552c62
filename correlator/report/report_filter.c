/*
 * correlator/report/report_filter.c - Wireshark display filters for cited evidence:
 * one that shows exactly the cited frames of one capture file
 * (frame.number in {456, 457, 458}) and one that shows the whole conversation(s) the
 * evidence belongs to, in the form Wireshark's "Conversation Filter" builds
 * (ip.addr==A && tcp.port==P && ip.addr==B && tcp.port==Q).
 * Refs restart in every file of a multi-file source, so both filters are
 * per (source, file).
 * Does not: decide which sources are captures (report_source_is_capture).
 * Spec: Wireshark display filter reference (wireshark-filter(4)): the set
 * membership operator "in {a, b, c}" (Wireshark 4 rejects the older
 * whitespace-separated form "{a b c}"), fields frame.number, ip.addr,
 * ipv6.addr, tcp.port, udp.port.
 */
#include "report.h"
#include "../core/util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct sbuf {
	char *p;
	size_t len, used;  /* used may pass len: the length wanted */
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = b->used < b->len ? b->len - b->used : 0;
	int n = vsnprintf(room ? b->p + b->used : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->used += (size_t)n;
	if (b->len)
		b->p[b->used < b->len ? b->used : b->len - 1] = '\0';
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

size_t report_frame_filter(const struct evidence *const *ev, size_t n, uint16_t source,
			   uint16_t file, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0 };
	if (len)
		buf[0] = '\0';
	uint64_t *refs = n ? xmalloc(n * sizeof *refs) : NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (ev[i]->source == source && ev[i]->file == file)
			refs[k++] = ev[i]->ref;
	if (k) {
		qsort(refs, k, sizeof *refs, u64_cmp);
		sb_printf(&b, "frame.number in {");
		for (size_t i = 0; i < k; i++)
			if (!i || refs[i] != refs[i - 1])
				sb_printf(&b, "%s%" PRIu64, i ? ", " : "", refs[i]);
		sb_printf(&b, "}");
	}
	free(refs);
	return b.used;
}

static void addr_term(struct sbuf *b, const struct addr *a)
{
	char s[64];
	addr_format(a, s, sizeof s);
	sb_printf(b, "%s==%s", a->family == 6 ? "ipv6.addr" : "ip.addr", s);
}

/* One conversation: both addresses, and both ports for TCP/UDP. */
static void flow_term(struct sbuf *b, const struct flow *f)
{
	const char *port = f->proto == 6 ? "tcp.port" : f->proto == 17 ? "udp.port" : NULL;
	addr_term(b, &f->src);
	if (port)
		sb_printf(b, " && %s==%u", port, f->sport);
	sb_printf(b, " && ");
	addr_term(b, &f->dst);
	if (port)
		sb_printf(b, " && %s==%u", port, f->dport);
	else if (f->proto == 50)
		sb_printf(b, " && esp");
	else if (f->proto == 1)
		sb_printf(b, " && icmp");
	else if (f->proto == 58)
		sb_printf(b, " && icmpv6");
}

#define FILTER_MAX_FLOWS 8

size_t report_session_filter(const struct evidence *const *ev, size_t n, uint16_t source,
			     uint16_t file, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0 };
	if (len)
		buf[0] = '\0';
	struct flow seen[FILTER_MAX_FLOWS];
	size_t nseen = 0;
	for (size_t i = 0; i < n; i++) {
		const struct evidence *e = ev[i];
		if (e->source != source || e->file != file || !e->has_flow || !e->flow.src.family)
			continue;
		struct flow c;
		bool swapped;
		flow_canonical(&e->flow, &c, &swapped);
		bool dup = false;
		for (size_t k = 0; k < nseen && !dup; k++)
			dup = flow_same_session(&seen[k], &c);
		if (dup || nseen == FILTER_MAX_FLOWS)
			continue;
		seen[nseen++] = c;
	}
	/* print each flow oriented as first cited, for readability */
	for (size_t k = 0; k < nseen; k++) {
		const struct flow *f = &seen[k];
		for (size_t i = 0; i < n; i++)
			if (ev[i]->source == source && ev[i]->file == file && ev[i]->has_flow &&
			    flow_same_session(&ev[i]->flow, f)) {
				f = &ev[i]->flow;
				break;
			}
		if (nseen > 1)
			sb_printf(&b, "%s(", k ? " || " : "");
		flow_term(&b, f);
		if (nseen > 1)
			sb_printf(&b, ")");
	}
	return b.used;
}
