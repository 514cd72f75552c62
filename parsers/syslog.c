/*
 * parsers/syslog.c - generic syslog text files (RFC 3164 BSD lines with or
 * without <PRI>, RFC 5424, journalctl short / short-iso): every line becomes
 * a `syslog.message` event with host, program, pid and message.
 * Lines that iptables.c or asa.c recognise (a mixed collector file) are
 * mapped by them; sniffing picks those parsers when such lines dominate.
 * Does not: interpret other bodies.
 * Spec: RFC 3164, RFC 5424; header rules in syslog_hdr.c.
 * Time: ISO / RFC 5424 stamps carry their zone; BSD stamps are local (--tz,
 * else UTC, noted) and their year is resolved as syslog_hdr.h describes.
 */
#include "../correlator/core/parser.h"
#include "syslog_hdr.h"
#include "../correlator/core/util.h"

#include <stdio.h>
#include <stdlib.h>

static int sl_sniff(const uint8_t *head, size_t len)
{
	unsigned nlines, nmatch;
	unsigned good = syslog_sniff(head, len, NULL, &nlines, &nmatch);
	if (good == 0 || good * 2 < nlines)
		return 0;
	return 30;
}

static int sl_open(struct source *src, const char *path, void **state)
{
	src->ts_resolution = NS_PER_SEC;  /* its times are whole seconds */
	struct syslog_stream *s = xcalloc(1, sizeof *s);
	if (syslog_stream_open(s, src, path, "syslog") != 0) {
		free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static pr_status sl_next(void *state, struct event *ev)
{
	struct syslog_stream *s = state;
	pr_status st = syslog_stream_next(s, ev);
	if (st != PR_EVENT)
		return st;
	return syslog_stream_map(s, ev, NULL);
}

static void sl_close(void *state)
{
	struct syslog_stream *s = state;
	if (!s)
		return;
	syslog_stream_close(s);
	free(s);
}

const struct parser parser_syslog = {
	.api_version = PARSER_API_VERSION,
	.name = "syslog",
	.summary = "syslog text (RFC 3164 with/without PRI, RFC 5424, journalctl): syslog.message",
	.sniffs = "most lines start with a syslog time stamp (Mmm dd hh:mm:ss or ISO 8601)",
	.sniff = sl_sniff,
	.open = sl_open,
	.next_event = sl_next,
	.close = sl_close,
};
