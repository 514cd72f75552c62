/*
 * correlator/cli.h - the subcommands of the command-line contract (DESIGN.md):
 * analyze, timeline, rules check|list, formats. Each returns the exit status:
 * 0 ran, 2 usage error, 3 an input could not be read at all.
 */
#ifndef CORRELATOR_CLI_H
#define CORRELATOR_CLI_H

#include <stdio.h>

enum { EXIT_RAN = 0, EXIT_USAGE = 2, EXIT_INPUT = 3 };

int cli_analyze(int argc, char **argv);
int cli_timeline(int argc, char **argv);
int cli_rules(int argc, char **argv);
int cli_formats(int argc, char **argv);
void cli_usage(FILE *f);

#endif
