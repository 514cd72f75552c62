/*
 * correlator/core/source.c - resolving an input argument into files, sniffing each,
 * reading them in order, and counting and reporting what was skipped.
 */
#include "source.h"
#include "util.h"
#include "parser.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DIAG_SHOWN_MAX 20  /* per source, then a summary line */

struct source *source_new(unsigned index, const char *arg)
{
	struct source *src = xcalloc(1, sizeof *src);
	src->index = index;
	src->diag_out = stderr;
	src->first_ts = INT64_MAX;
	src->last_ts = INT64_MIN;
	const char *eq = strchr(arg, '=');
	struct stat st;
	if (eq && eq != arg && stat(arg, &st) != 0 && !memchr(arg, '/', (size_t)(eq - arg))) {
		src->label = xmalloc((size_t)(eq - arg) + 1);
		memcpy(src->label, arg, (size_t)(eq - arg));
		src->label[eq - arg] = '\0';
		src->spec = xstrdup(eq + 1);
	} else {
		src->spec = xstrdup(arg);
		const char *base = strrchr(arg, '/');
		base = base ? base + 1 : arg;
		if (!*base) /* "dir/" */
			base = arg;
		src->label = xstrdup(base);
		size_t n = strlen(src->label);
		while (n > 1 && src->label[n - 1] == '/')
			src->label[--n] = '\0';
	}
	return src;
}

void source_free(struct source *src)
{
	if (!src)
		return;
	source_close(src);
	for (size_t i = 0; i < src->nfiles; i++)
		free(src->files[i].path);
	free(src->files);
	for (unsigned i = 0; i < src->nnotes; i++)
		free(src->notes[i]);
	free(src->error);
	free(src->label);
	free(src->spec);
	free(src);
}

const char *source_cur_path(const struct source *src)
{
	if (src->cur < src->nfiles)
		return src->files[src->cur].path;
	return src->spec;
}

/* Where this thread's diagnostics go instead of stderr and the notes (readers.c). */
static _Thread_local struct source_defer *defer_to;

void source_defer_to(struct source_defer *d)
{
	defer_to = d;
}

static void defer_vprintf(struct source_defer *d, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int k = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (k < 0)
		return;
	if (d->n + (size_t)k + 1 > d->cap) {
		d->cap = (d->n + (size_t)k + 1) * 2;
		d->p = xrealloc(d->p, d->cap);
	}
	vsnprintf(d->p + d->n, (size_t)k + 1, fmt, ap);
	d->n += (size_t)k;  /* the NUL is overwritten by what follows */
}

static void defer_printf(struct source_defer *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void defer_printf(struct source_defer *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	defer_vprintf(d, fmt, ap);
	va_end(ap);
}

/* End one record: its NUL (defer_vprintf left room for it). */
static void defer_end(struct source_defer *d)
{
	if (d->n + 1 > d->cap) {
		d->cap = d->n + 64;
		d->p = xrealloc(d->p, d->cap);
	}
	d->p[d->n++] = '\0';
}

static void note_add(struct source *src, const char *text)
{
	for (unsigned i = 0; i < src->nnotes; i++)
		if (!strcmp(src->notes[i], text))
			return;
	if (src->nnotes < SOURCE_NOTES)
		src->notes[src->nnotes++] = xstrdup(text);
}

void source_replay(struct source *src, struct source_defer *d)
{
	for (size_t i = 0; i < d->n;) {
		const char *rec = d->p + i;
		size_t len = strlen(rec);
		if (rec[0] == 'D' && src->diag_out)
			fputs(rec + 1, src->diag_out);
		else if (rec[0] == 'N')
			note_add(src, rec + 1);
		i += len + 1;
	}
	d->n = 0;
}

static void vdiag(struct source *src, const char *sev, uint64_t ref, const char *fmt, va_list ap)
{
	if (src->quiet || !src->diag_out)
		return;
	uint64_t n = src->skipped + src->warnings;
	if (n > DIAG_SHOWN_MAX)
		return;
	struct source_defer *d = defer_to;
	if (d) {
		/* the same line, printed by the main thread in its turn */
		defer_printf(d, "D");
		if (n == DIAG_SHOWN_MAX) {
			defer_printf(d, "%s: note: further warnings not shown; the report counts them\n",
				     src->label);
		} else {
			if (src->nfiles > 1)
				defer_printf(d, "%s[%s]", src->label, source_cur_path(src));
			else
				defer_printf(d, "%s", src->label);
			if (ref)
				defer_printf(d, "#%llu", (unsigned long long)ref);
			defer_printf(d, ": %s: ", sev);
			defer_vprintf(d, fmt, ap);
			defer_printf(d, "\n");
		}
		defer_end(d);
		return;
	}
	if (n == DIAG_SHOWN_MAX) {
		fprintf(src->diag_out, "%s: note: further warnings not shown; the report counts them\n",
			src->label);
		return;
	}
	if (src->nfiles > 1)
		fprintf(src->diag_out, "%s[%s]", src->label, source_cur_path(src));
	else
		fprintf(src->diag_out, "%s", src->label);
	if (ref)
		fprintf(src->diag_out, "#%llu", (unsigned long long)ref);
	fprintf(src->diag_out, ": %s: ", sev);
	vfprintf(src->diag_out, fmt, ap);
	fputc('\n', src->diag_out);
}

void source_skip(struct source *src, uint64_t ref, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(src, "warning", ref, fmt, ap);
	va_end(ap);
	src->skipped++;
	if (src->cur < src->nfiles)
		src->files[src->cur].skipped++;
	if (src->nskip_refs < SOURCE_SKIP_REFS)
		src->skip_refs[src->nskip_refs++] = ref;
}

void source_warn(struct source *src, uint64_t ref, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(src, "warning", ref, fmt, ap);
	va_end(ap);
	src->warnings++;
}

void source_error(struct source *src, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	free(src->error);
	src->error = xstrdup(buf);
}

void source_note(struct source *src, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (defer_to) {
		defer_printf(defer_to, "N%s", buf);
		defer_end(defer_to);
		return;
	}
	note_add(src, buf);
}

static void add_file(struct source *src, const char *path, uint64_t size)
{
	src->files = xrealloc(src->files, (src->nfiles + 1) * sizeof *src->files);
	struct source_file *f = &src->files[src->nfiles++];
	memset(f, 0, sizeof *f);
	f->path = xstrdup(path);
	f->size = size;
}

/* Describe the first bytes of an unrecognised file: hex and printable text. */
static void describe_head(const uint8_t *b, size_t n, char *out, size_t len)
{
	size_t o = 0, k = n < 8 ? n : 8;
	for (size_t i = 0; i < k && o + 4 < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%02x", i ? " " : "", b[i]);
	if (o + 4 < len)
		o += (size_t)snprintf(out + o, len - o, " \"");
	for (size_t i = 0; i < n && i < 16 && o + 3 < len; i++)
		out[o++] = (b[i] >= 0x20 && b[i] < 0x7f) ? (char)b[i] : '.';
	if (o + 2 < len) {
		out[o++] = '"';
		out[o] = '\0';
	} else if (len) {
		out[len - 1] = '\0';
	}
}

/* Sniff one file: its parser, or NULL with *why filled. */
static const struct parser *sniff_file(const struct source *src, const char *path,
				       char *why, size_t whylen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	uint8_t head[SNIFF_BYTES];
	size_t n = fread(head, 1, sizeof head, f);
	int err = ferror(f);
	fclose(f);
	if (err) {
		snprintf(why, whylen, "cannot read: %s", strerror(errno));
		return NULL;
	}
	if (src->format) {
		const struct parser *p = parser_by_name(src->format);
		if (!p)
			snprintf(why, whylen, "unknown format '%s' (see 'correlator formats')", src->format);
		return p;
	}
	if (n == 0) {
		snprintf(why, whylen, "empty file");
		return NULL;
	}
	int score;
	const struct parser *p = parser_sniff(head, n, &score);
	if (!p) {
		char seen[96];
		describe_head(head, n, seen, sizeof seen);
		snprintf(why, whylen, "not a known format (starts with %s); try --input-format", seen);
	}
	return p;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct source_file *)a)->path, ((const struct source_file *)b)->path);
}

static int cmp_first_ts(const void *a, const void *b)
{
	const struct source_file *x = a, *y = b;
	if (x->first_ts != y->first_ts)
		return x->first_ts < y->first_ts ? -1 : 1;
	return strcmp(x->path, y->path);
}

static bool has_glob_chars(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int expand(struct source *src)
{
	struct stat st;
	if (stat(src->spec, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(src->spec);
			if (!d) {
				source_error(src, "%s: cannot open directory: %s", src->spec, strerror(errno));
				return -1;
			}
			struct dirent *de;
			while ((de = readdir(d))) {
				if (de->d_name[0] == '.')
					continue;
				char path[4096];
				snprintf(path, sizeof path, "%s/%s", src->spec, de->d_name);
				struct stat fs;
				if (stat(path, &fs) == 0 && S_ISREG(fs.st_mode))
					add_file(src, path, (uint64_t)fs.st_size);
			}
			closedir(d);
			if (!src->nfiles) {
				source_error(src, "%s: directory holds no files", src->spec);
				return -1;
			}
			qsort(src->files, src->nfiles, sizeof *src->files, cmp_name);
			return 0;
		}
		if (!S_ISREG(st.st_mode)) {
			/* a FIFO would block the sniffer, and is read twice (sniff, parse) */
			source_error(src, "%s: not a regular file (FIFO, socket or device); copy it to a file",
				     src->spec);
			return -1;
		}
		add_file(src, src->spec, (uint64_t)st.st_size);
		return 0;
	}
	int saved = errno;
	if (has_glob_chars(src->spec)) {
		glob_t g;
		int rc = glob(src->spec, 0, NULL, &g);
		if (rc == 0) {
			for (size_t i = 0; i < g.gl_pathc; i++) {
				struct stat fs;
				if (stat(g.gl_pathv[i], &fs) == 0 && S_ISREG(fs.st_mode))
					add_file(src, g.gl_pathv[i], (uint64_t)fs.st_size);
			}
		}
		globfree(&g);
		if (!src->nfiles) {
			source_error(src, "%s: no file matches", src->spec);
			return -1;
		}
		return 0;
	}
	source_error(src, "%s: %s", src->spec, strerror(saved));
	return -1;
}

/* Read one event of a file to learn its start time (ring ordering). */
static int64_t peek_first_ts(struct source *src, struct source_file *f)
{
	void *st = NULL;
	bool quiet = src->quiet;
	src->quiet = true;  /* the real read reports damage once */
	int64_t ts = INT64_MAX;
	uint64_t skipped = src->skipped, warnings = src->warnings, nrefs = src->nskip_refs;
	if (f->parser->open(src, f->path, &st) == 0) {
		struct event *ev = xmalloc(sizeof *ev);
		for (int tries = 0; tries < 64; tries++) {
			event_reset(ev);
			pr_status s = f->parser->next_event(st, ev);
			if (s == PR_EVENT) {
				ts = ev->ts_raw;
				break;
			}
			if (s != PR_SKIP)
				break;
		}
		free(ev);
	}
	f->parser->close(st);
	src->skipped = skipped;
	src->warnings = warnings;
	src->nskip_refs = (unsigned)nrefs;
	src->quiet = quiet;
	return ts;
}

int source_resolve(struct source *src)
{
	if (expand(src) != 0) {
		src->unreadable = true;
		return -1;
	}
	size_t good = 0;
	char why[256] = "";
	for (size_t i = 0; i < src->nfiles; i++) {
		struct source_file *f = &src->files[i];
		f->parser = sniff_file(src, f->path, why, sizeof why);
		if (!f->parser) {
			f->failed = true;
			if (src->nfiles > 1) {
				/* a stray file in a capture folder (a README, an index) is
				 * not damage: a note in the report, not a warning */
				const char *base = strrchr(f->path, '/');
				source_note(src, "%s: not a capture or log, skipped (%s)", base ? base + 1 : f->path, why);
				if (!src->quiet)
					fprintf(stderr, "%s: note: %s: %s; skipped\n", src->label, f->path, why);
			}
			continue;
		}
		good++;
	}
	if (!good) {
		if (src->nfiles == 1)
			source_error(src, "%s: %s", src->files[0].path, why);
		else
			source_error(src, "%s: none of its %zu files is in a known format", src->spec,
				     src->nfiles);
		src->unreadable = true;
		return -1;
	}
	for (size_t i = 0; i < src->nfiles; i++) {
		src->bytes_total += src->files[i].size;
		if (src->nfiles > 1 && !src->files[i].failed)
			src->files[i].first_ts = peek_first_ts(src, &src->files[i]);
	}
	if (src->nfiles > 1)
		qsort(src->files, src->nfiles, sizeof *src->files, cmp_first_ts);
	src->cur = 0;
	return 0;
}

/* The capture parsers: absolute packet times, frames in time order. */
static bool parser_is_capture(const struct parser *p)
{
	return p && (!strcmp(p->name, "pcap") || !strcmp(p->name, "pcapng") || !strcmp(p->name, "netmon"));
}

void source_set_time_hints(struct source **srcs, size_t n)
{
	int64_t hint = INT64_MAX;
	for (size_t i = 0; i < n; i++) {
		struct source *s = srcs[i];
		if (s->unreadable || !s->nfiles || s->files[0].failed || !s->files[0].parser)
			continue;
		if (!parser_is_capture(s->files[0].parser))
			continue;
		int64_t ts = s->nfiles > 1 ? s->files[0].first_ts : peek_first_ts(s, &s->files[0]);
		if (ts > 0 && ts < hint)
			hint = ts;
	}
	if (hint == INT64_MAX)
		return;
	for (size_t i = 0; i < n; i++)
		srcs[i]->time_hint = hint;
}

static bool open_current(struct source *src)
{
	while (src->cur < src->nfiles) {
		struct source_file *f = &src->files[src->cur];
		if (!f->failed) {
			src->pstate = NULL;
			src->bytes_cur = 0;
			if (f->parser->open(src, f->path, &src->pstate) == 0) {
				src->parser = f->parser;
				src->clk_check = parser_is_capture(f->parser);
				src->open = true;
				return true;
			}
			f->failed = true;
			source_warn(src, 0, "%s", src->error ? src->error : "cannot open");
			f->parser->close(src->pstate);
			src->pstate = NULL;
		}
		src->bytes_done += f->size;
		src->cur++;
	}
	return false;
}

static void close_current(struct source *src)
{
	if (!src->open)
		return;
	src->parser->close(src->pstate);
	src->pstate = NULL;
	src->open = false;
	src->bytes_done += src->files[src->cur].size;
	src->bytes_cur = 0;
	src->cur++;
}

/* A capture whose time goes back by more than CLOCK_JUMP between two frames
 * of one file: a capture warning citing the frame stamped far ahead (when the
 * frame before the step had itself jumped forward), else the frame where time
 * goes back. Logs are not checked: their records are often out of order. */
#define CLOCK_JUMP (60 * NS_PER_SEC)
static void clock_jump(struct source *src, const struct event *ev)
{
	if (!src->clk_check)  /* set with the parser, not compared per event */
		return;
	if (src->clk_on && src->clk_file == src->cur) {
		int64_t d = ev->ts_raw - src->clk_ts;
		if (d < -CLOCK_JUMP) {
			char back[64];
			format_duration(-d, back, sizeof back);
			if (src->clk_fwd)
				source_warn(src, src->clk_ref,
					    "clock jump: this frame is stamped far ahead of its neighbours; time goes back %s at frame %llu",
					    back, (unsigned long long)ev->ref);
			else
				source_warn(src, ev->ref, "clock jump: time goes back %s at this frame", back);
			/* and in the report, naming the file and frame */
			const char *path = source_cur_path(src), *base = strrchr(path, '/');
			source_note(src, "clock jump in %s: frame %llu %s; time goes back %s at frame %llu",
				    base ? base + 1 : path,
				    (unsigned long long)(src->clk_fwd ? src->clk_ref : ev->ref),
				    src->clk_fwd ? "is stamped far ahead of its neighbours" : "goes back in time",
				    back, (unsigned long long)ev->ref);
		}
		src->clk_fwd = d > CLOCK_JUMP;
	}
	src->clk_on = true;
	src->clk_ts = ev->ts_raw;
	src->clk_ref = ev->ref;
	src->clk_file = src->cur;
}

bool source_next(struct source *src, struct event *ev)
{
	for (;;) {
		if (!src->open && !open_current(src)) {
			/* nothing left; a source none of whose files opened is unreadable */
			bool any = false;
			for (size_t i = 0; i < src->nfiles; i++)
				any |= !src->files[i].failed;
			if (!any)
				src->unreadable = true;
			return false;
		}
		event_reset(ev);
		pr_status s = src->parser->next_event(src->pstate, ev);
		switch (s) {
		case PR_EVENT:
			ev->source = (uint16_t)src->index;
			ev->file = (uint16_t)src->cur;
			if (ev->ts_raw > EV_TS_LIMIT || ev->ts_raw < -EV_TS_LIMIT) {
				source_warn(src, ev->ref, "time beyond the years 1824-2116 (damaged timestamp): clamped");
				ev->ts_raw = ev->ts_raw > 0 ? EV_TS_LIMIT : -EV_TS_LIMIT;
			}
			clock_jump(src, ev);
			ev->ts = ev->ts_raw + src->clock_offset;
			if (src->ts_resolution >= NS_PER_SEC)
				ev->flags |= EV_TS_SECONDS;
			src->events++;
			src->files[src->cur].events++;
			if (ev->ts < src->first_ts)
				src->first_ts = ev->ts;
			if (ev->ts > src->last_ts)
				src->last_ts = ev->ts;
			return true;
		case PR_SKIP:
			continue;
		case PR_FATAL:
			source_warn(src, 0, "%s: reading stopped: %s", source_cur_path(src),
				    src->error ? src->error : "unreadable");
			if (src->files[src->cur].events == 0)
				src->files[src->cur].failed = true;
			close_current(src);
			continue;
		case PR_EOF:
			/* a file that parsed but held nothing (a bare header): say so */
			if (!src->files[src->cur].events && !src->files[src->cur].skipped)
				source_note(src, "%s holds no records (header only or empty body)",
					    source_cur_path(src));
			close_current(src);
			continue;
		}
	}
}

void source_close(struct source *src)
{
	if (src->open) {
		src->parser->close(src->pstate);
		src->pstate = NULL;
		src->open = false;
	}
}

void source_preread(struct source *src, bool (*visit)(void *ctx, struct event *ev), void *ctx)
{
	bool quiet = src->quiet;
	uint64_t skipped = src->skipped, warnings = src->warnings;
	unsigned nrefs = src->nskip_refs;
	src->quiet = true;
	struct event *ev = xmalloc(sizeof *ev);
	bool go = true;
	for (size_t fi = 0; fi < src->nfiles && go; fi++) {
		struct source_file *f = &src->files[fi];
		if (f->failed || !f->parser)
			continue;
		void *st = NULL;
		if (f->parser->open(src, f->path, &st) != 0) {
			f->parser->close(st);
			continue;
		}
		while (go) {
			event_reset(ev);
			pr_status s = f->parser->next_event(st, ev);
			if (s == PR_SKIP)
				continue;
			if (s != PR_EVENT)
				break;
			go = visit(ctx, ev);
		}
		f->parser->close(st);
		if (go)
			go = visit(ctx, NULL);
	}
	free(ev);
	src->bytes_cur = 0;
	src->skipped = skipped;
	src->warnings = warnings;
	src->nskip_refs = nrefs;
	src->quiet = quiet;
}
