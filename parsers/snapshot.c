/*
 * parsers/snapshot.c - capture time and line stream for command outputs
 * (see snapshot.h).
 */
#include "snapshot.h"
#include "syslog_hdr.h"
#include "../correlator/core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int snapshot_open(struct snapshot *s, struct source *src, const char *path, const char *fmt)
{
	memset(s, 0, sizeof *s);
	s->src = src;
	s->fmt = fmt;
	if (lines_open(&s->lines, path, src->limits ? src->limits->max_line : 0) != 0) {
		source_error(src, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	s->path_copy = xstrdup(path);
	s->path = s->path_copy;
	return 0;
}

pr_status snapshot_line(struct snapshot *s, struct event *ev, const char **p, size_t *n)
{
	for (;;) {
		enum lines_status st = lines_next(&s->lines, p, n);
		s->src->bytes_cur = s->lines.offset;
		ev->ref = s->lines.lineno;
		switch (st) {
		case LINES_EOF:
			return PR_EOF;
		case LINES_ERROR:
			source_error(s->src, "%s: read error: %s", s->path, strerror(errno));
			return PR_FATAL;
		case LINES_TOO_LONG:
			source_skip(s->src, ev->ref, "line longer than %zu bytes (--max-line)", s->lines.max_line);
			return PR_SKIP;
		case LINES_NUL:
			source_skip(s->src, ev->ref, "line holds NUL bytes");
			return PR_SKIP;
		case LINES_OK:
			break;
		}
		size_t k = 0;
		while (k < *n && ((*p)[k] == ' ' || (*p)[k] == '\t'))
			k++;
		if (k == *n)
			continue;
		int64_t ts;
		if (syslog_snapshot_stamp(s->src, *p, *n, &ts)) {
			if (!s->have_ts) {
				source_note(s->src, "%s: capture time from line %llu (a time without zone is "
					    "local: --tz, else UTC)", s->fmt, (unsigned long long)s->lines.lineno);
			}
			s->ts = ts;
			s->have_ts = true;
			continue;
		}
		return PR_EVENT;
	}
}

int64_t snapshot_time(struct snapshot *s)
{
	if (!s->have_ts) {
		s->ts = syslog_file_mtime(s->path);
		s->have_ts = true;
		source_note(s->src, "%s: no capture time in the file: its modification time is used "
			    "(put `date` output before the table)", s->fmt);
	}
	return s->ts;
}

void snapshot_close(struct snapshot *s)
{
	if (!s)
		return;
	lines_close(&s->lines);
	free(s->path_copy);
	s->path_copy = NULL;
}
