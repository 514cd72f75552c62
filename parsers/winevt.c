/*
 * parsers/winevt.c - <Event> XML -> `win.event` (see winevt.h).
 * Does not: read files, expand entities (the readers never enable it), or
 * render messages.
 * Spec: Windows Event schema; ../shared/formats/windows-events.md (a).
 *
 *   Event                       relative depth 0
 *     System | EventData | UserData | RenderingInfo     1  (the section)
 *       Provider, EventID, ... | Data, Binary | <provider element> | Message   2
 *         (UserData leaves)                                                   3+
 *
 * Flows, from the event's own data (network events only):
 *   Security 5150-5159 (WFP) with SourceAddress+DestAddress: a full flow
 *     Source -> Dest. The corpus (ea-DE_RDP_Tunnel_5156.evtx, Security_short_
 *     selected.evtx) shows Source is the sender in both directions (inbound
 *     5156: Source 239.255.255.250:1900, Dest 127.0.0.1:55141), so the fields
 *     are taken as written, not swapped by Direction.
 *   Sysmon 3 (SourceIp/SourcePort/DestinationIp/DestinationPort/Protocol
 *     tcp|udp): a full flow Source -> Destination.
 *   Security events with IpAddress (4624, 4625, 4648, 4776 ...): only the
 *     remote side is known. No flow (a flow key needs both ends; a half key
 *     would join unrelated sessions); the known side is in ip.src and, when
 *     IpPort > 0, tcp.srcport (network logons arrive over SMB/RDP/HTTP: TCP).
 *   WFP events with one endpoint only (5154 listen, 5158 bind): no flow.
 */
#include "winevt.h"
#include "../correlator/core/source.h"
#include "../correlator/core/util.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINEVT_MAX_DATA 64      /* data fields kept per event (EVENT_MAX_FIELDS is 80) */
#define WINEVT_STACK 256        /* element stack inside one Event */
#define WINEVT_NAME_MAX 96      /* longest Data Name kept */

enum sect { S_NONE, S_SYSTEM, S_EVENTDATA, S_USERDATA, S_RENDER, S_OTHER };

/* System leaves whose text we keep, and the attribute-carrying ones. */
enum sysf {
	F_NONE, F_ID, F_VERSION, F_LEVEL, F_TASK, F_OPCODE, F_KEYWORDS, F_RECORD_ID,
	F_CHANNEL, F_COMPUTER, F_DATA, F_BINARY, F_MESSAGE, F_USERLEAF,
};

/* Names and their ids, sorted by name (bsearch). */
static const struct wname { const char *name; enum winevt_name id; } wnames[] = {
	{ "ActivityID", WN_ACTIVITYID }, { "Binary", WN_BINARY }, { "Channel", WN_CHANNEL },
	{ "Computer", WN_COMPUTER }, { "Correlation", WN_CORRELATION }, { "Data", WN_DATA },
	{ "EventData", WN_EVENTDATA }, { "EventID", WN_EVENTID },
	{ "EventRecordID", WN_EVENTRECORDID }, { "EventSourceName", WN_EVENTSOURCENAME },
	{ "Execution", WN_EXECUTION }, { "Keywords", WN_KEYWORDS }, { "Level", WN_LEVEL },
	{ "Message", WN_MESSAGE }, { "Name", WN_NAME }, { "Opcode", WN_OPCODE },
	{ "ProcessID", WN_PROCESSID }, { "Provider", WN_PROVIDER }, { "Qualifiers", WN_QUALIFIERS },
	{ "RenderingInfo", WN_RENDERINGINFO }, { "Security", WN_SECURITY }, { "System", WN_SYSTEM },
	{ "SystemTime", WN_SYSTEMTIME }, { "Task", WN_TASK }, { "ThreadID", WN_THREADID },
	{ "TimeCreated", WN_TIMECREATED }, { "UserData", WN_USERDATA }, { "UserID", WN_USERID },
	{ "Version", WN_VERSION },
};

static int wname_cmp(const void *key, const void *item)
{
	return strcmp(key, ((const struct wname *)item)->name);
}

enum winevt_name winevt_name_id(const char *name)
{
	const struct wname *w = bsearch(name, wnames, ARRAY_LEN(wnames), sizeof wnames[0], wname_cmp);
	return w ? w->id : WN_OTHER;
}

const char *winevt_name_text(enum winevt_name id)
{
	for (size_t i = 0; i < ARRAY_LEN(wnames); i++)
		if (wnames[i].id == id)
			return wnames[i].name;
	return NULL;
}

/* The System leaves whose text we keep. */
static enum sysf sys_leaf(enum winevt_name id)
{
	switch (id) {
	case WN_EVENTID: return F_ID;
	case WN_VERSION: return F_VERSION;
	case WN_LEVEL: return F_LEVEL;
	case WN_TASK: return F_TASK;
	case WN_OPCODE: return F_OPCODE;
	case WN_KEYWORDS: return F_KEYWORDS;
	case WN_EVENTRECORDID: return F_RECORD_ID;
	case WN_CHANNEL: return F_CHANNEL;
	case WN_COMPUTER: return F_COMPUTER;
	default: return F_NONE;
	}
}

struct str { const char *p; size_t n; };

struct dataf { const char *name; struct str v; };

struct elem {
	enum winevt_name id;    /* System children and Data: for their attributes; else WN_OTHER */
	enum sysf f;
	bool has_child;
	const char *data_name;  /* Data Name= (arena) or NULL */
};

/* What one Event holds while it is being read. */
struct rec {
	struct str sys[F_USERLEAF + 1];
	bool have[F_USERLEAF + 1];
	struct str provider, source_name, time, activity, user, qualifiers, pid, tid;
	struct dataf data[WINEVT_MAX_DATA];
	unsigned ndata, nunnamed, dropped;
	struct elem stack[WINEVT_STACK];
	enum sect sect;
};

void winevt_init(struct winevt *w, struct source *src)
{
	memset(w, 0, sizeof *w);
	w->src = src;
	arena_init(&w->scratch, 64 * 1024);
	w->rec = xmalloc(sizeof *w->rec);
	w->max_depth = src && src->limits && src->limits->max_xml_depth ? src->limits->max_xml_depth : 64;
	w->text_max = src && src->limits && src->limits->max_line ? src->limits->max_line : 1u << 20;
}

void winevt_fini(struct winevt *w)
{
	arena_free(&w->scratch);
	free(w->text);
	w->text = NULL;
	free(w->rec);
	w->rec = NULL;
}

static void on_xml_error(void *arg, xmlErrorPtr e)
{
	struct winevt *w = arg;
	if (!e || w->xml_err_set)
		return;  /* the first error is the cause; the rest follow from it */
	char msg[200];
	snprintf(msg, sizeof msg, "%s", e->message ? e->message : "XML error");
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	snprintf(w->xml_err, sizeof w->xml_err, "XML error at line %d: %s", e->line, msg);
	w->xml_err_line = e->line;
	w->xml_err_set = true;
}

void winevt_attach(struct winevt *w, xmlTextReaderPtr r)
{
	w->xml_err_set = false;
	w->xml_err[0] = '\0';
	w->xml_err_line = 0;
	xmlTextReaderSetStructuredErrorHandler(r, on_xml_error, w);
}

static void text_add(struct winevt *w, const char *s, size_t n)
{
	if (w->text_len + n > w->text_max)
		n = w->text_max > w->text_len ? w->text_max - w->text_len : 0;
	if (w->text_len + n + 1 > w->text_cap) {
		size_t cap = w->text_cap ? w->text_cap : 256;
		while (cap < w->text_len + n + 1)
			cap *= 2;
		w->text = xrealloc(w->text, cap);
		w->text_cap = cap;
	}
	memcpy(w->text + w->text_len, s, n);
	w->text_len += n;
	w->text[w->text_len] = '\0';
}

static struct str keep(struct winevt *w, const char *s, size_t n)
{
	struct str r = { arena_strndup(&w->scratch, s, n), n };
	return r;
}

static struct str keep_text(struct winevt *w)
{
	return keep(w, w->text ? w->text : "", w->text_len);
}

/* Trim ASCII blanks (pretty-printed exports indent values). */
static struct str trim(struct str s)
{
	while (s.n && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\n' || s.p[0] == '\r')) {
		s.p++;
		s.n--;
	}
	while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\n' ||
		       s.p[s.n - 1] == '\r'))
		s.n--;
	return s;
}

static enum sect sect_of(enum winevt_name id)
{
	switch (id) {
	case WN_SYSTEM: return S_SYSTEM;
	case WN_EVENTDATA: return S_EVENTDATA;
	case WN_USERDATA: return S_USERDATA;
	case WN_RENDERINGINFO: return S_RENDER;
	default: return S_OTHER;
	}
}

/* Where the value of attribute an of System child el goes, or NULL. */
static struct str *sys_attr(struct rec *c, enum winevt_name el, enum winevt_name an)
{
	switch (el) {
	case WN_PROVIDER:
		return an == WN_NAME ? &c->provider : an == WN_EVENTSOURCENAME ? &c->source_name : NULL;
	case WN_TIMECREATED:
		return an == WN_SYSTEMTIME ? &c->time : NULL;
	case WN_CORRELATION:
		return an == WN_ACTIVITYID ? &c->activity : NULL;
	case WN_EXECUTION:
		return an == WN_PROCESSID ? &c->pid : an == WN_THREADID ? &c->tid : NULL;
	case WN_SECURITY:
		return an == WN_USERID ? &c->user : NULL;
	case WN_EVENTID:
		return an == WN_QUALIFIERS ? &c->qualifiers : NULL;
	default:
		return NULL;
	}
}

/* One attribute of the element at relative depth rd (System children and Data). */
static void elem_attr(struct winevt *w, struct rec *c, unsigned rd, enum winevt_name an,
		      const char *av, size_t n)
{
	if (rd >= WINEVT_STACK)
		return;
	enum winevt_name el = c->stack[rd].id;
	if (el == WN_OTHER)
		return;
	if (c->sect == S_EVENTDATA && rd == 2) {
		if (el == WN_DATA && an == WN_NAME && n)
			c->stack[rd].data_name = arena_strndup(&w->scratch, av,
							       n > WINEVT_NAME_MAX ? WINEVT_NAME_MAX : n);
		return;
	}
	if (c->sect != S_SYSTEM || rd != 2)
		return;
	struct str *dst = sys_attr(c, el, an);
	if (dst)
		*dst = keep(w, av, n);
}

static void add_data(struct winevt *w, struct rec *c, const char *name, struct str v)
{
	if (c->ndata >= WINEVT_MAX_DATA) {
		c->dropped++;
		return;
	}
	size_t n = strlen(name);
	char *full = arena_alloc(&w->scratch, n + 12);
	memcpy(full, "event.data.", 11);
	memcpy(full + 11, name, n + 1);
	c->data[c->ndata].name = full;
	c->data[c->ndata].v = v;
	c->ndata++;
}

/* Element start at relative depth rd (Event is 0). */
static void elem_start(struct winevt *w, struct rec *c, unsigned rd, const char *name,
		       enum winevt_name id)
{
	struct elem *e = &c->stack[rd];
	e->id = WN_OTHER;
	e->f = F_NONE;
	e->has_child = false;
	e->data_name = NULL;
	if (rd > 0)
		c->stack[rd - 1].has_child = true;
	w->text_len = 0;
	if (rd == 1) {
		c->sect = sect_of(id);
		return;
	}
	switch (c->sect) {
	case S_SYSTEM:
		if (rd != 2)
			return;
		e->f = sys_leaf(id);
		e->id = id;
		break;
	case S_EVENTDATA:
		if (rd != 2)
			return;
		if (id == WN_DATA) {
			e->f = F_DATA;
			e->id = WN_DATA;
		} else if (id == WN_BINARY) {
			e->f = F_BINARY;
		}
		break;
	case S_USERDATA:
		if (rd >= 3) {
			e->f = F_USERLEAF;
			size_t n = strlen(name);
			e->data_name = arena_strndup(&w->scratch, name,
						     n > WINEVT_NAME_MAX ? WINEVT_NAME_MAX : n);
		}
		break;
	case S_RENDER:
		if (rd == 2 && id == WN_MESSAGE)
			e->f = F_MESSAGE;
		break;
	default:
		break;
	}
}

/* Element end at relative depth rd: a leaf's text is complete. */
static void elem_end(struct winevt *w, struct rec *c, unsigned rd)
{
	struct elem *e = &c->stack[rd];
	switch (e->f) {
	case F_NONE:
		break;
	case F_DATA: {
		char num[16];
		const char *nm = e->data_name;
		if (!nm) {
			snprintf(num, sizeof num, "%u", ++c->nunnamed);
			nm = arena_strdup(&w->scratch, num);
		}
		add_data(w, c, nm, keep_text(w));
		break;
	}
	case F_BINARY:
		add_data(w, c, "Binary", trim(keep_text(w)));
		break;
	case F_USERLEAF:
		if (!e->has_child)
			add_data(w, c, e->data_name, keep_text(w));
		break;
	default:
		c->sys[e->f] = trim(keep_text(w));
		c->have[e->f] = true;
		break;
	}
	w->text_len = 0;
}

static bool to_u64(struct str s, uint64_t max, uint64_t *out)
{
	s = trim(s);
	return s.n && parse_u64(s.p, s.n, max, out);
}

bool winevt_parse_time(const char *s, size_t n, int64_t *ns)
{
	/* YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z|+00:00] */
	if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':')
		return false;
	uint64_t y, mo, d, h, mi, se;
	if (!parse_u64(s, 4, 9999, &y) || !parse_u64(s + 5, 2, 12, &mo) ||
	    !parse_u64(s + 8, 2, 31, &d) || !parse_u64(s + 11, 2, 23, &h) ||
	    !parse_u64(s + 14, 2, 59, &mi) || !parse_u64(s + 17, 2, 60, &se))
		return false;
	size_t i = 19;
	int64_t frac = 0;
	if (i < n && s[i] == '.') {
		i++;
		int digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (digits < 9) {
				frac = frac * 10 + (s[i] - '0');
				digits++;
			}
			i++;
		}
		if (digits == 0)
			return false;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (i < n) {
		if (s[i] == 'Z' && i + 1 == n)
			i++;
		else if (n - i == 6 && (s[i] == '+' || s[i] == '-') && !memcmp(s + i + 1, "00:00", 5))
			i = n;
		else
			return false;
	}
	int64_t secs;
	if (!utc_seconds((int)y, (int)mo, (int)d, (int)h, (int)mi, (int)se, &secs) ||
	    secs >= INT64_MAX / NS_PER_SEC - 1 || secs <= INT64_MIN / NS_PER_SEC + 1)
		return false;  /* outside what int64 nanoseconds hold (1678..2262) */
	*ns = secs * NS_PER_SEC + frac;
	return true;
}

/* A Data value as the most useful type: decimal integer, IP address, or text. */
static void put_data(struct event *ev, const char *name, struct str v)
{
	if (v.n && v.n <= 19 && (v.p[0] != '0' || v.n == 1)) {
		uint64_t u;
		if (parse_u64(v.p, v.n, INT64_MAX, &u)) {
			ev_int(ev, name, (int64_t)u);
			return;
		}
	}
	struct addr a;
	if (v.n >= 2 && v.n <= 45 && (memchr(v.p, '.', v.n) || memchr(v.p, ':', v.n)) &&
	    addr_parse(v.p, v.n, &a)) {
		ev_addr(ev, name, &a);
		return;
	}
	ev_str(ev, name, v.p, v.n);
}

static const struct dataf *find_data(const struct rec *c, const char *name)
{
	for (unsigned i = 0; i < c->ndata; i++)
		if (!strcmp(c->data[i].name + 11, name))
			return &c->data[i];
	return NULL;
}

static bool data_addr(const struct rec *c, const char *name, struct addr *a)
{
	const struct dataf *d = find_data(c, name);
	if (!d)
		return false;
	struct str v = trim(d->v);
	return addr_parse(v.p, v.n, a);
}

static bool data_port(const struct rec *c, const char *name, uint16_t *port)
{
	const struct dataf *d = find_data(c, name);
	uint64_t u;
	if (!d || !to_u64(d->v, 65535, &u))
		return false;
	*port = (uint16_t)u;
	return true;
}

static bool str_eq(struct str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && !memcmp(s.p, lit, n);
}

static bool str_eq_ci(struct str s, const char *lit)
{
	size_t n = strlen(lit);
	if (s.n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = s.p[i], b = lit[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a + 32);
		if (a != b)
			return false;
	}
	return true;
}

static void winevt_flow(const struct rec *c, uint64_t id, struct event *ev)
{
	struct flow f;
	memset(&f, 0, sizeof f);
	bool security = str_eq(c->provider, "Microsoft-Windows-Security-Auditing");
	bool sysmon = str_eq(c->provider, "Microsoft-Windows-Sysmon");
	if (security && id >= 5150 && id <= 5159) {
		uint64_t proto;
		const struct dataf *p = find_data(c, "Protocol");
		if (data_addr(c, "SourceAddress", &f.src) && data_addr(c, "DestAddress", &f.dst) &&
		    p && to_u64(p->v, 255, &proto)) {
			f.proto = (uint8_t)proto;
			data_port(c, "SourcePort", &f.sport);
			data_port(c, "DestPort", &f.dport);
			ev->flow = f;
			ev->flags |= EV_HAS_FLOW;
		}
		return;
	}
	if (sysmon && id == 3) {
		const struct dataf *p = find_data(c, "Protocol");
		if (!p)
			return;
		struct str ps = trim(p->v);
		if (str_eq_ci(ps, "tcp"))
			f.proto = 6;
		else if (str_eq_ci(ps, "udp"))
			f.proto = 17;
		else
			return;
		if (data_addr(c, "SourceIp", &f.src) && data_addr(c, "DestinationIp", &f.dst)) {
			data_port(c, "SourcePort", &f.sport);
			data_port(c, "DestinationPort", &f.dport);
			ev->flow = f;
			ev->flags |= EV_HAS_FLOW;
		}
		return;
	}
	if (security) {
		struct addr a;
		uint16_t port;
		if (data_addr(c, "IpAddress", &a)) {
			ev_addr(ev, "ip.src", &a);
			if (data_port(c, "IpPort", &port) && port)
				ev_int(ev, "tcp.srcport", port);
		}
	}
}

/* "Security 5156 Microsoft-Windows-Security-Auditing on EX01: 10.0.0.25:25 -> ... tcp"
 * or, with RenderingInfo, the first line of the rendered message. */
struct sbuf { char *p; size_t n, cap; };

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (n > b->cap - 1 - b->n)
		n = b->cap - 1 - b->n;
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void sb_str(struct sbuf *b, struct str s, size_t max)
{
	sb_put(b, s.p ? s.p : "", s.n > max ? max : s.n);
}

static void winevt_msg(struct winevt *w, const struct rec *c, uint64_t id, struct event *ev)
{
	char buf[512], num[FORMAT_U64_MAX];
	struct sbuf b = { buf, 0, sizeof buf };
	buf[0] = '\0';
	/* built by hand: this runs once per record on the reader's hot path */
	if (c->sys[F_CHANNEL].n) {
		sb_str(&b, c->sys[F_CHANNEL], 60);
		sb_put(&b, " ", 1);
	}
	sb_put(&b, num, format_u64(id, num));
	sb_put(&b, " ", 1);
	sb_str(&b, c->provider, 80);
	if (c->sys[F_COMPUTER].n) {
		sb_put(&b, " on ", 4);
		sb_str(&b, c->sys[F_COMPUTER], 80);
	}
	struct str m = trim(c->sys[F_MESSAGE]);
	if (m.n) {
		const char *nl = memchr(m.p, '\n', m.n);
		size_t len = nl ? (size_t)(nl - m.p) : m.n;
		while (len && m.p[len - 1] == '\r')
			len--;
		sb_put(&b, ": ", 2);
		sb_put(&b, m.p, len > 300 ? 300 : len);
	} else if (ev->flags & EV_HAS_FLOW) {
		sb_put(&b, ": ", 2);
		b.n += flow_format(&ev->flow, buf + b.n, sizeof buf - b.n);
		if (b.n >= sizeof buf)
			b.n = sizeof buf - 1;
	} else {
		const struct value *a = event_get(ev, "ip.src");
		int64_t port = 0;
		if (a && a->type == V_ADDR) {
			char ab[64];
			addr_format(&a->u.a, ab, sizeof ab);
			if (event_get_int(ev, "tcp.srcport", &port))
				snprintf(buf + b.n, sizeof buf - b.n, ": from %s%s%s:%lld",
					 a->u.a.family == 6 ? "[" : "", ab, a->u.a.family == 6 ? "]" : "",
					 (long long)port);
			else
				snprintf(buf + b.n, sizeof buf - b.n, ": from %s", ab);
		}
	}
	ev->msg = arena_strdup(&w->scratch, buf);
}

/* Fill ev from a complete record. Returns false (w->xml_err set) if unusable. */
static bool winevt_emit(struct winevt *w, struct rec *c, struct event *ev)
{
	uint64_t id, u;
	if (!c->have[F_ID] || !to_u64(c->sys[F_ID], 65535, &id)) {
		snprintf(w->xml_err, sizeof w->xml_err, "event without a valid <EventID> ('%.*s')",
			 (int)(c->sys[F_ID].n > 40 ? 40 : c->sys[F_ID].n),
			 c->sys[F_ID].p ? c->sys[F_ID].p : "");
		return false;
	}
	struct str t = trim(c->time);
	if (!t.n || !winevt_parse_time(t.p, t.n, &ev->ts_raw)) {
		snprintf(w->xml_err, sizeof w->xml_err,
			 "event %llu without a valid TimeCreated/@SystemTime ('%.*s')",
			 (unsigned long long)id, (int)(t.n > 40 ? 40 : t.n), t.p ? t.p : "");
		return false;
	}
	ev->type = "win.event";
	ev_int(ev, "event.id", (int64_t)id);
	if (c->qualifiers.n && to_u64(c->qualifiers, 65535, &u))
		ev_int(ev, "event.qualifiers", (int64_t)u);
	if (c->provider.n)
		ev_str(ev, "event.provider", c->provider.p, c->provider.n);
	if (c->source_name.n)
		ev_str(ev, "event.source_name", c->source_name.p, c->source_name.n);
	static const struct { enum sysf f; const char *name; } ints[] = {
		{ F_VERSION, "event.version" }, { F_LEVEL, "event.level" },
		{ F_TASK, "event.task" }, { F_OPCODE, "event.opcode" },
	};
	for (size_t i = 0; i < ARRAY_LEN(ints); i++)
		if (c->have[ints[i].f] && to_u64(c->sys[ints[i].f], 65535, &u))
			ev_int(ev, ints[i].name, (int64_t)u);
	if (c->have[F_KEYWORDS] && c->sys[F_KEYWORDS].n)
		ev_str(ev, "event.keywords", c->sys[F_KEYWORDS].p, c->sys[F_KEYWORDS].n);
	ev_str(ev, "event.time_created", t.p, t.n);
	if (c->have[F_RECORD_ID] && to_u64(c->sys[F_RECORD_ID], INT64_MAX, &u))
		ev_int(ev, "event.record_id", (int64_t)u);
	if (c->activity.n)
		ev_str(ev, "event.activity_id", c->activity.p, c->activity.n);
	if (to_u64(c->pid, UINT32_MAX, &u))
		ev_int(ev, "event.process_id", (int64_t)u);
	if (to_u64(c->tid, UINT32_MAX, &u))
		ev_int(ev, "event.thread_id", (int64_t)u);
	if (c->have[F_CHANNEL] && c->sys[F_CHANNEL].n)
		ev_str(ev, "event.channel", c->sys[F_CHANNEL].p, c->sys[F_CHANNEL].n);
	if (c->have[F_COMPUTER] && c->sys[F_COMPUTER].n)
		ev_str(ev, "event.computer", c->sys[F_COMPUTER].p, c->sys[F_COMPUTER].n);
	if (c->user.n)
		ev_str(ev, "event.user_id", c->user.p, c->user.n);
	if (c->have[F_MESSAGE] && c->sys[F_MESSAGE].n)
		ev_str(ev, "event.message", c->sys[F_MESSAGE].p, c->sys[F_MESSAGE].n);
	for (unsigned i = 0; i < c->ndata; i++)
		put_data(ev, c->data[i].name, c->data[i].v);
	if (c->dropped)
		ev->flags |= EV_TRUNC_FIELDS;
	winevt_flow(c, id, ev);
	winevt_msg(w, c, id, ev);
	return true;
}

void winevt_begin(struct winevt *w)
{
	arena_reset(&w->scratch);
	w->text_len = 0;
	w->xml_err[0] = '\0';
	/* cleared up to the data list: the rest is set as it is filled (data
	 * below ndata, each stack entry by elem_start), so the 10 KiB record
	 * is not zeroed for every event */
	struct rec *c = w->rec;
	memset(c, 0, offsetof(struct rec, data));
	c->ndata = c->nunnamed = c->dropped = 0;
	memset(&c->stack[0], 0, sizeof c->stack[0]);
	c->sect = S_NONE;
}

bool winevt_elem(struct winevt *w, unsigned rd, const char *name, enum winevt_name id)
{
	if (rd == 0 || rd >= WINEVT_STACK)
		return rd == 0;
	elem_start(w, w->rec, rd, name, id);
	return true;
}

void winevt_attr(struct winevt *w, unsigned rd, enum winevt_name id, const char *val, size_t n)
{
	elem_attr(w, w->rec, rd, id, val, n);
}

void winevt_text(struct winevt *w, const char *s, size_t n)
{
	text_add(w, s, n);
}

void winevt_end(struct winevt *w, unsigned rd)
{
	struct rec *c = w->rec;
	if (rd == 0 || rd >= WINEVT_STACK)
		return;
	elem_end(w, c, rd);
	if (rd == 1)
		c->sect = S_NONE;
}

enum winevt_status winevt_finish(struct winevt *w, struct event *ev)
{
	return winevt_emit(w, w->rec, ev) ? WINEVT_OK : WINEVT_BAD;
}

/* The xmlTextReader adapter: reader events -> winevt_elem/attr/text/end. */
enum winevt_status winevt_read(struct winevt *w, xmlTextReaderPtr r, struct event *ev)
{
	winevt_begin(w);
	int base = xmlTextReaderDepth(r);
	if (base < 0)
		return WINEVT_XML_ERROR;
	if (xmlTextReaderIsEmptyElement(r) == 1)
		goto done;
	for (;;) {
		int rc = xmlTextReaderRead(r);
		if (rc != 1) {
			if (!w->xml_err_set)
				snprintf(w->xml_err, sizeof w->xml_err, "%s",
					 rc == 0 ? "input ends inside <Event>" : "XML error");
			return WINEVT_XML_ERROR;
		}
		int type = xmlTextReaderNodeType(r);
		int depth = xmlTextReaderDepth(r);
		if (depth < base)
			return WINEVT_XML_ERROR;
		unsigned rd = (unsigned)(depth - base);
		switch (type) {
		case XML_READER_TYPE_ELEMENT: {
			if ((unsigned)depth >= w->max_depth || rd >= WINEVT_STACK) {
				snprintf(w->xml_err, sizeof w->xml_err,
					 "XML nested deeper than %u levels at line %d; refused",
					 w->max_depth, xmlTextReaderGetParserLineNumber(r));
				return WINEVT_REFUSED;
			}
			const char *name = (const char *)xmlTextReaderConstLocalName(r);
			bool empty = xmlTextReaderIsEmptyElement(r) == 1;
			winevt_elem(w, rd, name ? name : "", name ? winevt_name_id(name) : WN_OTHER);
			if (xmlTextReaderMoveToFirstAttribute(r) == 1) {
				do {
					const char *an = (const char *)xmlTextReaderConstLocalName(r);
					const char *av = (const char *)xmlTextReaderConstValue(r);
					if (an && av)
						winevt_attr(w, rd, winevt_name_id(an), av, strlen(av));
				} while (xmlTextReaderMoveToNextAttribute(r) == 1);
				xmlTextReaderMoveToElement(r);
			}
			if (empty)
				winevt_end(w, rd);
			break;
		}
		case XML_READER_TYPE_END_ELEMENT:
			if (rd == 0)
				goto done;
			winevt_end(w, rd);
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_WHITESPACE:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE: {
			const char *v = (const char *)xmlTextReaderConstValue(r);
			if (v)
				winevt_text(w, v, strlen(v));
			break;
		}
		case XML_READER_TYPE_ENTITY_REFERENCE:
			/* only with a DTD, which the readers refuse; never expanded */
			snprintf(w->xml_err, sizeof w->xml_err,
				 "entity reference at line %d; entities are not expanded, refused",
				 xmlTextReaderGetParserLineNumber(r));
			return WINEVT_REFUSED;
		default:
			break;
		}
	}
done:
	return winevt_finish(w, ev);
}
