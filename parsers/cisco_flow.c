/*
 * parsers/cisco_flow.c - Cisco IOS `show ip cache flow` text: each row of the
 * flow table becomes a netflow.record event with input/output interface,
 * addresses, protocol, ports (hex in the output) and packet count, and the
 * flow 5-tuple. The statistics above the table are skipped.
 *
 *   SrcIf         SrcIPaddress    DstIf         DstIPaddress    Pr SrcP DstP  Pkts
 *   Et0/0         192.168.67.6    Et1/0.1       172.16.10.200   01 0000 0C01    51
 *   Gi0/1         10.0.0.5        Gi0/0         198.51.100.7    06 C93A 01BB    2K
 *
 * Pr, SrcP, DstP are hex; for ICMP DstP is type*256+code. Pkts may end in K/M.
 * Does not: read `show ip cache verbose flow` (two lines a flow), NetFlow
 * export packets, or `show flow monitor` (Flexible NetFlow) tables.
 * Spec: Cisco IOS NetFlow Command Reference, show ip cache flow.
 * Time: one capture time (snapshot.h); `show clock` output before the table
 * gives it.
 */
#include "../correlator/core/parser.h"
#include "snapshot.h"
#include "syslog_hdr.h"
#include "../correlator/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cf_state {
	struct snapshot s;
	bool in_table;
	char msgbuf[256];
};

static int cf_sniff(const uint8_t *head, size_t len)
{
	const char *p = (const char *)head;
	if (memmem(p, len, "SrcIf", 5) && memmem(p, len, "SrcIPaddress", 12) && memmem(p, len, "DstIPaddress", 12))
		return 90;
	if (memmem(p, len, "IP Flow Switching Cache", 23))
		return 85;
	return 0;
}

static int cf_open(struct source *src, const char *path, void **state)
{
	src->ts_resolution = NS_PER_SEC;  /* its times are whole seconds */
	struct cf_state *st = xcalloc(1, sizeof *st);
	if (snapshot_open(&st->s, src, path, "cisco-flow") != 0) {
		free(st);
		return -1;
	}
	*state = st;
	return 0;
}

static bool hex(const char *p, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (!n || n > 8)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
		if (d < 0)
			return false;
		v = v * 16 + (uint64_t)d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static pr_status cf_next(void *state, struct event *ev)
{
	struct cf_state *st = state;
	const char *p;
	size_t n;
	for (;;) {
		pr_status rc = snapshot_line(&st->s, ev, &p, &n);
		if (rc != PR_EVENT)
			return rc;
		const char *tok[9];
		size_t tn[9], nt = 0, i = 0;
		while (i < n && nt < 9) {
			while (i < n && p[i] == ' ')
				i++;
			if (i >= n)
				break;
			tok[nt] = p + i;
			while (i < n && p[i] != ' ')
				i++;
			tn[nt] = (size_t)(p + i - tok[nt]);
			nt++;
		}
		if (nt >= 2 && tn[0] == 5 && !memcmp(tok[0], "SrcIf", 5)) {
			st->in_table = true;
			continue;
		}
		if (!st->in_table)
			continue; /* statistics, prompt lines */
		if (memchr(p, '#', n) && nt <= 4) { /* the next prompt ends the table */
			st->in_table = false;
			continue;
		}
		struct addr sa, da;
		uint64_t pr, sp, dp, pk;
		if (nt != 8 || !addr_parse(tok[1], tn[1], &sa) || !addr_parse(tok[3], tn[3], &da) ||
		    !hex(tok[4], tn[4], 255, &pr) || !hex(tok[5], tn[5], 65535, &sp) ||
		    !hex(tok[6], tn[6], 65535, &dp)) {
			source_skip(st->s.src, ev->ref, "cisco-flow: not a flow row (8 columns, hex Pr/SrcP/DstP)");
			return PR_SKIP;
		}
		size_t kn = tn[7];
		uint64_t mult = 1;
		if (kn > 1 && (tok[7][kn - 1] == 'K' || tok[7][kn - 1] == 'M')) {
			mult = tok[7][kn - 1] == 'K' ? 1000 : 1000000;
			kn--;
		}
		if (!parse_u64(tok[7], kn, UINT64_MAX / 1000000, &pk)) {
			source_skip(st->s.src, ev->ref, "cisco-flow: bad packet count");
			return PR_SKIP;
		}
		ev->ts_raw = snapshot_time(&st->s);
		ev->type = "netflow.record";
		ev_str(ev, "netflow.input_if", tok[0], tn[0]);
		ev_str(ev, "netflow.output_if", tok[2], tn[2]);
		ev_int(ev, "netflow.packets", (int64_t)(pk * mult));
		if (mult > 1)
			ev_bool(ev, "netflow.packets_rounded", true);
		uint16_t sport = (uint16_t)sp, dport = (uint16_t)dp;
		if (pr == 1 || pr == 58) {
			ev_int(ev, pr == 1 ? "icmp.type" : "icmpv6.type", (int64_t)(dp >> 8));
			ev_int(ev, pr == 1 ? "icmp.code" : "icmpv6.code", (int64_t)(dp & 0xff));
			sport = dport = 0;
		}
		syslog_ev_flow(ev, &sa, sport, &da, dport, (uint8_t)pr);
		char a[64], b[64], pbuf[4];
		addr_format(&sa, a, sizeof a);
		addr_format(&da, b, sizeof b);
		snprintf(st->msgbuf, sizeof st->msgbuf, "flow %s %s:%u -> %s:%u %.*s -> %.*s, %llu packets",
			 syslog_proto_name((uint8_t)pr, pbuf), a, sport, b, dport, (int)tn[0], tok[0], (int)tn[2], tok[2],
			 (unsigned long long)(pk * mult));
		ev->msg = st->msgbuf;
		return PR_EVENT;
	}
}

static void cf_close(void *state)
{
	struct cf_state *st = state;
	if (!st)
		return;
	snapshot_close(&st->s);
	free(st);
}

const struct parser parser_cisco_flow = {
	.api_version = PARSER_API_VERSION,
	.name = "cisco-flow",
	.summary = "Cisco IOS `show ip cache flow` table: netflow.record with flow",
	.sniffs = "'SrcIf SrcIPaddress ... DstIPaddress' header or 'IP Flow Switching Cache'",
	.sniff = cf_sniff,
	.open = cf_open,
	.next_event = cf_next,
	.close = cf_close,
};
