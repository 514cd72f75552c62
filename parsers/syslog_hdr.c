/*
 * parsers/syslog_hdr.c - syslog headers, years, zones and the line stream
 * shared by the syslog-carried parsers (see syslog_hdr.h).
 *
 * Header grammar accepted (one line):
 *   line    = [ "<" PRI ">" ] ( rfc5424 / stamped )
 *   rfc5424 = "1" SP (ISO / "-") SP HOST SP APP SP PROCID SP MSGID SP SD [SP MSG]
 *   stamped = STAMP [":"] SP [ HOST SP ] [ TAG ] MSG
 *   STAMP   = ISO8601 ("T" or SP between date and time, optional fraction and zone)
 *           / "Mmm" SP ("dd" / SP "d") SP [ yyyy SP ] hh ":" mm ":" ss [ "." frac ]
 *   TAG     = name [ "[" pid "]" ] ":"     (name without "=", e.g. "kernel:")
 * A stamp closed by ":" (Cisco "Mar 21 2019 09:14:02: %ASA-...") has no host.
 * A token starting with "%" (Cisco mnemonic) always starts the message.
 */
#include "syslog_hdr.h"
#include "../correlator/core/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define PRESCAN_LINES 20000

int syslog_month(const char *p)
{
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	char a = (char)(p[0] | 0x20), b = (char)(p[1] | 0x20), c = (char)(p[2] | 0x20);
	for (int i = 0; i < 12; i++)
		if (names[3 * i] == a && names[3 * i + 1] == b && names[3 * i + 2] == c)
			return i + 1;
	return 0;
}

static bool dig(char c)
{
	return c >= '0' && c <= '9';
}

/* k decimal digits at p (caller checked the length). */
static int num(const char *p, size_t k)
{
	int v = 0;
	for (size_t i = 0; i < k; i++) {
		if (!dig(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* "hh:mm:ss[.frac]" at p; returns bytes used or 0. */
static size_t clock_part(const char *p, size_t n, struct syslog_hdr *h)
{
	if (n < 8 || p[2] != ':' || p[5] != ':')
		return 0;
	h->hour = num(p, 2);
	h->min = num(p + 3, 2);
	h->sec = num(p + 6, 2);
	if (h->hour < 0 || h->min < 0 || h->sec < 0)
		return 0;
	size_t i = 8;
	h->nsec = 0;
	if (i < n && (p[i] == '.' || p[i] == ',') && i + 1 < n && dig(p[i + 1])) {
		i++;
		uint32_t scale = 100000000;
		while (i < n && dig(p[i])) {
			h->nsec += (uint32_t)(p[i] - '0') * scale;
			scale /= 10;
			i++;
		}
	}
	return i;
}

size_t syslog_hdr_time(const char *p, size_t n, struct syslog_hdr *h)
{
	h->has_year = h->has_zone = false;
	h->zone_off = 0;
	if (n >= 19 && dig(p[0]) && p[4] == '-' && p[7] == '-' && (p[10] == 'T' || p[10] == ' ')) {
		h->year = num(p, 4);
		h->mon = num(p + 5, 2);
		h->day = num(p + 8, 2);
		if (h->year < 0 || h->mon < 0 || h->day < 0)
			return 0;
		size_t k = clock_part(p + 11, n - 11, h);
		if (!k)
			return 0;
		size_t i = 11 + k;
		h->has_year = true;
		if (i < n && p[i] == 'Z') {
			h->has_zone = true;
			i++;
		} else if (i + 5 <= n && (p[i] == '+' || p[i] == '-') && dig(p[i + 1]) && dig(p[i + 2])) {
			int hh = num(p + i + 1, 2), mm;
			size_t j = i + 3;
			if (j < n && p[j] == ':')
				j++;
			if (j + 2 > n || (mm = num(p + j, 2)) < 0)
				return 0;
			h->has_zone = true;
			h->zone_off = (p[i] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
			i = j + 2;
		}
		return i;
	}
	if (n < 15 || p[3] != ' ')
		return 0;
	h->mon = syslog_month(p);
	if (!h->mon)
		return 0;
	size_t i = 4;
	if (p[i] == ' ' && dig(p[i + 1]))
		h->day = p[i + 1] - '0';
	else if (dig(p[i]) && dig(p[i + 1]))
		h->day = num(p + i, 2);
	else
		return 0;
	i += 2;
	if (p[i] != ' ')
		return 0;
	i++;
	if (i + 5 <= n && dig(p[i]) && dig(p[i + 1]) && dig(p[i + 2]) && dig(p[i + 3]) && p[i + 4] == ' ') {
		h->year = num(p + i, 4);
		h->has_year = true;
		i += 5;
	}
	size_t k = clock_part(p + i, n - i, h);
	if (!k)
		return 0;
	return i + k;
}

static size_t skip_sp(const char *p, size_t n, size_t i)
{
	while (i < n && p[i] == ' ')
		i++;
	return i;
}

static size_t tok_end(const char *p, size_t n, size_t i)
{
	while (i < n && p[i] != ' ')
		i++;
	return i;
}

/* TAG = name [ "[" pid "]" ] ":" over p[a..b). */
static bool take_tag(const char *p, size_t a, size_t b, struct syslog_hdr *h)
{
	if (b - a < 2 || p[b - 1] != ':')
		return false;
	size_t e = b - 1, name_end = e;
	int64_t pid = -1;
	if (p[e - 1] == ']') {
		const char *lb = memchr(p + a, '[', e - a);
		if (!lb)
			return false;
		name_end = (size_t)(lb - p);
		uint64_t v;
		if (!parse_u64(lb + 1, e - 1 - name_end - 1, 0xffffffffu, &v))
			return false;
		pid = (int64_t)v;
	}
	if (name_end == a || memchr(p + a, '=', name_end - a) || memchr(p + a, '[', name_end - a))
		return false;
	h->prog = p + a;
	h->prog_len = name_end - a;
	h->pid = pid;
	return true;
}

static bool parse_5424(const char *p, size_t n, size_t i, struct syslog_hdr *h)
{
	h->rfc5424 = true;
	size_t e = tok_end(p, n, i);
	if (e - i == 1 && p[i] == '-')
		return false; /* NILVALUE time: nothing to place on a timeline */
	if (syslog_hdr_time(p + i, e - i, h) != e - i)
		return false;
	const char *part[4];
	size_t plen[4];
	i = e;
	for (int k = 0; k < 4; k++) {
		if (i >= n || p[i] != ' ')
			return false;
		i++;
		e = tok_end(p, n, i);
		part[k] = p + i;
		plen[k] = (e - i == 1 && p[i] == '-') ? 0 : e - i;
		i = e;
	}
	h->host = part[0];
	h->host_len = plen[0];
	h->prog = part[1];
	h->prog_len = plen[1];
	uint64_t v;
	if (plen[2] && parse_u64(part[2], plen[2], 0xffffffffu, &v))
		h->pid = (int64_t)v;
	if (i < n && p[i] == ' ')
		i++;
	if (i < n && p[i] == '-') {
		i++;
	} else {
		while (i < n && p[i] == '[') { /* SD-ELEMENTs; "\]" escapes inside values */
			i++;
			while (i < n && p[i] != ']') {
				if (p[i] == '\\' && i + 1 < n)
					i++;
				else if (p[i] == '"') {
					i++;
					while (i < n && p[i] != '"') {
						if (p[i] == '\\' && i + 1 < n)
							i++;
						i++;
					}
				}
				i++;
			}
			if (i >= n)
				return false;
			i++;
		}
	}
	if (i < n && p[i] == ' ')
		i++;
	if (n - i >= 3 && (unsigned char)p[i] == 0xef && (unsigned char)p[i + 1] == 0xbb &&
	    (unsigned char)p[i + 2] == 0xbf)
		i += 3;
	h->msg = p + i;
	h->msg_len = n - i;
	return true;
}

bool syslog_hdr_parse(const char *p, size_t n, struct syslog_hdr *h)
{
	h->pri = -1;
	h->rfc5424 = false;
	h->host_len = h->prog_len = 0;
	h->host = h->prog = p;
	h->pid = -1;
	size_t i = 0;
	if (n > 2 && p[0] == '<') {
		size_t j = 1;
		int v = 0;
		while (j < n && j < 5 && dig(p[j]))
			v = v * 10 + (p[j++] - '0');
		if (j == 1 || j >= n || p[j] != '>' || v > 191)
			return false;
		h->pri = v;
		i = j + 1;
	}
	if (n - i > 2 && p[i] == '1' && p[i + 1] == ' ' && (dig(p[i + 2]) || p[i + 2] == '-'))
		return parse_5424(p, n, i + 2, h);
	size_t k = syslog_hdr_time(p + i, n - i, h);
	if (!k)
		return false;
	i += k;
	bool cisco_colon = false;
	if (i < n && p[i] == ':') {
		cisco_colon = true;
		i++;
	}
	if (i < n && p[i] != ' ')
		return false;
	i = skip_sp(p, n, i);
	if (!cisco_colon && i < n && p[i] != '%') {
		size_t e = tok_end(p, n, i);
		if (!take_tag(p, i, e, h)) {
			if (!(e - i == 1 && p[i] == ':')) {
				h->host = p + i;
				h->host_len = e - i;
			}
			i = skip_sp(p, n, e);
			e = tok_end(p, n, i);
			if (e - i == 1 && p[i] == ':')
				i = skip_sp(p, n, e);
			else if (i < n && p[i] != '%' && take_tag(p, i, e, h))
				i = skip_sp(p, n, e);
		} else {
			i = skip_sp(p, n, e);
		}
	}
	h->msg = p + i;
	h->msg_len = n - i;
	return true;
}

static bool valid_date(int y, int m, int d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

int64_t syslog_local_to_utc(const struct source *src, int64_t local)
{
	return src->tz_given ? tz_local_to_utc(&src->tz, local) : local;
}

/* A month going back by half a year or more is taken as the next year. */
static bool wraps(int prev, int cur)
{
	return prev && cur && prev - cur >= 6;
}

static void year_prescan(struct syslog_stream *s, const char *path)
{
	struct lines l;
	s->yr.from_file = false;
	s->yr.last_mon = 0;
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	s->yr.year = tm.tm_year + 1900;
	if (lines_open(&l, path, s->src->limits ? s->src->limits->max_line : 0) != 0)
		return;
	int prev = 0, nwrap = 0, first = 0;
	const char *p;
	size_t n;
	struct syslog_hdr h;
	enum lines_status st;
	while (l.lineno < PRESCAN_LINES && (st = lines_next(&l, &p, &n)) != LINES_EOF &&
	       st != LINES_ERROR) {
		if (st != LINES_OK || !syslog_hdr_parse(p, n, &h))
			continue;
		if (!first)
			first = h.mon;
		if (wraps(prev, h.mon))
			nwrap++;
		prev = h.mon;
		if (h.has_year) {
			s->yr.year = h.year - nwrap;
			s->yr.from_file = true;
			break;
		}
	}
	lines_close(&l);
	if (s->yr.from_file || !prev)
		return;
	if (s->src->time_hint > 0) {
		/* the captures' first packet: line 1 is the date nearest to it */
		time_t t = (time_t)(s->src->time_hint / NS_PER_SEC);
		struct tm ht;
		gmtime_r(&t, &ht);
		int y = ht.tm_year + 1900, m = ht.tm_mon + 1;
		s->yr.year = first - m > 6 ? y - 1 : m - first > 6 ? y + 1 : y;
		source_note(s->src, "%s: time stamps carry no year: line 1 placed in %d, near the "
			    "captures' first packet", s->fmt, s->yr.year);
		return;
	}
	/* no year anywhere: the last line read is taken as the latest date not
	 * after today, and the wraps before it counted back */
	s->yr.year -= nwrap;
	if (prev > tm.tm_mon + 1)
		s->yr.year--;
	source_note(s->src, "%s: time stamps carry no year and no other source gives one: "
		    "line 1 assumed in %d (the file's dates end no later than today)",
		    s->fmt, s->yr.year);
}

int syslog_stream_open(struct syslog_stream *s, struct source *src, const char *path,
		       const char *fmt)
{
	memset(s, 0, sizeof *s);
	s->src = src;
	s->fmt = fmt;
	if (lines_open(&s->lines, path, src->limits ? src->limits->max_line : 0) != 0) {
		source_error(src, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	year_prescan(s, path);
	return 0;
}

static bool stamp_utc(struct syslog_stream *s, struct syslog_hdr *h, int64_t *ns)
{
	int year = h->year;
	if (!h->has_year) {
		if (wraps(s->yr.last_mon, h->mon))
			s->yr.year++;
		year = s->yr.year;
	} else {
		s->yr.year = h->year;
	}
	s->yr.last_mon = h->mon;
	if (!valid_date(year, h->mon, h->day))
		return false;
	int64_t sec;
	if (!utc_seconds(year, h->mon, h->day, h->hour, h->min, h->sec, &sec))
		return false;
	if (h->has_zone) {
		sec -= h->zone_off;
	} else {
		sec = syslog_local_to_utc(s->src, sec);
		if (!s->noted_local) {
			s->noted_local = true;
			if (s->src->tz_given)
				source_note(s->src, "%s: local times read in zone %s", s->fmt, s->src->tz.name);
			else
				source_note(s->src, "%s: time stamps have no zone: read as UTC (give --tz %s=ZONE)",
					    s->fmt, s->src->label);
		}
	}
	*ns = sec * NS_PER_SEC + (int64_t)h->nsec;
	h->year = year;
	return true;
}

pr_status syslog_stream_next(struct syslog_stream *s, struct event *ev)
{
	const char *p;
	size_t n;
	enum lines_status st = lines_next(&s->lines, &p, &n);
	s->src->bytes_cur = s->lines.offset;
	uint64_t ref = s->lines.lineno;
	ev->ref = ref;
	s->cont = false;
	switch (st) {
	case LINES_EOF:
		return PR_EOF;
	case LINES_ERROR:
		source_error(s->src, "%s: read error: %s", source_cur_path(s->src), strerror(errno));
		return PR_FATAL;
	case LINES_TOO_LONG:
		source_skip(s->src, ref, "line longer than %zu bytes (--max-line)", s->lines.max_line);
		return PR_SKIP;
	case LINES_NUL:
		source_skip(s->src, ref, "line holds NUL bytes");
		return PR_SKIP;
	case LINES_OK:
		break;
	}
	s->line = p;
	s->len = n;
	if (n == 0) {
		source_skip(s->src, ref, "empty line");
		return PR_SKIP;
	}
	if ((p[0] == ' ' || p[0] == '\t') && s->have_ts) {
		size_t i = 0;
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		s->cont = true;
		s->hdr.msg = p + i;
		s->hdr.msg_len = n - i;
		ev->ts_raw = s->ts;
		return PR_EVENT;
	}
	struct syslog_hdr h;
	if (!syslog_hdr_parse(p, n, &h)) {
		source_skip(s->src, ref, "no syslog time stamp at the start of the line");
		return PR_SKIP;
	}
	int64_t ts;
	if (!stamp_utc(s, &h, &ts)) {
		source_skip(s->src, ref, "invalid date %04d-%02d-%02d %02d:%02d:%02d", h.has_year ? h.year : s->yr.year,
			    h.mon, h.day, h.hour, h.min, h.sec);
		return PR_SKIP;
	}
	s->hdr = h;
	s->ts = ts;
	s->have_ts = true;
	ev->ts_raw = ts;
	return PR_EVENT;
}

void syslog_stream_close(struct syslog_stream *s)
{
	if (s)
		lines_close(&s->lines);
}

void syslog_stream_generic(struct syslog_stream *s, struct event *ev)
{
	const struct syslog_hdr *h = &s->hdr;
	ev->type = "syslog.message";
	if (s->cont) {
		ev_bool(ev, "syslog.continuation", true);
	} else {
		if (h->pri >= 0) {
			ev_int(ev, "syslog.facility", h->pri >> 3);
			ev_int(ev, "syslog.severity", h->pri & 7);
		}
		if (h->host_len)
			ev_str(ev, "syslog.host", h->host, h->host_len);
		if (h->prog_len)
			ev_str(ev, "syslog.program", h->prog, h->prog_len);
		if (h->pid >= 0)
			ev_int(ev, "syslog.pid", h->pid);
	}
	ev_str(ev, "syslog.message", h->msg, h->msg_len);
	if (s->cont)
		snprintf(s->msgbuf, sizeof s->msgbuf, "(continued) %.*s", (int)h->msg_len, h->msg);
	else if (h->pid >= 0)
		snprintf(s->msgbuf, sizeof s->msgbuf, "%.*s%s%.*s[%lld]: %.*s", (int)h->host_len, h->host,
			 h->host_len ? " " : "", (int)h->prog_len, h->prog, (long long)h->pid,
			 (int)h->msg_len, h->msg);
	else
		snprintf(s->msgbuf, sizeof s->msgbuf, "%.*s%s%.*s%s%.*s", (int)h->host_len, h->host,
			 h->host_len ? " " : "", (int)h->prog_len, h->prog, h->prog_len ? ": " : "",
			 (int)h->msg_len, h->msg);
	ev->msg = s->msgbuf;
}

unsigned syslog_sniff(const uint8_t *head, size_t len,
		      bool (*match)(const char *msg, size_t n), unsigned *nlines, unsigned *nmatch)
{
	const char *p = (const char *)head;
	size_t i = 0;
	unsigned good = 0;
	*nlines = *nmatch = 0;
	while (i < len) {
		const char *nl = memchr(p + i, '\n', len - i);
		if (!nl)
			break; /* the last line may be cut by the sniff window */
		size_t n = (size_t)(nl - (p + i));
		const char *l = p + i;
		i += n + 1;
		if (n && l[n - 1] == '\r')
			n--;
		if (!n)
			continue;
		(*nlines)++;
		struct syslog_hdr h;
		if (!syslog_hdr_parse(l, n, &h))
			continue;
		good++;
		if (match && match(h.msg, h.msg_len))
			(*nmatch)++;
	}
	return good;
}

unsigned syslog_tcp_flag(const char *w, size_t n)
{
	if (n < 3 || n > 5)
		return 0;
	char u[5];
	for (size_t i = 0; i < n; i++)
		u[i] = (char)(w[i] >= 'a' && w[i] <= 'z' ? w[i] - 32 : w[i]);
	if (n == 3) {
		static const struct { char s[4]; unsigned bit; } t3[] = {
			{ "SYN", SYSLOG_TCP_SYN }, { "ACK", SYSLOG_TCP_ACK }, { "PSH", SYSLOG_TCP_PSH },
			{ "RST", SYSLOG_TCP_RST }, { "FIN", SYSLOG_TCP_FIN }, { "URG", SYSLOG_TCP_URG },
			{ "ECE", SYSLOG_TCP_ECE }, { "CWR", SYSLOG_TCP_CWR },
		};
		for (size_t i = 0; i < sizeof t3 / sizeof *t3; i++)
			if (!memcmp(u, t3[i].s, 3))
				return t3[i].bit;
		return 0;
	}
	if (n == 4 && !memcmp(u, "PUSH", 4))
		return SYSLOG_TCP_PSH;
	if (n == 5 && !memcmp(u, "RESET", 5))
		return SYSLOG_TCP_RST;
	return 0;
}

void syslog_ev_tcp_flags(struct event *ev, unsigned bits)
{
	ev_int(ev, "tcp.flags", bits);
	ev_bool(ev, "tcp.flags.syn", bits & SYSLOG_TCP_SYN);
	ev_bool(ev, "tcp.flags.ack", bits & SYSLOG_TCP_ACK);
	ev_bool(ev, "tcp.flags.push", bits & SYSLOG_TCP_PSH);
	ev_bool(ev, "tcp.flags.reset", bits & SYSLOG_TCP_RST);
	ev_bool(ev, "tcp.flags.fin", bits & SYSLOG_TCP_FIN);
	if (bits & SYSLOG_TCP_URG)
		ev_bool(ev, "tcp.flags.urg", true);
	if (bits & SYSLOG_TCP_ECE)
		ev_bool(ev, "tcp.flags.ecn", true);
	if (bits & SYSLOG_TCP_CWR)
		ev_bool(ev, "tcp.flags.cwr", true);
}

void syslog_ev_flow(struct event *ev, const struct addr *src, uint16_t sport,
		    const struct addr *dst, uint16_t dport, uint8_t proto)
{
	ev->flags |= EV_HAS_FLOW;
	ev->flow.src = *src;
	ev->flow.dst = *dst;
	ev->flow.sport = sport;
	ev->flow.dport = dport;
	ev->flow.proto = proto;
	ev_addr(ev, "ip.src", src);
	ev_addr(ev, "ip.dst", dst);
	ev_int(ev, "ip.proto", proto);
	if (proto == 6) {
		ev_int(ev, "tcp.srcport", sport);
		ev_int(ev, "tcp.dstport", dport);
	} else if (proto == 17) {
		ev_int(ev, "udp.srcport", sport);
		ev_int(ev, "udp.dstport", dport);
	}
}

int syslog_ip_proto(const char *p, size_t n)
{
	static const struct { const char *name; int num; } tab[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 }, { "ipv6-icmp", 58 },
		{ "esp", 50 }, { "ah", 51 }, { "gre", 47 }, { "sctp", 132 }, { "udplite", 136 },
		{ "igmp", 2 }, { "ipv6", 41 }, { "ospf", 89 }, { "pim", 103 }, { NULL, 0 },
	};
	for (size_t i = 0; tab[i].name; i++)
		if (strlen(tab[i].name) == n && !strncasecmp(tab[i].name, p, n))
			return tab[i].num;
	uint64_t v;
	if (parse_u64(p, n, 255, &v))
		return (int)v;
	return -1;
}

bool syslog_snapshot_stamp(struct source *src, const char *p, size_t n, int64_t *ns)
{
	struct syslog_hdr h;
	while (n && (*p == ' ' || *p == '*' || *p == '.' || *p == '#'))
		p++, n--;
	size_t k = syslog_hdr_time(p, n, &h);
	bool ok = k && h.has_year;
	if (!k) { /* show clock: hh:mm:ss[.fff] ZONE Dow Mon dd yyyy */
		size_t c = clock_part(p, n, &h);
		if (!c)
			return false;
		size_t i = skip_sp(p, n, c), ze = tok_end(p, n, i);
		const char *zone = p + i;
		size_t zn = ze - i;
		i = skip_sp(p, n, tok_end(p, n, skip_sp(p, n, ze))); /* past the weekday */
		if (n - i < 11 || !(h.mon = syslog_month(p + i)))
			return false;
		i = skip_sp(p, n, i + 3);
		size_t de = tok_end(p, n, i);
		uint64_t d, y;
		if (!parse_u64(p + i, de - i, 31, &d))
			return false;
		i = skip_sp(p, n, de);
		if (!parse_u64(p + i, tok_end(p, n, i) - i, 9999, &y))
			return false;
		h.day = (int)d;
		h.year = (int)y;
		h.has_zone = (zn == 3 && (!memcmp(zone, "UTC", 3) || !memcmp(zone, "GMT", 3)));
		h.zone_off = 0;
		ok = true;
	}
	int64_t sec;
	if (!ok || !valid_date(h.year, h.mon, h.day) ||
	    !utc_seconds(h.year, h.mon, h.day, h.hour, h.min, h.sec, &sec))
		return false;
	if (h.has_zone)
		sec -= h.zone_off;
	else
		sec = syslog_local_to_utc(src, sec);
	*ns = sec * NS_PER_SEC + (int64_t)h.nsec;
	return true;
}

int64_t syslog_file_mtime(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	return (int64_t)st.st_mtim.tv_sec * NS_PER_SEC + st.st_mtim.tv_nsec;
}

void syslog_fmt_endpoint(char *buf, size_t len, const struct addr *a)
{
	if (len < 4)
		return;
	if (a->family != 6) {
		addr_format(a, buf, len);
		return;
	}
	buf[0] = '[';
	size_t n = addr_format(a, buf + 1, len - 2);
	if (n > len - 3)
		n = len - 3;
	buf[1 + n] = ']';
	buf[2 + n] = '\0';
}

size_t syslog_msg_str(char *buf, size_t cap, size_t o, const char *s, size_t n)
{
	if (o >= cap)
		return o;
	if (n > cap - 1 - o)
		n = cap - 1 - o;
	memcpy(buf + o, s, n);
	o += n;
	buf[o] = '\0';
	return o;
}

size_t syslog_msg_cstr(char *buf, size_t cap, size_t o, const char *s)
{
	return syslog_msg_str(buf, cap, o, s, strlen(s));
}

size_t syslog_msg_u(char *buf, size_t cap, size_t o, uint64_t v)
{
	char t[FORMAT_U64_MAX];
	return syslog_msg_str(buf, cap, o, t, format_u64(v, t));
}

size_t syslog_msg_ep(char *buf, size_t cap, size_t o, const struct addr *a, uint16_t port,
		     bool with_port)
{
	if (a->family == 4) {
		for (int k = 0; k < 4; k++) {
			if (k)
				o = syslog_msg_str(buf, cap, o, ".", 1);
			o = syslog_msg_u(buf, cap, o, a->b[k]);
		}
	} else {
		char t[64];
		size_t n = addr_format(a, t, sizeof t);
		if (n >= sizeof t)
			n = sizeof t - 1;
		if (with_port)
			o = syslog_msg_str(buf, cap, o, "[", 1);
		o = syslog_msg_str(buf, cap, o, t, n);
		if (with_port)
			o = syslog_msg_str(buf, cap, o, "]", 1);
	}
	if (with_port) {
		o = syslog_msg_str(buf, cap, o, ":", 1);
		o = syslog_msg_u(buf, cap, o, port);
	}
	return o;
}

pr_status syslog_stream_map(struct syslog_stream *s, struct event *ev,
			    bool (*own)(struct syslog_stream *, struct event *, pr_status *))
{
	static bool (*const bodies[])(struct syslog_stream *, struct event *, pr_status *) = {
		iptables_body, asa_body,
	};
	pr_status rc = PR_EVENT;
	if (!s->cont) {
		if (own && own(s, ev, &rc))
			return rc;
		for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++)
			if (bodies[i] != own && bodies[i](s, ev, &rc))
				return rc;
	}
	syslog_stream_generic(s, ev);
	return PR_EVENT;
}

const char *syslog_proto_name(uint8_t proto, char *buf)
{
	const char *n = ip_proto_name(proto);
	if (n)
		return n;
	syslog_msg_u(buf, 4, 0, proto);
	return buf;
}
