/*
 * parsers/textlog.h - what every line-oriented text log parser shares: a
 * buffered line reader (BOM, CRLF, 1-based line numbers, a maximum line length
 * from src->limits->max_line), the W3C extended log header ("#Fields:",
 * "#Date:", "#Software:", ...), splitting a line into columns (in place, or
 * through libcsv when values are quoted), and the small value parsers the
 * logs need: dates and times, ISO 8601, "ip:port" endpoints, local time -> UTC.
 *
 * Used by parsers/tmg.c, pfirewall.c, exchange.c, tshark.c, nmtext.c.
 * Does not: know any one log format, allocate per line (the line buffer and
 * the column buffer grow to the longest line once, then are reused).
 * Spec: W3C Extended Log File Format (WD-logfile-960323) for the header
 * directives; RFC 4180 (via libcsv) for quoted columns.
 */
#ifndef PARSERS_TEXTLOG_H
#define PARSERS_TEXTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <csv.h>

#include "../correlator/core/event.h"
#include "../correlator/core/source.h"

/* ---- line reader ---- */

struct textlog {
	struct source *src;
	int fd;
	char *buf;          /* read buffer: [pos, len) not yet returned */
	size_t cap, len, pos;
	size_t max_line;
	uint64_t line;      /* 1-based number of the line last returned */
	uint64_t offset;    /* file offset of buf[0] */
	bool eof;
	bool bom_checked;
	uint64_t too_long;  /* lines skipped for length */
};

/* Open path for reading. Returns 0, or -1 after source_error(). */
int textlog_open(struct textlog *t, struct source *src, const char *path);
/* The next line without its CR/LF (and without a leading UTF-8 BOM on line 1),
 * NUL-terminated in place; *p is BORROWED until the next call. Lines longer
 * than max_line are counted skips (source_skip with their line number) and
 * never returned. False at the end of the file. */
bool textlog_next(struct textlog *t, char **p, size_t *n);
void textlog_close(struct textlog *t);

/* First non-empty line of a sniff buffer (BOM skipped), and the one after it;
 * false when the buffer holds no complete line. Pure. */
bool textlog_head_line(const uint8_t *head, size_t len, size_t *start, size_t *n);
bool textlog_head_next(const uint8_t *head, size_t len, size_t *start, size_t *n);
/* True if some line of the sniff buffer starts with prefix (case-insensitive). */
bool textlog_head_has_line(const uint8_t *head, size_t len, const char *prefix);

/* ---- W3C header ---- */

#define TEXTLOG_MAX_COLS 128

struct w3c_header {
	char *fields_buf;                     /* owned copy of the #Fields value */
	const char *name[TEXTLOG_MAX_COLS];   /* column names, point into fields_buf */
	size_t ncols;
	uint64_t fields_line;                 /* line of #Fields:, 0 = none yet */
	char sep;                             /* column separator of #Fields */
	char software[96], version[32], log_type[64], date[48], time_format[32];
	bool short_reported;                  /* "header promises more" said once */
};

/* If line is a "#Key: value" directive, record it and return true.
 * #Fields: is split on sep; sep 0 = TAB if the value holds one, else ',' if it
 * holds one, else ' '. */
bool w3c_directive(struct w3c_header *h, const char *line, size_t n, char sep);
/* The next record line of a W3C-style log into *p and *n (borrowed as with
 * textlog_next): empty lines are passed over and "#" directives recorded into
 * h (split on sep). *directives tells whether any directive came before this
 * record, *fields whether one was #Fields: (h->fields_line then holds its
 * line number). False at the end of the file. */
bool w3c_next_record(struct textlog *t, struct w3c_header *h, char sep, char **p, size_t *n,
		     bool *directives, bool *fields);
/* Column index of a field name (ASCII case-insensitive), or -1. */
int w3c_col(const struct w3c_header *h, const char *name);
void w3c_free(struct w3c_header *h);
/* A line with fewer columns than #Fields names: warn once per file, naming
 * both ends (the line and the #Fields line). */
void w3c_short_line(struct w3c_header *h, struct source *src, uint64_t line, size_t have);

/* ---- columns ---- */

struct cols {
	const char *p[TEXTLOG_MAX_COLS];
	uint32_t n[TEXTLOG_MAX_COLS];
	size_t count;
	bool overflow;  /* more than TEXTLOG_MAX_COLS: the rest are dropped */
};

/* Split in place on sep (a run of spaces counts as one when sep is ' ').
 * A lone "-" is kept: callers use cols_get() which maps it to absent. */
void cols_split(struct cols *c, const char *line, size_t n, char sep);
/* Column i, or false when absent, empty or "-". */
bool cols_get(const struct cols *c, int i, const char **p, size_t *n);

/* Quoted columns through libcsv. One physical line is one record. */
struct textlog_csv {
	struct csv_parser p;
	char *buf;             /* unquoted values, reused per line */
	size_t cap, used;
	size_t off[TEXTLOG_MAX_COLS], len[TEXTLOG_MAX_COLS];
	size_t count;
	bool overflow;
	bool ready;
	unsigned char opts, delim, quote;  /* to start over after a malformed line */
};

/* strict: a stray quote inside a bare value or an unterminated quote is an error. */
int textlog_csv_init(struct textlog_csv *c, char delim, char quote, bool strict);
/* Parse one line into out (pointers into c->buf, valid until the next call).
 * False when libcsv reports the line malformed (*why says how). */
bool textlog_csv_line(struct textlog_csv *c, const char *line, size_t n, struct cols *out,
		      const char **why);
void textlog_csv_free(struct textlog_csv *c);

/* A comma-separated W3C log (Exchange protocol and tracking logs): open the
 * file and a quoting CSV splitter, and take default_fields as the column
 * layout until a #Fields: line says otherwise. 0, or -1 after source_error().
 * w3c_csv_close() frees all three after a successful open. */
int w3c_csv_open(struct textlog *t, struct textlog_csv *csv, struct w3c_header *h,
		 struct source *src, const char *path, const char *default_fields);
void w3c_csv_close(struct textlog *t, struct textlog_csv *csv, struct w3c_header *h);

/* ---- values ---- */

/* "yyyy-mm-dd" -> days since 1970-01-01. */
bool textlog_date(const char *s, size_t n, int64_t *days);
/* "hh:mm:ss[.f...]" -> seconds of day and nanoseconds. */
bool textlog_time(const char *s, size_t n, int64_t *sec, int64_t *ns);
/* ISO 8601 "yyyy-mm-ddThh:mm:ss[.f...][Z|+hh:mm|+hhmm]" -> ns since the epoch.
 * *zoned is false when no zone was written (the value is then wall clock). */
bool textlog_iso8601(const char *s, size_t n, int64_t *ns, bool *zoned);
/* "1711552339.937105000" -> ns. */
bool textlog_epoch(const char *s, size_t n, int64_t *ns);
/* Wall-clock seconds -> UTC seconds with the source's --tz (identity without
 * one). Caches the offset per hour: cheap on every line. */
struct textlog_tzcache {
	int64_t hour;   /* local hour cached, when valid */
	int64_t delta;  /* utc - local */
	bool valid;
};
int64_t textlog_local_to_utc(struct textlog_tzcache *c, const struct source *src, int64_t local);

/* "10.0.0.1:25", "[2001:db8::5]:25", "10.0.0.1" (port 0, *has_port false). */
bool textlog_endpoint(const char *s, size_t n, struct addr *a, uint16_t *port, bool *has_port);
/* Decimal (or 0x hex) into a bounded integer. */
bool textlog_uint(const char *s, size_t n, uint64_t max, uint64_t *out);
/* IP protocol by name ("TCP", "udp", "ICMPv6") or number; false if neither. */
bool textlog_ip_proto(const char *s, size_t n, uint8_t *proto);
/* ASCII case-insensitive equality of a counted string and a C string. */
bool textlog_eq(const char *s, size_t n, const char *lit);

/* Put the flow on ev and the matching Wireshark-named fields
 * (ip.src ip.dst ip.proto tcp./udp.srcport/dstport). */
void textlog_set_flow(struct event *ev, const struct addr *src, uint16_t sport, const struct addr *dst,
		      uint16_t dport, uint8_t proto);

/* One human line for a packet-like event read from an export, from its flow
 * and fields: "TCP 10.0.0.1:50000 -> 10.0.0.2:443 [SYN, ACK] seq=1 ack=1 win=8192 len=0".
 * Writes buf (NUL-terminated) and returns it. */
const char *textlog_pkt_msg(const struct event *ev, const char *prefix, char *buf, size_t len);

#endif
