/*
 * correlator/cli/cli.h - the subcommands of the command-line contract (DESIGN.md):
 * analyze, timeline, rules check|list, formats. Each returns the exit status:
 * 0 ran, 2 usage error, 3 an input could not be read at all.
 */
#ifndef CORRELATOR_CLI_H
#define CORRELATOR_CLI_H

#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>

enum { EXIT_RAN = 0, EXIT_USAGE = 2, EXIT_INPUT = 3 };

int cli_analyze(int argc, char **argv);
int cli_timeline(int argc, char **argv);
int cli_rules(int argc, char **argv);
int cli_formats(int argc, char **argv);
int cli_convert(int argc, char **argv);
void cli_usage(FILE *f);

/* Rules for analyze (cli_rules.c): load -r paths (or the shipped library),
 * print errors and return EXIT_USAGE if any, else set up the engine whose
 * findings go to rep. */
struct ruleset;
struct rule_engine;
struct run;
struct report;
struct rule_engine_opts;
struct cli_rules {
	struct ruleset *rs;
	struct rule_engine *engine;
	const char **labels;
};
int cli_rules_setup(struct cli_rules *cr, const char *const *paths, size_t n, struct run *run,
		    struct report *rep, const struct rule_engine_opts *opts);
/* Once the sources are sniffed: run only the rules their events (and the
 * analyzers', when analysis is on) can fire; verbose: list the rules loaded,
 * run and skipped (with why) on err. */
void cli_rules_plan(struct cli_rules *cr, const struct run *run, bool analysis, bool verbose,
		    FILE *err);
/* The event type families a parser's events fall in ("*": any), for the plan. */
const char *cli_parser_families(const char *parser);
void cli_rules_fini(struct cli_rules *cr);
/* Where the shipped library is (see cli_rules.c); buf may be used. */
const char *cli_rules_default_dir(char *buf, size_t len);

#endif
