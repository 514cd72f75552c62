/*
 * correlator/analyze/an_common.c - shared analyzer helpers (see an_common.h).
 */
#include "an_common.h"
#include "../core/analyzer.h"
#include "../core/run.h"
#include "../core/source.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void an_cause_save(struct an_cause *c, const struct event *ev)
{
	c->ts = ev->ts;
	c->ts_raw = ev->ts_raw;
	c->ref = ev->ref;
	c->session = ev->session;
	c->source = ev->source;
	c->file = ev->file;
	c->has_flow = ev->flags & EV_HAS_FLOW;
	if (c->has_flow)
		c->flow = ev->flow;
	else
		memset(&c->flow, 0, sizeof c->flow);
}

void an_cause_init(struct event *ev, const struct an_cause *c, const char *type, int64_t ts)
{
	event_reset(ev);
	ev->type = type;
	ev->ts = ts;
	ev->ts_raw = c->ts_raw + (ts - c->ts);
	ev->ref = c->ref;
	ev->session = c->session;
	ev->source = c->source;
	ev->file = c->file;
	if (c->has_flow) {
		ev->flags |= EV_HAS_FLOW;
		ev->flow = c->flow;
	}
}

bool an_same_net(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family || !a->family)
		return false;
	return memcmp(a->b, b->b, a->family == 4 ? 3 : 8) == 0;
}

bool an_addr_is_group(const struct addr *a)
{
	if (a->family == 4)
		return (a->b[0] & 0xf0) == 0xe0 ||
		       (a->b[0] == 255 && a->b[1] == 255 && a->b[2] == 255 && a->b[3] == 255);
	if (a->family == 6)
		return a->b[0] == 0xff;
	return false;
}

void an_note_cap(const struct run *run, uint16_t source, const char *analyzer, uint64_t count,
		 const char *what, uint64_t cap)
{
	if (!count || !run || source >= run->nsources || !run->sources || !run->sources[source])
		return;
	source_note(run->sources[source], "%s: %llu %s at the cap of %llu (--max-sessions)",
		    analyzer, (unsigned long long)count, what, (unsigned long long)cap);
}

uint64_t an_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void an_cite(char *buf, size_t size, size_t *len, uint64_t ref, uint16_t file, int64_t ts,
	     const char *fmt, ...)
{
	char what[200], one[280];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	for (char *p = what; *p; p++)
		if (*p == ';')
			*p = ',';   /* the separator */
	int w = snprintf(one, sizeof one, "%s%" PRIu64 "/%u@%" PRId64 " %s", *len ? ";" : "", ref, file, ts, what);
	if (*len >= size)
		*len = size ? size - 1 : 0;
	if (w < 0 || *len + (size_t)w + 1 > size)
		return;   /* an entry that does not fit whole is left out */
	memcpy(buf + *len, one, (size_t)w + 1);
	*len += (size_t)w;
}
