/*
 * correlator/rulelang/rule_set.c - a set of rule files: loading files and
 * directories, then parsing each (rule_parse.c); errors go to the set's
 * diagnostics (rule_diag.c).
 * Does not: tokenize (rule_lex.c), parse (rule_parse.c) or check (rule_check.c).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "rule_ast.h"
#include "../core/util.h"

#include <dirent.h>
#include <errno.h>
#include <pcre2.h>
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
	rdiag_free(&rs->diags);
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
	f->index = (unsigned)rs->nfiles;
	rs->files = xrealloc(rs->files, (rs->nfiles + 1) * sizeof *rs->files);
	rs->files[rs->nfiles++] = f;
	return f;
}

static size_t load_file(struct ruleset *rs, const char *path)
{
	size_t before = rs->diags.n;
	FILE *f = fopen(path, "rb");
	if (!f) {
		rdiag_error(&rs->diags, NULL, 0, "%s: %s", path, strerror(errno));
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
		rdiag_error(&rs->diags, NULL, 0, "%s: %s", path, err ? "read error" : "larger than 16 MiB");
		free(buf);
		return 1;
	}
	if (memchr(buf, '\0', len)) {
		rdiag_error(&rs->diags, NULL, 0, "%s: not a text file (NUL byte)", path);
		free(buf);
		return 1;
	}
	const struct rfile *rf = ruleset_add_text(rs, path, buf, len);
	free(buf);
	rule_parse(rs, rf);
	return rs->diags.n - before;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t ruleset_load(struct ruleset *rs, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		rdiag_error(&rs->diags, NULL, 0, "%s: %s", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(rs, path);
	DIR *d = opendir(path);
	if (!d) {
		rdiag_error(&rs->diags, NULL, 0, "%s: %s", path, strerror(errno));
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
