/*
 * parsers/syslog_hdr.h - what every syslog-carried log shares: the header
 * (RFC 3164 with and without <PRI>, RFC 5424, ISO 8601 / journalctl
 * short-iso stamps, Cisco "Mmm dd yyyy hh:mm:ss:" stamps), the year of
 * yearless stamps, local time to UTC, and a line stream that ties these to
 * lines.c and to the source's diagnostics. Also the generic `syslog.message`
 * event used for any line a format parser does not recognise.
 * Does not: interpret message bodies (iptables.c, asa.c, ... do), read
 * RFC 5424 structured data beyond skipping it, or fold multi-line messages
 * (a continuation line becomes its own event, flagged as such).
 * Spec: RFC 3164 section 4.1, RFC 5424 section 6, ISO 8601 / RFC 3339.
 */
#ifndef PARSERS_SYSLOG_HDR_H
#define PARSERS_SYSLOG_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lines.h"
#include "../correlator/core/parser.h"

struct syslog_hdr {
	int pri;                 /* -1 when absent */
	bool rfc5424;
	bool has_year, has_zone;
	int year, mon, day, hour, min, sec;
	uint32_t nsec;
	int32_t zone_off;        /* seconds east of UTC, when has_zone */
	const char *host; size_t host_len;   /* borrowed from the line; len 0 = none */
	const char *prog; size_t prog_len;   /* tag / APP-NAME; len 0 = none */
	int64_t pid;             /* -1 when absent */
	const char *msg; size_t msg_len;     /* the body after the tag */
};

/* Parse the header of one line. False when the line starts with no known
 * time stamp (then *h is unspecified). Pure; pointers borrow from p. */
bool syslog_hdr_parse(const char *p, size_t n, struct syslog_hdr *h);

/* Parse a time stamp at p: ISO 8601 (T or space), "Mmm dd [yyyy ]hh:mm:ss[.f]"
 * with an optional trailing ':'. Fills the time part of *h and returns the
 * bytes used, 0 if none. */
size_t syslog_hdr_time(const char *p, size_t n, struct syslog_hdr *h);

/* Month number 1..12 of a three-letter English abbreviation (any case), or 0. */
int syslog_month(const char *p);

/* Year of yearless stamps. The stream pre-reads the head of the file: the
 * first stamp that names a year anchors it, and month wrap-arounds
 * (Dec -> Jan) before the anchor are counted back; after that each
 * wrap-around forward adds a year and each stamp with a year resets it.
 * Without any year in the file: the year nearest the captures' first packet
 * (src->time_hint, set from the pcap/pcapng/netmon sources of the run); with
 * no capture either, the dates are taken to end no later than today (the
 * current year, or the one before). Each case is noted on the source. */
struct syslog_year {
	int year;
	int last_mon;
	bool from_file;
};

#define SYSLOG_CACHE_N 8  /* entries of syslog_stream.cache */

/* A syslog-style line stream over one file. */
struct syslog_stream {
	struct source *src;
	const char *fmt;             /* parser name, for notes */
	struct lines lines;
	struct syslog_year yr;
	struct syslog_hdr hdr;       /* of the line last returned */
	const char *line; size_t len;/* that line, borrowed */
	int64_t ts;                  /* its UTC time (ns) */
	bool cont;                   /* the line is a continuation (leading blank) */
	bool have_ts;
	bool noted_local;
	char msgbuf[512];            /* scratch for ev->msg, valid until the next line */
	/* a small lookup cache a body mapper may use (iptables: prefix -> action);
	 * logs alternate between a few rule prefixes */
	struct syslog_cache {
		char key[64];
		size_t len;
		const char *val;
	} cache[SYSLOG_CACHE_N];
	unsigned cache_next;         /* the entry replaced next */
};

/* Body mappers of the syslog-carried firewall formats (iptables.c, asa.c).
 * Each fills ev from s->hdr and returns true with *rc set (PR_EVENT, or
 * PR_SKIP after a counted skip) when the line is its kind; false, ev
 * untouched, otherwise. Every syslog-family parser tries them all, so a
 * collector's file mixing devices is read whole whichever parser sniffing
 * picked. */
bool iptables_body(struct syslog_stream *s, struct event *ev, pr_status *rc);
bool asa_body(struct syslog_stream *s, struct event *ev, pr_status *rc);
/* Own mapper first, then the others, then syslog.message. */
pr_status syslog_stream_map(struct syslog_stream *s, struct event *ev,
			    bool (*own)(struct syslog_stream *, struct event *, pr_status *));

/* Open path; notes how times are read (zone given / assumed UTC / year).
 * Returns 0 or -1 after source_error(). */
int syslog_stream_open(struct syslog_stream *s, struct source *src, const char *path,
		       const char *fmt);
/* Next line with a usable header into s->hdr / s->ts, ev->ref and ev->ts_raw
 * set. PR_SKIP after a counted skip (no stamp, bad date, overlong, NUL),
 * PR_EOF, PR_FATAL on a read error. A continuation line (leading blank after
 * a good line) returns PR_EVENT with s->cont set and the previous time. */
pr_status syslog_stream_next(struct syslog_stream *s, struct event *ev);
void syslog_stream_close(struct syslog_stream *s);

/* Fill ev as a generic `syslog.message` from s->hdr (type, fields, msg). */
void syslog_stream_generic(struct syslog_stream *s, struct event *ev);

/* Local wall-clock seconds -> UTC seconds using --tz, or as-is (UTC assumed). */
int64_t syslog_local_to_utc(const struct source *src, int64_t local);

/* Sniff helper: over the complete lines in head, *nlines counts non-empty
 * lines, the result counts those with a syslog header, *nmatch those whose
 * message body match() accepts (match may be NULL). */
unsigned syslog_sniff(const uint8_t *head, size_t len,
		      bool (*match)(const char *msg, size_t n), unsigned *nlines, unsigned *nmatch);

/* Shared by the firewall-log parsers. */
enum {
	SYSLOG_TCP_FIN = 0x01, SYSLOG_TCP_SYN = 0x02, SYSLOG_TCP_RST = 0x04, SYSLOG_TCP_PSH = 0x08,
	SYSLOG_TCP_ACK = 0x10, SYSLOG_TCP_URG = 0x20, SYSLOG_TCP_ECE = 0x40, SYSLOG_TCP_CWR = 0x80,
};
/* Bit of a TCP flag word (SYN, ACK, PSH/PUSH, RST/RESET, FIN, URG, ECE, CWR;
 * any case), or 0. */
unsigned syslog_tcp_flag(const char *w, size_t n);
/* tcp.flags and tcp.flags.{syn,ack,push,reset,fin,urg,ecn,cwr}. */
void syslog_ev_tcp_flags(struct event *ev, unsigned bits);
/* Set ev->flow (and EV_HAS_FLOW), ip.src/ip.dst, ip.proto and the port fields
 * (tcp.*port / udp.*port when proto is 6 / 17). */
void syslog_ev_flow(struct event *ev, const struct addr *src, uint16_t sport,
		    const struct addr *dst, uint16_t dport, uint8_t proto);
/* IP protocol number of a name (TCP, udp, ICMP, ICMPv6, ESP, AH, GRE, SCTP,
 * or a decimal number), or -1. */
int syslog_ip_proto(const char *p, size_t n);

/* ip_proto_name(), or the number in buf (size >= 4) when it has no name. */
const char *syslog_proto_name(uint8_t proto, char *buf);

/* An address for "addr:port" messages: IPv6 in brackets ("[2001:db8::5]"). */
void syslog_fmt_endpoint(char *buf, size_t len, const struct addr *a);

/* A message line built without printf (hot path): append to buf[0..cap),
 * always NUL-terminated, silently cut at cap. Each returns the new length. */
size_t syslog_msg_str(char *buf, size_t cap, size_t o, const char *s, size_t n);
size_t syslog_msg_cstr(char *buf, size_t cap, size_t o, const char *s);
size_t syslog_msg_u(char *buf, size_t cap, size_t o, uint64_t v);
/* "1.2.3.4:80" / "[2001:db8::1]:80" (port omitted when with_port is false). */
size_t syslog_msg_ep(char *buf, size_t cap, size_t o, const struct addr *a, uint16_t port,
		     bool with_port);

/* Snapshots (command outputs without per-line times): a capture time from a
 * line such as `date` output in ISO 8601 ("2024-01-07T09:14:02+01:00",
 * "2024-01-07 09:14:02") or IOS `show clock` ("*09:14:02.123 UTC Thu Mar 21
 * 2019"). Zoneless times go through --tz. True and *ns set when the line is one. */
bool syslog_snapshot_stamp(struct source *src, const char *p, size_t n, int64_t *ns);
/* The file's modification time (ns), the fallback capture time; 0 if unknown. */
int64_t syslog_file_mtime(const char *path);

#endif
