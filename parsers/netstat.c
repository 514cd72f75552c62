/*
 * parsers/netstat.c - `netstat -ano` text (Windows) and `netstat -antup`
 * (Linux net-tools): one proc.socket event per socket with protocol, local
 * and foreign endpoint, state and owning PID; connected sockets carry the
 * flow (local -> foreign) so rules can join a port to a PID, and tasklist
 * output (tasklist.c) joins the PID to an image and its services.
 *
 *   Windows:  Proto  Local Address          Foreign Address        State           PID
 *             TCP    10.0.0.5:51514         198.51.100.7:443       ESTABLISHED     4312
 *             TCP    [::]:135               [::]:0                 LISTENING       1044
 *             UDP    0.0.0.0:500            *:*                                    3312
 *   Linux:    tcp   0   0 10.0.0.5:51514  198.51.100.7:443  ESTABLISHED 4312/curl
 *
 * Does not: join the `-b` image lines ([chrome.exe]) to the socket above
 * them (they are counted and noted), read `ss` output or Get-NetTCPConnection.
 * Spec: Windows netstat /? and its output; net-tools netstat(8).
 * Time: one capture time for all rows (snapshot.h).
 */
#include "../correlator/core/parser.h"
#include "snapshot.h"
#include "syslog_hdr.h"
#include "../correlator/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ns_state {
	struct snapshot s;
	bool header;
	uint64_t image_lines;
	char msgbuf[256];
};

static int ns_sniff(const uint8_t *head, size_t len)
{
	const char *p = (const char *)head;
	if (memmem(p, len, "Active Connections", 18) && memmem(p, len, "Proto", 5))
		return 90;
	if (memmem(p, len, "Proto  Local Address", 20) && memmem(p, len, "Foreign Address", 15))
		return 90;
	if (memmem(p, len, "Active Internet connections", 27))
		return 90;
	return 0;
}

static int ns_open(struct source *src, const char *path, void **state)
{
	src->ts_resolution = NS_PER_SEC;  /* its times are whole seconds */
	struct ns_state *st = xcalloc(1, sizeof *st);
	if (snapshot_open(&st->s, src, path, "netstat") != 0) {
		free(st);
		return -1;
	}
	*state = st;
	return 0;
}

/* "ip:port", "[v6%zone]:port", "*:*", "0.0.0.0:0": address and port (0 for '*'). */
static bool endpoint(const char *p, size_t n, struct addr *a, uint16_t *port)
{
	const char *colon = NULL;
	for (size_t i = n; i-- > 0;)
		if (p[i] == ':') {
			colon = p + i;
			break;
		}
	if (!colon)
		return false;
	size_t an = (size_t)(colon - p), pn = n - an - 1;
	uint64_t v = 0;
	if (!(pn == 1 && colon[1] == '*') && !parse_u64(colon + 1, pn, 65535, &v))
		return false;
	*port = (uint16_t)v;
	if (an >= 2 && p[0] == '[' && p[an - 1] == ']') {
		p++;
		an -= 2;
	}
	const char *pct = memchr(p, '%', an);
	if (pct)
		an = (size_t)(pct - p);
	if (an == 1 && p[0] == '*') {
		memset(a, 0, sizeof *a);
		a->family = 4;
		return true;
	}
	return addr_parse(p, an, a);
}

#define MAXTOK 8

static pr_status ns_next(void *state, struct event *ev)
{
	struct ns_state *st = state;
	const char *p;
	size_t n;
	for (;;) {
		pr_status rc = snapshot_line(&st->s, ev, &p, &n);
		if (rc != PR_EVENT)
			return rc;
		const char *tok[MAXTOK];
		size_t tn[MAXTOK], nt = 0, i = 0;
		while (i < n && nt < MAXTOK) {
			while (i < n && (p[i] == ' ' || p[i] == '\t'))
				i++;
			if (i >= n)
				break;
			tok[nt] = p + i;
			while (i < n && p[i] != ' ' && p[i] != '\t')
				i++;
			tn[nt] = (size_t)(p + i - tok[nt]);
			nt++;
		}
		if (nt >= 2 && tn[0] == 5 && !memcmp(tok[0], "Proto", 5)) {
			st->header = true;
			continue;
		}
		if (!st->header)
			continue; /* "Active Connections" and other preamble */
		if (tok[0][0] == '[' || (nt >= 3 && !memcmp(tok[0], "Can", 3))) {
			if (!st->image_lines++)
				source_note(st->s.src, "netstat: -b image lines are not joined to their sockets; use tasklist");
			continue;
		}
		int proto = -1;
			if (tn[0] >= 3 && !strncasecmp(tok[0], "tcp", 3))
			proto = 6;
		else if (tn[0] >= 3 && !strncasecmp(tok[0], "udp", 3))
			proto = 17;
		if (proto < 0 || nt < 3) {
			source_skip(st->s.src, ev->ref, "netstat: not a socket line");
			return PR_SKIP;
		}
		size_t li = 1;
		uint64_t q;
		/* Linux: Recv-Q Send-Q before the addresses */
		if (nt >= 5 && parse_u64(tok[1], tn[1], UINT64_MAX, &q) && parse_u64(tok[2], tn[2], UINT64_MAX, &q))
			li = 3;
		if (nt < li + 3) {
			source_skip(st->s.src, ev->ref, "netstat: socket line too short");
			return PR_SKIP;
		}
		struct addr la, fa;
		uint16_t lp, fp;
		if (!endpoint(tok[li], tn[li], &la, &lp) || !endpoint(tok[li + 1], tn[li + 1], &fa, &fp)) {
			source_skip(st->s.src, ev->ref, "netstat: bad address");
			return PR_SKIP;
		}
		if (tn[li + 1] == 3 && tok[li + 1][0] == '*') /* "*:*": any, of the local family */
			fa.family = la.family;
		/* after the foreign address: [state] [pid | pid/program | -] */
		size_t k = li + 2;
		const char *state_p = NULL;
		size_t state_n = 0;
		if (k < nt && !(tok[k][0] >= '0' && tok[k][0] <= '9') && !(tn[k] == 1 && tok[k][0] == '-')) {
			state_p = tok[k];
			state_n = tn[k];
			k++;
		}
		const char *pid_p = k < nt ? tok[k] : NULL;
		size_t pid_n = k < nt ? tn[k] : 0;
		const char *slash = pid_p ? memchr(pid_p, '/', pid_n) : NULL;
		uint64_t pid = 0;
		bool have_pid = false;
		if (pid_p && !(pid_n == 1 && pid_p[0] == '-')) {
			if (!parse_u64(pid_p, slash ? (size_t)(slash - pid_p) : pid_n, 0xffffffffu, &pid)) {
				source_skip(st->s.src, ev->ref, "netstat: bad PID '%.*s'", (int)pid_n, pid_p);
				return PR_SKIP;
			}
			have_pid = true;
		}
		/* Linux "PID/Program name": the name runs to the end of the line */
		if (slash)
			pid_n = (size_t)(p + n - pid_p);
		ev->ts_raw = snapshot_time(&st->s);
		ev->type = "proc.socket";
		if (fp != 0) /* connected: a flow rules can join to packets */
			syslog_ev_flow(ev, &la, lp, &fa, fp, (uint8_t)proto);
		else
			ev_int(ev, "ip.proto", proto);
		ev_addr(ev, "proc.local_ip", &la);
		ev_int(ev, "proc.local_port", lp);
		ev_addr(ev, "proc.foreign_ip", &fa);
		ev_int(ev, "proc.foreign_port", fp);
		if (state_p)
			ev_str(ev, "proc.state", state_p, state_n);
		if (have_pid)
			ev_int(ev, "proc.pid", (int64_t)pid);
		if (slash && pid_n > (size_t)(slash - pid_p) + 1)
			ev_str(ev, "proc.image", slash + 1, pid_n - (size_t)(slash - pid_p) - 1);
		char a[64], b[64];
		addr_format(&la, a + 1, sizeof a - 2);
		addr_format(&fa, b + 1, sizeof b - 2);
		a[0] = b[0] = '[';
		bool la6 = la.family == 6, fa6 = fa.family == 6;
		if (la6)
			strcat(a, "]");
		if (fa6)
			strcat(b, "]");
		snprintf(st->msgbuf, sizeof st->msgbuf, "%s %s:%u -> %s:%u %.*s pid %s",
			 proto == 6 ? "TCP" : "UDP", la6 ? a : a + 1, lp, fa6 ? b : b + 1, fp, (int)state_n, state_p ? state_p : "",
			 have_pid ? "" : "?");
		if (have_pid) {
			size_t o = strlen(st->msgbuf);
			snprintf(st->msgbuf + o, sizeof st->msgbuf - o, "%llu", (unsigned long long)pid);
		}
		ev->msg = st->msgbuf;
		return PR_EVENT;
	}
}

static void ns_close(void *state)
{
	struct ns_state *st = state;
	if (!st)
		return;
	snapshot_close(&st->s);
	free(st);
}

const struct parser parser_netstat = {
	.api_version = PARSER_API_VERSION,
	.name = "netstat",
	.summary = "netstat -ano (Windows) / -antup (Linux) text: proc.socket with PID and flow",
	.sniffs = "'Active Connections' + 'Proto  Local Address', or 'Active Internet connections'",
	.sniff = ns_sniff,
	.open = ns_open,
	.next_event = ns_next,
	.close = ns_close,
};
