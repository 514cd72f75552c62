/*
 * correlator/core/event.c - building, reading, copying and rendering events.
 * Does not: decide types or field names (parsers and analyzers do).
 */
#include "event.h"
#include "arena.h"
#include "util.h"
#include "pkt.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void event_reset(struct event *ev)
{
	ev->ts = ev->ts_raw = 0;
	ev->ref = 0;
	ev->session = 0;
	ev->type = "unknown";
	ev->msg = NULL;
	ev->pkt = NULL;
	ev->sess_refs = NULL;
	ev->alias = NULL;
	ev->file = 0;
	ev->flags = 0;
	ev->nfields = 0;
}

static struct field *slot(struct event *ev, const char *name)
{
	if (ev->nfields >= EVENT_MAX_FIELDS) {
		ev->flags |= EV_TRUNC_FIELDS;
		return NULL;
	}
	struct field *f = &ev->fields[ev->nfields++];
	f->name = name;
	return f;
}

/* Integer-valued kinds share one representation (u.i). */
static void put_int(struct event *ev, const char *name, enum value_type t, int64_t v)
{
	struct field *f = slot(ev, name);
	if (f) {
		f->v.type = t;
		f->v.u.i = v;
	}
}

void ev_int(struct event *ev, const char *name, int64_t v) { put_int(ev, name, V_INT, v); }
void ev_bool(struct event *ev, const char *name, bool v) { put_int(ev, name, V_BOOL, v); }
void ev_dur(struct event *ev, const char *name, int64_t ns) { put_int(ev, name, V_DUR, ns); }

void ev_real(struct event *ev, const char *name, double v)
{
	struct field *f = slot(ev, name);
	if (f) {
		f->v.type = V_REAL;
		f->v.u.r = v;
	}
}

void ev_str(struct event *ev, const char *name, const char *p, size_t n)
{
	struct field *f = slot(ev, name);
	if (f) {
		f->v.type = V_STR;
		f->v.u.s.p = p;
		f->v.u.s.n = (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n);
	}
}

void ev_cstr(struct event *ev, const char *name, const char *s)
{
	ev_str(ev, name, s, strlen(s));
}

void ev_addr(struct event *ev, const char *name, const struct addr *a)
{
	struct field *f = slot(ev, name);
	if (f) {
		f->v.type = V_ADDR;
		f->v.u.a = *a;
	}
}

const struct value *event_get(const struct event *ev, const char *name)
{
	for (unsigned i = 0; i < ev->nfields; i++)
		if (strcmp(ev->fields[i].name, name) == 0)
			return &ev->fields[i].v;
	return NULL;
}

bool event_get_int(const struct event *ev, const char *name, int64_t *out)
{
	const struct value *v = event_get(ev, name);
	if (!v || (v->type != V_INT && v->type != V_BOOL && v->type != V_DUR))
		return false;
	*out = v->u.i;
	return true;
}

struct event *event_copy(struct arena *a, const struct event *ev)
{
	struct event *c = arena_alloc(a, offsetof(struct event, fields) +
					     ev->nfields * sizeof(struct field));
	memcpy(c, ev, offsetof(struct event, fields));
	c->type = arena_strdup(a, ev->type);
	char buf[512];
	c->msg = arena_strdup(a, event_describe(ev, buf, sizeof buf));
	c->pkt = NULL;
	c->sess_refs = NULL;
	c->alias = NULL;
	for (unsigned i = 0; i < ev->nfields; i++) {
		c->fields[i] = ev->fields[i];
		c->fields[i].name = arena_strdup(a, ev->fields[i].name);
		if (ev->fields[i].v.type == V_STR) {
			c->fields[i].v.u.s.p = arena_strndup(a, ev->fields[i].v.u.s.p,
							      ev->fields[i].v.u.s.n);
		}
	}
	return c;
}

size_t addr_format(const struct addr *a, char *buf, size_t len)
{
	if (len == 0)
		return 0;
	/* by hand, not snprintf: every packet line and JSON record formats two */
	char t[INET6_ADDRSTRLEN];
	size_t n = 0;
	if (a->family == 4) {
		for (int i = 0; i < 4; i++) {
			unsigned v = a->b[i];
			if (i)
				t[n++] = '.';
			if (v >= 100)
				t[n++] = (char)('0' + v / 100);
			if (v >= 10)
				t[n++] = (char)('0' + v / 10 % 10);
			t[n++] = (char)('0' + v % 10);
		}
	} else if (a->family == 6) {
		if (inet_ntop(AF_INET6, a->b, t, sizeof t))
			n = strlen(t);
	}
	size_t c = n < len ? n : len - 1;
	memcpy(buf, t, c);
	buf[c] = '\0';
	return n;
}

bool addr_parse(const char *s, size_t n, struct addr *out)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	if (n == 0 || n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, tmp, out->b) == 1) {
		out->family = 4;
		return true;
	}
	if (inet_pton(AF_INET6, tmp, out->b) == 1) {
		out->family = 6;
		/* an IPv4-mapped address is the IPv4 address (logs write both ways) */
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (memcmp(out->b, mapped, 12) == 0) {
			memmove(out->b, out->b + 12, 4);
			memset(out->b + 4, 0, 12);
			out->family = 4;
		}
		return true;
	}
	return false;
}

void addr_v4(struct addr *a, const uint8_t b[4])
{
	memset(a, 0, sizeof *a);
	a->family = 4;
	memcpy(a->b, b, 4);
}

bool addr_equal(const struct addr *a, const struct addr *b)
{
	return a->family == b->family && memcmp(a->b, b->b, a->family == 4 ? 4 : 16) == 0;
}

int addr_cmp(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->b, b->b, a->family == 4 ? 4 : 16);
	return c < 0 ? -1 : c > 0;
}

const char *ip_proto_name(uint8_t proto)
{
	switch (proto) {
	case 1: return "icmp";
	case 2: return "igmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 47: return "gre";
	case 50: return "esp";
	case 51: return "ah";
	case 58: return "icmpv6";
	case 132: return "sctp";
	default: return NULL;
	}
}

static size_t endpoint_format(const struct addr *a, uint16_t port, bool with_port,
			      char *buf, size_t len)
{
	char ab[64];
	addr_format(a, ab, sizeof ab);
	if (!with_port)
		return (size_t)snprintf(buf, len, "%s", ab);
	if (a->family == 6)
		return (size_t)snprintf(buf, len, "[%s]:%u", ab, port);
	return (size_t)snprintf(buf, len, "%s:%u", ab, port);
}

size_t flow_format(const struct flow *f, char *buf, size_t len)
{
	char s[80], d[80];
	bool ports = f->proto == 6 || f->proto == 17 || f->proto == 132;
	endpoint_format(&f->src, f->sport, ports, s, sizeof s);
	endpoint_format(&f->dst, f->dport, ports, d, sizeof d);
	const char *pn = ip_proto_name(f->proto);
	if (pn)
		return (size_t)snprintf(buf, len, "%s -> %s %s", s, d, pn);
	return (size_t)snprintf(buf, len, "%s -> %s proto %u", s, d, f->proto);
}

bool flow_same_session(const struct flow *f, const struct flow *g)
{
	if (f->proto != g->proto)
		return false;
	if (f->sport == g->sport && f->dport == g->dport && addr_equal(&f->src, &g->src) &&
	    addr_equal(&f->dst, &g->dst))
		return true;
	return f->sport == g->dport && f->dport == g->sport && addr_equal(&f->src, &g->dst) &&
	       addr_equal(&f->dst, &g->src);
}

static int endpoint_cmp(const struct addr *a, uint16_t ap, const struct addr *b, uint16_t bp)
{
	int c = addr_cmp(a, b);
	if (c)
		return c;
	return ap < bp ? -1 : ap > bp;
}

void flow_canonical(const struct flow *f, struct flow *out, bool *swapped)
{
	bool sw = endpoint_cmp(&f->src, f->sport, &f->dst, f->dport) > 0;
	if (sw) {
		out->src = f->dst;
		out->dst = f->src;
		out->sport = f->dport;
		out->dport = f->sport;
		out->proto = f->proto;
	} else if (out != f) {
		*out = *f;
	}
	if (swapped)
		*swapped = sw;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

static uint64_t addr_hash(const struct addr *a)
{
	uint64_t x, y = 0;
	memcpy(&x, a->b, 8);
	if (a->family == 6)
		memcpy(&y, a->b + 8, 8);
	return x * 0xff51afd7ed558ccdULL ^ y * 0xc4ceb9fe1a85ec53ULL ^ a->family;
}

uint64_t flow_hash(const struct flow *f)
{
	/* symmetric: combine both endpoints order-independently */
	uint64_t a = mix(addr_hash(&f->src), f->sport);
	uint64_t b = mix(addr_hash(&f->dst), f->dport);
	uint64_t h = (a ^ b) + (a + b) * 31 + f->proto;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

size_t value_format(const struct value *v, char *buf, size_t len)
{
	if (len == 0)
		return 0;
	switch (v->type) {
	case V_INT:
		return (size_t)snprintf(buf, len, "%" PRId64, v->u.i);
	case V_BOOL:
		return (size_t)snprintf(buf, len, "%s", v->u.i ? "true" : "false");
	case V_DUR:
		format_duration(v->u.i, buf, len);
		return strlen(buf);
	case V_REAL:
		return (size_t)snprintf(buf, len, "%.6g", v->u.r);
	case V_STR: {
		size_t n = v->u.s.n < len - 1 ? v->u.s.n : len - 1;
		memcpy(buf, v->u.s.p, n);
		buf[n] = '\0';
		return n;
	}
	case V_ADDR:
		return addr_format(&v->u.a, buf, len);
	case V_NONE:
		break;
	}
	buf[0] = '\0';
	return 0;
}

static bool numeric(const struct value *v, double *out)
{
	switch (v->type) {
	case V_INT: case V_BOOL: case V_DUR:
		*out = (double)v->u.i;
		return true;
	case V_REAL:
		*out = v->u.r;
		return true;
	default:
		return false;
	}
}

int value_compare(const struct value *a, const struct value *b)
{
	double x, y;
	if ((a->type == V_INT || a->type == V_DUR || a->type == V_BOOL) && a->type == b->type)
		return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
	if (numeric(a, &x) && numeric(b, &y))
		return x < y ? -1 : x > y;
	if (a->type == V_STR && b->type == V_STR) {
		size_t n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
		int c = memcmp(a->u.s.p, b->u.s.p, n);
		if (c)
			return c < 0 ? -1 : 1;
		return a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
	}
	if (a->type == V_ADDR && b->type == V_ADDR)
		return addr_cmp(&a->u.a, &b->u.a);
	return 2;
}

const char *event_describe(const struct event *ev, char *buf, size_t len)
{
	if (ev->msg)
		return ev->msg;
	if (ev->pkt) {
		pkt_describe(ev->pkt, buf, len);
		return buf;
	}
	size_t o = (size_t)snprintf(buf, len, "%s", ev->type);
	if (ev->flags & EV_HAS_FLOW && o < len) {
		buf[o++] = ' ';
		o += flow_format(&ev->flow, buf + o, len - o);
	}
	for (unsigned i = 0; i < ev->nfields && o + 4 < len; i++) {
		o += (size_t)snprintf(buf + o, len - o, " %s=", ev->fields[i].name);
		if (o >= len)
			break;
		o += value_format(&ev->fields[i].v, buf + o, len - o);
	}
	if (o >= len)
		o = len - 1;
	buf[o] = '\0';
	return buf;
}
