/*
 * correlator/cli/cli.c - `analyze`, `timeline` and `formats`: option parsing,
 * source setup, running the pass, writing the output atomically.
 * Does not: parse rule files (rule_*.c) or render reports (report_*.c).
 */
#include "cli.h"
#include "../analyze/log_clock.h"
#include "../analyze/path_match.h"
#include "../core/pipeline.h"
#include "../report/report.h"
#include "../rulelang/rule_engine.h"
#include "../core/run.h"
#include "../core/sessions.h"
#include "../core/source.h"
#include "../report/timeline_out.h"
#include "../core/util.h"
#include "../core/parser.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SOURCES 1024
#define MAX_RULE_PATHS 64

struct cli {
	const char *cmd;
	const char *format;       /* output format */
	const char *output;       /* -o */
	const char *rule_paths[MAX_RULE_PATHS];
	size_t nrules;
	bool no_analysis;
	bool quiet;
	bool no_progress;
	bool verbose;             /* -v: the rules loaded, run and skipped */
	size_t rule_keys;         /* --rule-keys: live keys per rule */
	size_t re_match_limit, re_depth_limit; /* --regex-match-limit, --regex-depth-limit */
	struct run run;
	/* per-label options, applied once sources exist */
	char *tz[MAX_SOURCES], *offset[MAX_SOURCES], *infmt[MAX_SOURCES];
	size_t ntz, noffset, ninfmt;
};

enum {
	OPT_TZ = 1000, OPT_OFFSET, OPT_NO_PROGRESS, OPT_INPUT_FORMAT, OPT_IDLE_GAP,
	OPT_MAX_SESSIONS, OPT_MAX_LINE, OPT_NO_ANALYSIS, OPT_QUIET, OPT_RULE_KEYS,
	OPT_MAX_XML_DEPTH, OPT_MAX_FRAG_BYTES, OPT_MAX_FRAG_CHAINS, OPT_RE_MATCH_LIMIT,
	OPT_RE_DEPTH_LIMIT, OPT_RETRANS_MIN, OPT_THREADS,
};

static const struct option long_opts[] = {
	{ "rules", required_argument, NULL, 'r' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "clock-offset", required_argument, NULL, OPT_OFFSET },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "input-format", required_argument, NULL, OPT_INPUT_FORMAT },
	{ "idle-gap", required_argument, NULL, OPT_IDLE_GAP },
	{ "retrans-min", required_argument, NULL, OPT_RETRANS_MIN },
	{ "max-sessions", required_argument, NULL, OPT_MAX_SESSIONS },
	{ "max-line", required_argument, NULL, OPT_MAX_LINE },
	{ "no-analysis", no_argument, NULL, OPT_NO_ANALYSIS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "verbose", no_argument, NULL, 'v' },
	{ "rule-keys", required_argument, NULL, OPT_RULE_KEYS },
	{ "max-xml-depth", required_argument, NULL, OPT_MAX_XML_DEPTH },
	{ "max-frag-bytes", required_argument, NULL, OPT_MAX_FRAG_BYTES },
	{ "max-frag-chains", required_argument, NULL, OPT_MAX_FRAG_CHAINS },
	{ "regex-match-limit", required_argument, NULL, OPT_RE_MATCH_LIMIT },
	{ "regex-depth-limit", required_argument, NULL, OPT_RE_DEPTH_LIMIT },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ NULL, 0, NULL, 0 },
};

void cli_usage(FILE *f)
{
	fputs("usage: correlator COMMAND [OPTIONS] ...\n"
	      "  analyze  [OPTIONS] [LABEL=]PATH ...   report on the evidence (stdout or -o)\n"
	      "  timeline [OPTIONS] [LABEL=]PATH ...   merged, clock-corrected events incl. analysis events\n"
	      "  rules check FILE...                   validate rule files (file:line:col: message)\n"
	      "  rules list [-r PATH]                  one line per rule\n"
	      "  rules fields                          the field names and event types rules can use\n"
	      "  convert FILE.etl -o FILE.pcapng       the packets of a binary ETW trace as pcapng\n"
	      "  formats                               the input formats and what each sniffs for\n"
	      "Run 'correlator COMMAND --help' for the options of a command;\n"
	      "'correlator --version' prints the version.\n"
	      "exit status: 0 ran, 2 usage error, 3 an input could not be read at all\n",
	      f);
}

static void source_options_help(FILE *f)
{
	fputs("  PATH is a capture or log file, a directory or a quoted glob of many files\n"
	      "  (a capture ring: one source, read in time order). LABEL names the vantage\n"
	      "  point in the report (default: the file name). Formats are sniffed from\n"
	      "  content, never from the file name.\n"
	      "  --input-format [LABEL=]NAME  read LABEL (or every source) as format NAME\n"
	      "  --tz LABEL=ZONE              LABEL's log times are local in ZONE\n"
	      "                               (Europe/Berlin, +01:00, UTC)\n"
	      "  --clock-offset LABEL=[+-]DUR add DUR to LABEL's times (500ms, -10m, +00:10:02.5)\n"
	      "  --idle-gap DUR               tcp.idle threshold (default 5m)\n"
	      "  --retrans-min N              retransmissions of one segment that make\n"
	      "                               tcp.retransmission_exhausted (default 3)\n"
	      "  --max-sessions N             live sessions held at once (default 1000000)\n"
	      "  --max-line BYTES             longest log line accepted (default 1 MiB)\n"
	      "  --max-xml-depth N            XML nesting accepted in event XML (default 64)\n"
	      "  --max-frag-bytes BYTES       reassembly buffer per IP fragment chain (default 65535)\n"
	      "  --max-frag-chains N          IP fragment chains held at once (default 256)\n"
	      "  (limits that bite are counted and named in the report; see docs/limits.md)\n"
	      "  --threads N                  threads of the run: 1 reads and decodes every\n"
	      "                               source on the main thread; default (or env\n"
	      "                               CORRELATOR_THREADS) one per source plus the main\n"
	      "                               thread, at most the CPUs; the output is the same\n"
	      "  --no-progress                never print the progress line\n"
	      "  --quiet                      no per-record warnings on stderr (still counted)\n"
	      "  -o, --output FILE            write there (atomically) instead of stdout\n",
	      f);
}

static void analyze_help(FILE *f)
{
	fputs("usage: correlator analyze [OPTIONS] [LABEL=]PATH ...\n"
	      "  Reads every source once, merges them on one clock-corrected timeline, runs\n"
	      "  the analyzers and rules, and writes the incident report.\n"
	      "  -f, --format FMT   text (default) | md | html | json\n"
	      "  -r, --rules PATH   rule file or directory, repeatable (default: shipped library)\n"
	      "  --rule-keys N      live keys (partial matches, windows) per rule (default 100000)\n"
	      "  --regex-match-limit N  PCRE2 match limit per rule regex match (default 100000)\n"
	      "  --regex-depth-limit N  PCRE2 depth limit per rule regex match (default 2000)\n"
	      "  --no-analysis      no analyzers: rules see only the events read (a replayed\n"
	      "                     timeline -f jsonl already holds its analysis events)\n"
	      "  -v, --verbose      list on stderr the rules loaded, and which are skipped\n"
	      "                     because no source or analyzer here gives the events a\n"
	      "                     step needs (a pcap alone: no ETW, log or pktmon rules)\n",
	      f);
	source_options_help(f);
}

static void timeline_help(FILE *f)
{
	fputs("usage: correlator timeline [OPTIONS] [LABEL=]PATH ...\n"
	      "  Prints every event of every source in corrected time order, with the\n"
	      "  analysis events the analyzers add.\n"
	      "  -f, --format FMT   text (default) | jsonl | csv (Timesketch columns)\n"
	      "  --no-analysis      only the events read from the sources\n",
	      f);
	source_options_help(f);
}

/* "LABEL=VALUE" -> label and value; false if there is no '='. */
static bool split_label(const char *arg, char *label, size_t llen, const char **value)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || (size_t)(eq - arg) >= llen)
		return false;
	memcpy(label, arg, (size_t)(eq - arg));
	label[eq - arg] = '\0';
	*value = eq + 1;
	return true;
}

static struct source *find_label(struct run *run, const char *label)
{
	for (size_t i = 0; i < run->nsources; i++)
		if (!strcmp(run->sources[i]->label, label))
			return run->sources[i];
	return NULL;
}

static int apply_source_options(struct cli *c)
{
	char label[256];
	const char *v;
	for (size_t i = 0; i < c->ninfmt; i++) {
		if (split_label(c->infmt[i], label, sizeof label, &v)) {
			struct source *s = find_label(&c->run, label);
			if (!s) {
				fprintf(stderr, "correlator: --input-format: no source labelled '%s'\n", label);
				return EXIT_USAGE;
			}
			s->format = v;
		} else {
			for (size_t k = 0; k < c->run.nsources; k++)
				c->run.sources[k]->format = c->infmt[i];
			v = c->infmt[i];
		}
		if (!parser_by_name(v)) {
			fprintf(stderr, "correlator: --input-format: unknown format '%s' (see 'correlator formats')\n", v);
			return EXIT_USAGE;
		}
	}
	for (size_t i = 0; i < c->ntz; i++) {
		struct source *s;
		if (!split_label(c->tz[i], label, sizeof label, &v) || !(s = find_label(&c->run, label))) {
			fprintf(stderr, "correlator: --tz %s: expected LABEL=ZONE naming a source\n", c->tz[i]);
			return EXIT_USAGE;
		}
		if (!tz_parse(v, &s->tz)) {
			fprintf(stderr, "correlator: --tz %s: unknown time zone '%s'\n", c->tz[i], v);
			return EXIT_USAGE;
		}
		s->tz_given = true;
	}
	for (size_t i = 0; i < c->noffset; i++) {
		struct source *s;
		int64_t ns;
		if (!split_label(c->offset[i], label, sizeof label, &v) || !(s = find_label(&c->run, label))) {
			fprintf(stderr, "correlator: --clock-offset %s: expected LABEL=DURATION naming a source\n",
				c->offset[i]);
			return EXIT_USAGE;
		}
		if (!parse_duration(v, &ns)) {
			fprintf(stderr, "correlator: --clock-offset %s: '%s' is not a duration (e.g. -10m, 500ms)\n",
				c->offset[i], v);
			return EXIT_USAGE;
		}
		s->clock_offset = ns;
		s->offset_origin = OFFSET_GIVEN;
	}
	return EXIT_RAN;
}

/* -o PATH that exists and is not a regular file (a device such as
 * /dev/null, a FIFO, a symbolic link) is written in place, not through a
 * temporary file renamed over it (see struct out). */
static bool out_in_place(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

/* -o PATH can be written: its directory exists and is writable, and PATH is
 * not a directory (or, written in place, PATH itself is writable). Checked
 * before any input is read, so a long capture ring is not analysed for a
 * report that cannot be saved. */
static bool output_writable(const char *path)
{
	if (!path || !strcmp(path, "-"))
		return true;
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "correlator: -o %s: is a directory (give a file name)\n", path);
		return false;
	}
	if (out_in_place(path)) {
		if (access(path, W_OK) == 0)
			return true;
		fprintf(stderr, "correlator: -o %s: not writable: %s\n", path, strerror(errno));
		return false;
	}
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
	bool ok = true;
	if (stat(d, &st) != 0) {
		fprintf(stderr, "correlator: -o %s: directory %s: %s\n", path, d, strerror(errno));
		ok = false;
	} else if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "correlator: -o %s: %s is not a directory\n", path, d);
		ok = false;
	} else if (access(d, W_OK | X_OK) != 0) {
		fprintf(stderr, "correlator: -o %s: directory %s is not writable: %s\n", path, d, strerror(errno));
		ok = false;
	}
	free(dir);
	return ok;
}

static bool parse_count(const char *s, size_t *out)
{
	uint64_t v;
	if (!parse_u64(s, strlen(s), SIZE_MAX, &v) || v == 0)
		return false;
	*out = (size_t)v;
	return true;
}

/* One file given as two sources is two "vantage points" with a 0 ns one-way
 * delay: a warning (stderr and the report's notes), not an error. */
static void same_file_warning(struct cli *c)
{
	for (size_t i = 0; i < c->run.nsources; i++) {
		struct stat a, b;
		if (stat(c->run.sources[i]->spec, &a) != 0)
			continue;
		for (size_t k = 0; k < i; k++) {
			if (stat(c->run.sources[k]->spec, &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
				continue;
			fprintf(stderr, "correlator: warning: sources '%s' and '%s' are the same %s (%s): "
					"two vantage points that are one capture show a 0 ns delay between them\n",
				c->run.sources[k]->label, c->run.sources[i]->label,
				S_ISDIR(a.st_mode) ? "directory" : "file", c->run.sources[i]->spec);
			source_note(c->run.sources[i], "the same %s as source '%s'",
				    S_ISDIR(a.st_mode) ? "directory" : "file", c->run.sources[k]->label);
			break;
		}
	}
}

/* --tz on a source whose format stamps UTC (captures, event logs, saved
 * timelines) changes nothing: say so once resolved (the format is known). */
static void tz_ignored_warning(struct cli *c)
{
	static const char *const utc_formats[] = { "pcap", "pcapng", "evtx", "evtx-libevtx", "evtx-xml",
						   "jsonl", "msgtrk", NULL };
	for (size_t i = 0; i < c->run.nsources; i++) {
		struct source *s = c->run.sources[i];
		if (!s->tz_given || s->unreadable)
			continue;
		const struct parser *p = NULL;
		for (size_t k = 0; k < s->nfiles && !p; k++)
			if (!s->files[k].failed)
				p = s->files[k].parser;
		for (size_t k = 0; p && utc_formats[k]; k++) {
			if (strcmp(p->name, utc_formats[k]))
				continue;
			fprintf(stderr, "correlator: warning: --tz %s: %s stores UTC times; the zone is ignored "
					"(a known skew is --clock-offset %s=DURATION)\n", s->label, p->name, s->label);
			source_note(s, "--tz ignored: %s stores UTC times", p->name);
			break;
		}
	}
}

/* --threads N or CORRELATOR_THREADS=N: 0 on success. */
static int parse_threads(const char *what, const char *arg, struct run_options *opt)
{
	size_t n;
	if (!parse_count(arg, &n) || n < 1 || n > 256) {
		fprintf(stderr, "correlator: %s: '%s' is not a number from 1 to 256\n", what, arg);
		return -1;
	}
	opt->threads = (unsigned)n;
	return 0;
}

/* Parse options and sources shared by analyze and timeline. Returns -1 to go
 * on, or an exit status. */
static int parse_common(struct cli *c, int argc, char **argv, void (*help)(FILE *))
{
	run_options_default(&c->run.opt);
	arena_init(&c->run.store, 0);
	const char *env_threads = getenv("CORRELATOR_THREADS");
	if (env_threads && *env_threads && parse_threads("CORRELATOR_THREADS", env_threads, &c->run.opt) != 0)
		return EXIT_USAGE;
	optind = 1;
	opterr = 0;
	int o;
	while ((o = getopt_long(argc, argv, ":r:f:o:hv", long_opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			if (c->nrules == MAX_RULE_PATHS) {
				fprintf(stderr, "correlator: too many -r options\n");
				return EXIT_USAGE;
			}
			c->rule_paths[c->nrules++] = optarg;
			break;
		case 'f': c->format = optarg; break;
		case 'o': c->output = optarg; break;
		case 'h': help(stdout); return EXIT_RAN;
		case OPT_TZ: if (c->ntz < MAX_SOURCES) c->tz[c->ntz++] = optarg; break;
		case OPT_OFFSET: if (c->noffset < MAX_SOURCES) c->offset[c->noffset++] = optarg; break;
		case OPT_INPUT_FORMAT: if (c->ninfmt < MAX_SOURCES) c->infmt[c->ninfmt++] = optarg; break;
		case OPT_NO_PROGRESS: c->no_progress = true; break;
		case OPT_NO_ANALYSIS: c->no_analysis = true; break;
		case OPT_QUIET: c->quiet = true; break;
		case 'v': c->verbose = true; break;
		case OPT_IDLE_GAP:
			if (*optarg && strspn(optarg, "0123456789.") == strlen(optarg)) {
				fprintf(stderr, "correlator: --idle-gap: '%s' has no unit (ns us ms s m h d: "
						"%sm, %ss)\n", optarg, optarg, optarg);
				return EXIT_USAGE;
			}
			if (!parse_duration(optarg, &c->run.opt.idle_gap) || c->run.opt.idle_gap <= 0) {
				fprintf(stderr, "correlator: --idle-gap: '%s' is not a duration\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_RETRANS_MIN: {
			size_t n;
			if (!parse_count(optarg, &n) || n < 1 || n > 1000) {
				fprintf(stderr, "correlator: --retrans-min: '%s' is not a number from 1 to 1000\n", optarg);
				return EXIT_USAGE;
			}
			c->run.opt.retrans_min = (unsigned)n;
			break;
		}
		case OPT_THREADS:
			if (parse_threads("--threads", optarg, &c->run.opt) != 0)
				return EXIT_USAGE;
			break;
		case OPT_MAX_SESSIONS:
			if (!parse_count(optarg, &c->run.opt.max_sessions)) {
				fprintf(stderr, "correlator: --max-sessions: '%s' is not a positive number\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_RULE_KEYS:
			if (!parse_count(optarg, &c->rule_keys)) {
				fprintf(stderr, "correlator: --rule-keys: '%s' is not a positive number\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_MAX_LINE:
			if (!parse_count(optarg, &c->run.opt.limits.max_line)) {
				fprintf(stderr, "correlator: --max-line: '%s' is not a positive number\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_MAX_XML_DEPTH:
		case OPT_MAX_FRAG_BYTES:
		case OPT_MAX_FRAG_CHAINS:
		case OPT_RE_MATCH_LIMIT:
		case OPT_RE_DEPTH_LIMIT: {
			size_t v, cap = o == OPT_MAX_FRAG_BYTES ? 65535 : o == OPT_MAX_XML_DEPTH ? 100000
				     : o == OPT_MAX_FRAG_CHAINS ? 1000000 : UINT32_MAX;
			const char *name = o == OPT_MAX_XML_DEPTH ? "--max-xml-depth"
					   : o == OPT_MAX_FRAG_BYTES ? "--max-frag-bytes"
					   : o == OPT_MAX_FRAG_CHAINS ? "--max-frag-chains"
					   : o == OPT_RE_MATCH_LIMIT ? "--regex-match-limit" : "--regex-depth-limit";
			if (!parse_count(optarg, &v) || v > cap) {
				fprintf(stderr, "correlator: %s: '%s' is not a number from 1 to %zu\n",
					name, optarg, cap);
				return EXIT_USAGE;
			}
			if (o == OPT_MAX_XML_DEPTH)
				c->run.opt.limits.max_xml_depth = (unsigned)v;
			else if (o == OPT_MAX_FRAG_BYTES)
				c->run.opt.limits.max_frag_bytes = v;
			else if (o == OPT_MAX_FRAG_CHAINS)
				c->run.opt.limits.max_frag_chains = v;
			else if (o == OPT_RE_MATCH_LIMIT)
				c->re_match_limit = v;
			else
				c->re_depth_limit = v;
			break;
		}
		case ':':
			fprintf(stderr, "correlator %s: option '%s' needs a value\n", c->cmd, argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "correlator %s: unknown option '%s' (see --help)\n", c->cmd, argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "correlator %s: no input given (see --help)\n", c->cmd);
		return EXIT_USAGE;
	}
	if (!output_writable(c->output))
		return EXIT_USAGE;
	size_t n = (size_t)(argc - optind);
	if (n > MAX_SOURCES) {
		fprintf(stderr, "correlator: at most %d sources (a directory counts as one)\n", MAX_SOURCES);
		return EXIT_USAGE;
	}
	c->run.sources = xcalloc(n, sizeof *c->run.sources);
	for (size_t i = 0; i < n; i++) {
		const char *arg = argv[optind + (int)i];
		struct stat ast;
		if (arg[0] == '=' && stat(arg, &ast) != 0) {
			fprintf(stderr, "correlator: '%s': empty label (write LABEL=PATH, or the path alone)\n", arg);
			return EXIT_USAGE;
		}
		struct source *s = source_new((unsigned)i, arg);
		s->limits = &c->run.opt.limits;
		s->quiet = c->quiet;
		for (size_t k = 0; k < c->run.nsources; k++) {
			if (!strcmp(c->run.sources[k]->label, s->label)) {
				fprintf(stderr, "correlator: two sources are labelled '%s'; name them LABEL=PATH\n",
					s->label);
				source_free(s);
				return EXIT_USAGE;
			}
		}
		c->run.sources[c->run.nsources++] = s;
	}
	int rc = apply_source_options(c);
	if (rc != EXIT_RAN)
		return rc;
	same_file_warning(c);
	c->run.opt.progress = !c->no_progress && isatty(STDERR_FILENO);
	return -1;
}

/* Resolve every source; unreadable ones are reported and left out of the pass.
 * Returns true if at least one can be read. */
static bool resolve_sources(struct cli *c, bool *some_failed)
{
	bool any = false;
	*some_failed = false;
	for (size_t i = 0; i < c->run.nsources; i++) {
		struct source *s = c->run.sources[i];
		if (source_resolve(s) != 0) {
			fprintf(stderr, "correlator: %s: %s\n", s->label, s->error);
			*some_failed = true;
			continue;
		}
		any = true;
	}
	source_set_time_hints(c->run.sources, c->run.nsources);
	tz_ignored_warning(c);
	return any;
}

static void cli_free(struct cli *c)
{
	for (size_t i = 0; i < c->run.nsources; i++)
		source_free(c->run.sources[i]);
	free(c->run.sources);
	path_map_free(c->run.path_map);
	arena_free(&c->run.store);
}

/* Output to a regular file (or a new one) goes to a temporary file beside
 * the target, renamed when complete, so a failed run never leaves half a
 * report. Anything else that exists is written in place (out_in_place):
 * renaming over a device or a link would replace it with a plain file. */
struct out {
	FILE *f;
	char *tmp;  /* NULL when written in place */
	const char *path;
};

static bool out_open(struct out *o, const char *path)
{
	o->path = path;
	o->tmp = NULL;
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return true;
	}
	if (out_in_place(path)) {
		o->f = fopen(path, "w");
	} else {
		if (asprintf(&o->tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
			return false;
		o->f = fopen(o->tmp, "w");
	}
	if (!o->f) {
		fprintf(stderr, "correlator: cannot write %s: %s\n", path, strerror(errno));
		free(o->tmp);
		return false;
	}
	return true;
}

static bool out_close(struct out *o)
{
	bool ok = fflush(o->f) == 0 && !ferror(o->f);
	if (o->f == stdout) {
		if (!ok)
			fprintf(stderr, "correlator: error writing the output: %s\n", strerror(errno));
		return ok;
	}
	ok = fclose(o->f) == 0 && ok;
	if (ok && o->tmp && rename(o->tmp, o->path) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "correlator: cannot write %s: %s\n", o->path, strerror(errno));
		if (o->tmp)
			unlink(o->tmp);
	}
	free(o->tmp);
	return ok;
}

int cli_timeline(int argc, char **argv)
{
	struct cli c = { .cmd = "timeline" };
	int rc = parse_common(&c, argc, argv, timeline_help);
	if (rc >= 0) {
		cli_free(&c);
		return rc;
	}
	struct timeline_out tout = { .run = &c.run };
	if (!c.format || !strcmp(c.format, "text"))
		tout.fmt = TL_TEXT;
	else if (!strcmp(c.format, "jsonl"))
		tout.fmt = TL_JSONL;
	else if (!strcmp(c.format, "csv"))
		tout.fmt = TL_CSV;
	else {
		fprintf(stderr, "correlator timeline: unknown format '%s' (text, jsonl, csv)\n", c.format);
		cli_free(&c);
		return EXIT_USAGE;
	}
	bool some_failed;
	if (!resolve_sources(&c, &some_failed)) {
		cli_free(&c);
		return EXIT_INPUT;
	}
	struct out o;
	if (!out_open(&o, c.output)) {
		cli_free(&c);
		return EXIT_USAGE;
	}
	tout.f = o.f;
	timeline_out_begin(&tout);
	struct sessions *ss = sessions_new(&c.run);
	c.run.path_map = path_prepass(&c.run, ss);  /* match captures, align clocks */
	if (!c.no_analysis)
		log_clock_prepass(&c.run);             /* logs onto the capture clock */
	struct sink sink = timeline_out_sink(&tout);
	pipeline_run(&c.run, ss, &sink, 1, !c.no_analysis);
	sessions_free(ss);
	bool ok = out_close(&o);
	for (size_t i = 0; i < c.run.nsources; i++)
		some_failed |= c.run.sources[i]->unreadable;
	cli_free(&c);
	if (!ok)
		return EXIT_INPUT;
	return some_failed ? EXIT_INPUT : EXIT_RAN;
}

int cli_analyze(int argc, char **argv)
{
	struct cli c = { .cmd = "analyze" };
	int rc = parse_common(&c, argc, argv, analyze_help);
	if (rc >= 0) {
		cli_free(&c);
		return rc;
	}
	void (*writer)(const struct report *, FILE *);
	if (!c.format || !strcmp(c.format, "text"))
		writer = report_write_text;
	else if (!strcmp(c.format, "json"))
		writer = report_write_json;
	else if (!strcmp(c.format, "md"))
		writer = report_write_md;
	else if (!strcmp(c.format, "html"))
		writer = report_write_html;
	else {
		fprintf(stderr, "correlator analyze: unknown format '%s' (text, md, html, json)\n", c.format);
		cli_free(&c);
		return EXIT_USAGE;
	}
	bool some_failed;
	struct report rep;
	struct cli_rules cr;
	report_init(&rep, &c.run, NULL);
	struct rule_engine_opts ro = { .max_keys = c.rule_keys, .match_limit = (uint32_t)c.re_match_limit,
				       .depth_limit = (uint32_t)c.re_depth_limit };
	if (cli_rules_setup(&cr, c.rule_paths, c.nrules, &c.run, &rep, &ro) != EXIT_RAN) {
		report_fini(&rep);
		cli_free(&c);
		return EXIT_USAGE;
	}
	bool any = resolve_sources(&c, &some_failed);
	cli_rules_plan(&cr, &c.run, !c.no_analysis, c.verbose, stderr);
	struct sessions *ss = sessions_new(&c.run);
	if (any && !c.no_analysis) {
		c.run.path_map = path_prepass(&c.run, ss);  /* match captures, align clocks */
		log_clock_prepass(&c.run);                  /* logs onto the capture clock */
	}
	rep.sessions = ss;
	struct sink sinks[PIPELINE_MAX_SINKS];
	unsigned ns = 0;
	sinks[ns++] = report_sink(&rep);
	sinks[ns++] = rule_engine_sink(cr.engine);
	if (any)
		pipeline_run(&c.run, ss, sinks, ns, !c.no_analysis);
	incident_group(&rep);
	struct out o;
	bool ok = false;
	if (out_open(&o, c.output)) {
		writer(&rep, o.f);
		ok = out_close(&o);
	}
	report_fini(&rep);
	cli_rules_fini(&cr);
	sessions_free(ss);
	for (size_t i = 0; i < c.run.nsources; i++)
		some_failed |= c.run.sources[i]->unreadable;
	cli_free(&c);
	if (!ok)
		return EXIT_USAGE;
	return some_failed ? EXIT_INPUT : EXIT_RAN;
}

int cli_formats(int argc, char **argv)
{
	if (argc > 1) {
		bool help = !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h");
		fprintf(help ? stdout : stderr, "%s"
			"usage: correlator formats\n"
			"  lists every input format: its name (for --input-format), what it reads and\n"
			"  what its content is sniffed for (formats are never told by file name)\n",
			help ? "" : "correlator formats: takes no arguments\n");
		return help ? EXIT_RAN : EXIT_USAGE;
	}
	printf("%-12s %s\n", "format", "what it reads / what it sniffs for");
	for (size_t i = 0; parser_table[i]; i++) {
		printf("%-12s %s\n", parser_table[i]->name, parser_table[i]->summary);
		printf("%-12s   sniffs: %s\n", "", parser_table[i]->sniffs);
	}
	return EXIT_RAN;
}
