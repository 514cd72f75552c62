/*
 * correlator/cli/cli_rules.c - `correlator rules check|list`, and loading the
 * rule set for `analyze` (-r paths, or the shipped library).
 *
 * The shipped library is found, in order, at $CORRELATOR_RULES, beside the
 * executable (bin/../rules, for a build tree), at
 * $(PREFIX)/share/correlator/rules (CORRELATOR_RULES_DIR, set by `make`), and
 * at <exe>/../share/correlator/rules (an install under another prefix or
 * DESTDIR than the one compiled in, as a distribution package builds it).
 * Does not: parse or run rules itself (rule_*.c).
 */
#include "cli.h"
#include "../core/analyzer.h"
#include "../core/fields.h"
#include "../rulelang/finding.h"
#include "../report/report.h"
#include "../rulelang/rule_ast.h"
#include "../rulelang/rule_engine.h"
#include "../core/parser.h"
#include "../core/run.h"
#include "../core/util.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CORRELATOR_RULES_DIR
#define CORRELATOR_RULES_DIR "/usr/local/share/correlator/rules"
#endif

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* the directory of the running executable into exe (PATH_MAX); false if unknown */
static bool exe_dir(char *exe)
{
	ssize_t n = readlink("/proc/self/exe", exe, PATH_MAX - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return true;
}

/* exe + up, resolved into buf when it is a directory */
static const char *exe_rel_dir(const char *exe, const char *up, char *buf, size_t len)
{
	char cand[PATH_MAX + 40];
	snprintf(cand, sizeof cand, "%s%s", exe, up);
	if (is_dir(cand) && len >= PATH_MAX && realpath(cand, buf))
		return buf;
	return NULL;
}

const char *cli_rules_default_dir(char *buf, size_t len)
{
	const char *env = getenv("CORRELATOR_RULES");
	if (env && *env)
		return env;
	char exe[PATH_MAX];
	bool have_exe = exe_dir(exe);
	const char *d;
	if (have_exe) {
		/* bin/correlator -> rules; build/san/bin/correlator -> ../../../rules */
		static const char *const ups[] = { "/../rules", "/../../../rules" };
		for (size_t i = 0; i < ARRAY_LEN(ups); i++)
			if ((d = exe_rel_dir(exe, ups[i], buf, len)))
				return d;
	}
	if (is_dir(CORRELATOR_RULES_DIR) || !have_exe)
		return CORRELATOR_RULES_DIR;
	/* installed under another prefix than compiled in: PREFIX/bin/correlator */
	if ((d = exe_rel_dir(exe, "/../share/correlator/rules", buf, len)))
		return d;
	return CORRELATOR_RULES_DIR;
}

/* Load and check paths (or the default library); prints errors to err.
 * Returns the set, or NULL when any error was found. */
static struct ruleset *load(const char *const *paths, size_t n, FILE *err)
{
	struct ruleset *rs = ruleset_new();
	char buf[PATH_MAX + 32];
	if (n == 0) {
		const char *d = cli_rules_default_dir(buf, sizeof buf);
		if (is_dir(d))
			ruleset_load(rs, d);
		else
			fprintf(err, "correlator: no rule library at %s (nor beside the executable, "
				     "../share/correlator/rules); running without rules "
				     "(install it, set CORRELATOR_RULES, or give -r)\n", d);
	}
	for (size_t i = 0; i < n; i++)
		ruleset_load(rs, paths[i]);
	rule_check(rs);
	if (rs->diags.n) {
		rdiag_print(&rs->diags, err);
		ruleset_free(rs);
		return NULL;
	}
	return rs;
}

static void add_finding(void *ctx, const struct finding *f)
{
	report_add_finding(ctx, f);
}

int cli_rules_setup(struct cli_rules *cr, const char *const *paths, size_t n, struct run *run,
		    struct report *rep, const struct rule_engine_opts *opts)
{
	memset(cr, 0, sizeof *cr);
	cr->rs = load(paths, n, stderr);
	if (!cr->rs) {
		fprintf(stderr, "correlator analyze: the rules have errors (see above)\n");
		return EXIT_USAGE;
	}
	cr->labels = xcalloc(run->nsources ? run->nsources : 1, sizeof *cr->labels);
	for (size_t i = 0; i < run->nsources; i++)
		cr->labels[i] = run->sources[i]->label;
	cr->engine = rule_engine_new(cr->rs, cr->labels, run->nsources, &run->store, add_finding, rep, opts);
	return EXIT_RAN;
}

/* What each input format's events are: capture formats give packets only;
 * every other format (logs, ETW, event logs, replayed timelines) counts as
 * able to give anything, so no rule is skipped for it. A format missing here
 * counts as "*" too (tests/unit/test_rules.c checks the table names real
 * parsers). */
static const struct { const char *parser, *families; } parser_families[] = {
	{ "pcap", "tcp udp dns esp icmp icmpv6 arp ip frame" },
	{ "pcapng", "tcp udp dns esp icmp icmpv6 arp ip frame" },
	{ "netmon", "tcp udp dns esp icmp icmpv6 arp ip frame netmon" },
	{ "netmon-text", "tcp udp dns esp icmp icmpv6 arp ip frame" },
	{ "tshark", "tcp udp dns esp icmp icmpv6 arp ip frame" },
	{ NULL, NULL },
};

const char *cli_parser_families(const char *parser)
{
	for (size_t i = 0; parser && parser_families[i].parser; i++)
		if (!strcmp(parser_families[i].parser, parser))
			return parser_families[i].families;
	return "*";
}

/* Add the space-separated words not yet among out[0, n); returns the new n. */
#define FAM_MAX 64
static size_t add_words(char out[][32], size_t n, const char *words)
{
	const char *p = words;
	while (*p) {
		size_t l = strcspn(p, " ");
		bool have = false;
		for (size_t i = 0; i < n && !have; i++)
			have = strlen(out[i]) == l && !memcmp(out[i], p, l);
		if (l && !have) {
			if (n == FAM_MAX || l >= sizeof out[0]) {
				/* cannot happen with the tables above; be safe: anything */
				strcpy(out[0], "*");
				return n ? n : 1;
			}
			memcpy(out[n], p, l);
			out[n++][l] = '\0';
		}
		p += l;
		while (*p == ' ')
			p++;
	}
	return n;
}

void cli_rules_plan(struct cli_rules *cr, const struct run *run, bool analysis, bool verbose,
		    FILE *err)
{
	char fam[FAM_MAX][32];
	const char *famp[FAM_MAX] = { 0 };
	size_t n = 0;
	for (size_t i = 0; i < run->nsources; i++) {
		const struct source *src = run->sources[i];
		if (!src->nfiles)
			n = add_words(fam, n, "*");
		for (size_t k = 0; k < src->nfiles; k++) {
			const struct parser *p = src->files[k].parser;
			n = add_words(fam, n, cli_parser_families(p ? p->name : NULL));
		}
	}
	for (size_t i = 0; analysis && analyzer_table[i]; i++)
		n = add_words(fam, n, analyzer_table[i]->emits ? analyzer_table[i]->emits : "*");
	for (size_t i = 0; i < n; i++)
		famp[i] = fam[i];
	rule_engine_plan(cr->engine, famp, n);
	if (verbose) {
		fprintf(err, "rules: the events here are of the families:");
		for (size_t i = 0; i < n; i++)
			fprintf(err, " %s", fam[i]);
		fprintf(err, "%s\n", n ? "" : " (none)");
		rule_engine_describe(cr->engine, err);
	}
}

void cli_rules_fini(struct cli_rules *cr)
{
	rule_engine_free(cr->engine);
	ruleset_free(cr->rs);
	free(cr->labels);
	memset(cr, 0, sizeof *cr);
}

static void usage(FILE *f)
{
	fputs("usage: correlator rules check FILE|DIR...\n"
	      "       correlator rules list [-r PATH]...\n"
	      "       correlator rules fields\n"
	      "  check  parse and check rule files; every error as file:line:col: error: message\n"
	      "         exit status 0 clean, 1 errors found, 2 usage error\n"
	      "  list   one line per rule: name, severity, title, file (default: shipped library)\n"
	      "  fields the field names rules can use, with their types, then the event\n"
	      "         types a step can match ([tcp], [fw.drop], a family such as [tcp.handshake])\n",
	      f);
}

/* --help / -h among a subcommand's arguments (before "--"): usage on stdout.
 * An unknown option is a usage error; a file named like one is ./-x. */
static int sub_options(int argc, char **argv, const char *sub)
{
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return EXIT_RAN;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "correlator rules %s: unknown option '%s' (see --help)\n", sub, argv[i]);
			return EXIT_USAGE;
		}
	}
	return -1;
}

static int rules_fields(int argc, char **argv)
{
	int rc = sub_options(argc, argv, "fields");
	if (rc >= 0)
		return rc;
	if (argc > 0) {
		fprintf(stderr, "correlator rules fields: takes no arguments\n");
		return EXIT_USAGE;
	}
	static const char *const pseudo[][3] = {
		{ "ts", "time", "the event's time" }, { "source", "string", "its source label" },
		{ "type", "string", "its type" }, { "ref", "number", "frame / line / record number" },
		{ "msg", "string", "its one-line description" }, { "session", "number", "session id" },
		{ "flow", "string", "the flow as text" }, { "flow.src", "address", "flow source" },
		{ "flow.dst", "address", "flow destination" }, { "flow.sport", "number", "source port" },
		{ "flow.dport", "number", "destination port" }, { "flow.proto", "string", "protocol" },
		{ "host", "address", "ip.src, else the flow's source" },
	};
	for (size_t i = 0; i < ARRAY_LEN(pseudo); i++)
		printf("%-34s %-9s %s\n", pseudo[i][0], pseudo[i][1], pseudo[i][2]);
	for (size_t i = 0; fields_table[i].name; i++)
		printf("%-34s %-9s %s\n", fields_table[i].name, fields_type_name(fields_table[i].type),
		       fields_table[i].doc);
	for (size_t i = 0; fields_open_prefixes[i]; i++)
		printf("%s*%*s %-9s %s\n", fields_open_prefixes[i],
		       (int)(33 - strlen(fields_open_prefixes[i])), "", "any", "open family: any name");
	/* then the event types a step can name, [TYPE] */
	for (size_t i = 0; event_types[i]; i++)
		printf("[%s]%*s %-9s %s\n", event_types[i], (int)(32 - strlen(event_types[i])), "", "event",
		       "event type");
	for (size_t i = 0; event_type_open_prefixes[i]; i++)
		printf("[%s*]%*s %-9s %s\n", event_type_open_prefixes[i],
		       (int)(31 - strlen(event_type_open_prefixes[i])), "", "event", "open family of event types");
	return EXIT_RAN;
}

static int rules_check(int argc, char **argv)
{
	int rc0 = sub_options(argc, argv, "check");
	if (rc0 >= 0)
		return rc0;
	int first = argc > 0 && !strcmp(argv[0], "--") ? 1 : 0;
	if (argc - first < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	struct ruleset *rs = ruleset_new();
	for (int i = first; i < argc; i++)
		ruleset_load(rs, argv[i]);
	rule_check(rs);
	int rc = 0;
	if (rs->diags.n) {
		rdiag_print(&rs->diags, stderr);
		fprintf(stderr, "%zu error%s\n", rs->diags.n, rs->diags.n == 1 ? "" : "s");
		rc = 1;
	} else {
		printf("%zu rule%s OK\n", rs->nrules, rs->nrules == 1 ? "" : "s");
	}
	ruleset_free(rs);
	return rc;
}

static int rules_list(int argc, char **argv)
{
	const char *paths[64];
	size_t n = 0;
	optind = 1;
	opterr = 0;
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o;
	while ((o = getopt_long(argc, argv, ":r:h", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			if (n == ARRAY_LEN(paths)) {
				fprintf(stderr, "correlator rules list: too many -r options\n");
				return EXIT_USAGE;
			}
			paths[n++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_RAN;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	struct ruleset *rs = load(paths, n, stderr);
	if (!rs)
		return 1;
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];
		printf("%-36s %-8s %s  (%s)\n", r->name, severity_name((enum severity)r->severity),
		       r->title, r->file->path);
	}
	ruleset_free(rs);
	return EXIT_RAN;
}

int cli_rules(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_RAN;
	}
	if (!strcmp(argv[1], "check"))
		return rules_check(argc - 2, argv + 2);
	if (!strcmp(argv[1], "list"))
		return rules_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fields"))
		return rules_fields(argc - 2, argv + 2);
	fprintf(stderr, "correlator rules: unknown subcommand '%s' (check, list, fields)\n", argv[1]);
	return EXIT_USAGE;
}
