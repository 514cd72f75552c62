/*
 * correlator/rule_set.c - a set of rule files: loading files and directories,
 * the diagnostics list, and rendering offsets as file:line:col (offsets are
 * stored, line and column are computed only when a message is printed).
 * Does not: tokenize (rule_lex.c), parse (rule_parse.c) or check (rule_check.c).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "rule_ast.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RULE_FILE_MAX (16u << 20)   /* a rule file larger than this is a mistake */

struct ruleset *ruleset_new(void)
{
	struct ruleset *rs = xcalloc(1, sizeof *rs);
	arena_init(&rs->arena, 0);
	return rs;
}

void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->nres; i++)
		pcre2_code_free(rs->res[i]);
	free(rs->res);
	for (size_t i = 0; i < rs->nfiles; i++) {
		free(rs->files[i]->text);
		free(rs->files[i]->path);
		free(rs->files[i]);
	}
	free(rs->files);
	for (size_t i = 0; i < rs->ndiags; i++)
		free(rs->diags[i].msg);
	free(rs->diags);
	free(rs->rules);
	arena_free(&rs->arena);
	free(rs);
}

const struct rfile *ruleset_add_text(struct ruleset *rs, const char *path, const char *text,
				     size_t len)
{
	struct rfile *f = xcalloc(1, sizeof *f);
	f->path = xstrdup(path);
	f->text = xmalloc(len + 1);
	memcpy(f->text, text, len);
	f->text[len] = '\0';
	f->len = len;
	rs->files = xrealloc(rs->files, (rs->nfiles + 1) * sizeof *rs->files);
	rs->files[rs->nfiles++] = f;
	return f;
}

void ruleset_error(struct ruleset *rs, const struct rfile *file, uint32_t pos, const char *fmt, ...)
{
	if (rs->ndiags == rs->capdiags) {
		rs->capdiags = rs->capdiags ? rs->capdiags * 2 : 16;
		rs->diags = xrealloc(rs->diags, rs->capdiags * sizeof *rs->diags);
	}
	struct rdiag *d = &rs->diags[rs->ndiags++];
	d->file = file;
	d->pos = pos;
	d->seq = rs->seq++;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&d->msg, fmt, ap) < 0)
		d->msg = xstrdup("(out of memory formatting a message)");
	va_end(ap);
}

void rfile_locate(const struct rfile *f, uint32_t pos, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;
	for (size_t i = 0; i < pos && i < f->len; i++) {
		if (f->text[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static size_t file_index(const struct ruleset *rs, const struct rfile *f)
{
	for (size_t i = 0; i < rs->nfiles; i++)
		if (rs->files[i] == f)
			return i;
	return (size_t)-1;
}

static const struct ruleset *sort_rs;

static int diag_cmp(const void *x, const void *y)
{
	const struct rdiag *a = *(const struct rdiag *const *)x, *b = *(const struct rdiag *const *)y;
	size_t fa = a->file ? file_index(sort_rs, a->file) : 0;
	size_t fb = b->file ? file_index(sort_rs, b->file) : 0;
	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void ruleset_print_diags(const struct ruleset *rs, FILE *out)
{
	if (!rs->ndiags)
		return;
	const struct rdiag **v = xcalloc(rs->ndiags, sizeof *v);
	for (size_t i = 0; i < rs->ndiags; i++)
		v[i] = &rs->diags[i];
	sort_rs = rs;
	qsort(v, rs->ndiags, sizeof *v, diag_cmp);
	for (size_t i = 0; i < rs->ndiags; i++) {
		if (v[i]->file) {
			unsigned line, col;
			rfile_locate(v[i]->file, v[i]->pos, &line, &col);
			fprintf(out, "%s:%u:%u: error: %s\n", v[i]->file->path, line, col, v[i]->msg);
		} else {
			fprintf(out, "correlator: error: %s\n", v[i]->msg);
		}
	}
	free(v);
}

static size_t load_file(struct ruleset *rs, const char *path)
{
	size_t before = rs->ndiags;
	FILE *f = fopen(path, "rb");
	if (!f) {
		ruleset_error(rs, NULL, 0, "%s: %s", path, strerror(errno));
		return 1;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0 || len > RULE_FILE_MAX)
			break;
	}
	bool err = ferror(f);
	fclose(f);
	if (err || len > RULE_FILE_MAX) {
		ruleset_error(rs, NULL, 0, "%s: %s", path, err ? "read error" : "larger than 16 MiB");
		free(buf);
		return 1;
	}
	if (memchr(buf, '\0', len)) {
		ruleset_error(rs, NULL, 0, "%s: not a text file (NUL byte)", path);
		free(buf);
		return 1;
	}
	const struct rfile *rf = ruleset_add_text(rs, path, buf, len);
	free(buf);
	rule_parse(rs, rf);
	return rs->ndiags - before;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t ruleset_load(struct ruleset *rs, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		ruleset_error(rs, NULL, 0, "%s: %s", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(rs, path);
	DIR *d = opendir(path);
	if (!d) {
		ruleset_error(rs, NULL, 0, "%s: %s", path, strerror(errno));
		return 1;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 5 && !strcmp(de->d_name + l - 5, ".rule") && de->d_name[0] != '.') {
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, name_cmp);
	size_t errs = 0;
	for (size_t i = 0; i < n; i++) {
		char *p;
		size_t pl = strlen(path);
		if (asprintf(&p, "%s%s%s", path, pl && path[pl - 1] == '/' ? "" : "/", names[i]) < 0)
			p = NULL;
		if (p)
			errs += load_file(rs, p);
		free(p);
		free(names[i]);
	}
	free(names);
	return errs;
}
