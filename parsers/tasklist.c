/*
 * parsers/tasklist.c - Windows `tasklist /svc` (and plain `tasklist`) table
 * text: one proc.service event per process (image name, PID, its services)
 * or proc.process without /svc (session, memory). Column spans come from the
 * "=== ====" rule line, so image names with spaces ("System Idle Process")
 * are read whole; /svc continuation lines (blank image and PID columns)
 * append to the services of the process above.
 *
 *   Image Name                     PID Services
 *   ========================= ======== ============================================
 *   svchost.exe                    948 BrokerInfrastructure, DcomLaunch, LSM,
 *                                      PlugPlay, Power, SystemEventsBroker
 *
 * Join: netstat (netstat.c) gives proc.pid per socket; this gives proc.pid ->
 * proc.image / proc.service. Rules and reports join the two on proc.pid.
 * Does not: read /fo csv or /fo list, or /v columns beyond those named here.
 * Spec: tasklist /? and its output. Time: one capture time (snapshot.h).
 */
#include "../correlator/core/parser.h"
#include "snapshot.h"
#include "../correlator/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TL_MAX_COLS 12
#define TL_IMAGE 260
#define TL_SERVICES 4096

struct tl_rec {
	bool used;
	uint64_t ref, pid;
	char image[TL_IMAGE];
	char services[TL_SERVICES];
	char session[64];
	char mem[32];
	bool truncated;
};

struct tl_state {
	struct snapshot s;
	bool have_header, have_rule;
	char header[1024];
	size_t header_len;
	size_t ncols;
	size_t col_start[TL_MAX_COLS], col_end[TL_MAX_COLS];
	int col_image, col_pid, col_svc, col_session, col_mem;
	struct tl_rec rec[2];  /* pending and emitted, swapped */
	unsigned pending;
	bool done;
	char msgbuf[512];
};

static int tl_sniff(const uint8_t *head, size_t len)
{
	const char *p = (const char *)head;
	const char *h = memmem(p, len, "Image Name", 10);
	if (h && memmem(h, len - (size_t)(h - p), "PID", 3) && memmem(h, len - (size_t)(h - p), "=====", 5))
		return 90;
	return 0;
}

static int tl_open(struct source *src, const char *path, void **state)
{
	src->ts_resolution = NS_PER_SEC;  /* its times are whole seconds */
	struct tl_state *st = xcalloc(1, sizeof *st);
	if (snapshot_open(&st->s, src, path, "tasklist") != 0) {
		free(st);
		return -1;
	}
	st->pending = 0;
	*state = st;
	return 0;
}

static void cell(const char *p, size_t n, size_t a, size_t b, const char **out, size_t *on)
{
	if (a >= n) {
		*out = p + n;
		*on = 0;
		return;
	}
	if (b > n)
		b = n;
	while (a < b && p[a] == ' ')
		a++;
	while (b > a && p[b - 1] == ' ')
		b--;
	*out = p + a;
	*on = b - a;
}

static void copy(char *dst, size_t cap, const char *p, size_t n, bool *trunc)
{
	if (n >= cap) {
		n = cap - 1;
		*trunc = true;
	}
	memcpy(dst, p, n);
	dst[n] = '\0';
}

static void rule_line(struct tl_state *st, const char *p, size_t n)
{
	st->ncols = 0;
	for (size_t i = 0; i < n && st->ncols < TL_MAX_COLS;) {
		while (i < n && p[i] == ' ')
			i++;
		if (i >= n)
			break;
		size_t a = i;
		while (i < n && p[i] == '=')
			i++;
		st->col_start[st->ncols] = a;
		st->col_end[st->ncols] = i;
		st->ncols++;
	}
	st->col_image = st->col_pid = st->col_svc = st->col_session = st->col_mem = -1;
	for (size_t c = 0; c < st->ncols; c++) {
		const char *h;
		size_t hn;
		/* header names are right- or left-aligned in the span: widen by one */
		size_t a = st->col_start[c], b = c + 1 < st->ncols ? st->col_start[c + 1] : st->header_len;
		cell(st->header, st->header_len, a, b, &h, &hn);
		if (hn == 10 && !memcmp(h, "Image Name", 10))
			st->col_image = (int)c;
		else if (hn == 3 && !memcmp(h, "PID", 3))
			st->col_pid = (int)c;
		else if (hn == 8 && !memcmp(h, "Services", 8))
			st->col_svc = (int)c;
		else if (hn == 12 && !memcmp(h, "Session Name", 12))
			st->col_session = (int)c;
		else if (hn == 9 && !memcmp(h, "Mem Usage", 9))
			st->col_mem = (int)c;
	}
	st->have_rule = st->col_image >= 0 && st->col_pid >= 0;
	/* the last column runs to the end of the line */
	if (st->ncols)
		st->col_end[st->ncols - 1] = SIZE_MAX;
}

static void span(const struct tl_state *st, int c, const char *p, size_t n, const char **out, size_t *on)
{
	/* a cell runs from its own start to the next column's start (numbers are
	 * right-aligned and may spill left into the gap) */
	size_t a = c > 0 ? st->col_end[c - 1] : 0;
	size_t b = st->col_end[c];
	cell(p, n, a, b, out, on);
}

static void fill_event(struct tl_state *st, struct tl_rec *r, struct event *ev)
{
	ev->ref = r->ref;
	ev->ts_raw = snapshot_time(&st->s);
	ev->type = st->col_svc >= 0 ? "proc.service" : "proc.process";
	ev_cstr(ev, "proc.image", r->image);
	ev_int(ev, "proc.pid", (int64_t)r->pid);
	if (st->col_svc >= 0 && strcmp(r->services, "N/A"))
		ev_cstr(ev, "proc.service", r->services);
	if (r->session[0])
		ev_cstr(ev, "proc.session", r->session);
	if (r->mem[0])
		ev_cstr(ev, "proc.mem_usage", r->mem);
	snprintf(st->msgbuf, sizeof st->msgbuf, "%.200s pid %llu%s%.280s", r->image, (unsigned long long)r->pid,
		 r->services[0] ? ": " : "", r->services);
	ev->msg = st->msgbuf;
}

static pr_status tl_next(void *state, struct event *ev)
{
	struct tl_state *st = state;
	const char *p;
	size_t n;
	for (;;) {
		struct tl_rec *pend = &st->rec[st->pending];
		if (st->done) {
			if (pend->used) {
				pend->used = false;
				fill_event(st, pend, ev);
				return PR_EVENT;
			}
			return PR_EOF;
		}
		pr_status rc = snapshot_line(&st->s, ev, &p, &n);
		if (rc == PR_EOF) {
			st->done = true;
			continue;
		}
		if (rc != PR_EVENT)
			return rc;
		if (!st->have_rule) {
			if (memmem(p, n, "Image Name", 10) && memmem(p, n, "PID", 3)) {
				bool t = false;
				copy(st->header, sizeof st->header, p, n, &t);
				st->header_len = n < sizeof st->header ? n : sizeof st->header - 1;
				st->have_header = true;
			} else if (st->have_header && p[0] == '=') {
				rule_line(st, p, n);
			}
			continue;
		}
		const char *img, *pid, *svc = NULL;
		size_t imgn, pidn, svcn = 0;
		span(st, st->col_image, p, n, &img, &imgn);
		span(st, st->col_pid, p, n, &pid, &pidn);
		if (st->col_svc >= 0)
			span(st, st->col_svc, p, n, &svc, &svcn);
		if (!imgn && !pidn && svcn && pend->used) { /* continuation of the services */
			size_t have = strlen(pend->services);
			if (have + 1 + svcn < sizeof pend->services) {
				pend->services[have] = ' ';
				memcpy(pend->services + have + 1, svc, svcn);
				pend->services[have + 1 + svcn] = '\0';
			} else {
				pend->truncated = true;
			}
			continue;
		}
		uint64_t v;
		if (!imgn || !parse_u64(pid, pidn, 0xffffffffu, &v)) {
			source_skip(st->s.src, ev->ref, "tasklist: no image name and PID in the columns");
			return PR_SKIP;
		}
		struct tl_rec *next = &st->rec[st->pending ^ 1];
		memset(next, 0, sizeof *next);
		next->used = true;
		next->ref = ev->ref;
		next->pid = v;
		copy(next->image, sizeof next->image, img, imgn, &next->truncated);
		if (svcn)
			copy(next->services, sizeof next->services, svc, svcn, &next->truncated);
		const char *c;
		size_t cn;
		if (st->col_session >= 0) {
			span(st, st->col_session, p, n, &c, &cn);
			copy(next->session, sizeof next->session, c, cn, &next->truncated);
		}
		if (st->col_mem >= 0) {
			span(st, st->col_mem, p, n, &c, &cn);
			copy(next->mem, sizeof next->mem, c, cn, &next->truncated);
		}
		st->pending ^= 1;
		if (pend->used) {
			pend->used = false;
			if (pend->truncated)
				source_warn(st->s.src, pend->ref, "tasklist: a column was cut to fit");
			fill_event(st, pend, ev);
			return PR_EVENT;
		}
	}
}

static void tl_close(void *state)
{
	struct tl_state *st = state;
	if (!st)
		return;
	snapshot_close(&st->s);
	free(st);
}

const struct parser parser_tasklist = {
	.api_version = PARSER_API_VERSION,
	.name = "tasklist",
	.summary = "Windows tasklist [/svc] table: proc.service / proc.process (image, PID, services)",
	.sniffs = "'Image Name ... PID' header over a '=== ===' rule line",
	.sniff = tl_sniff,
	.open = tl_open,
	.next_event = tl_next,
	.close = tl_close,
};
