/*
 * correlator/cli/main.c - entry point: dispatch to the subcommand; --help and
 * --version.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#ifndef CORRELATOR_VERSION
#define CORRELATOR_VERSION "0.1.0"
#endif

int main(int argc, char **argv)
{
	if (argc < 2) {
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "analyze"))
		return cli_analyze(argc - 1, argv + 1);
	if (!strcmp(cmd, "timeline"))
		return cli_timeline(argc - 1, argv + 1);
	if (!strcmp(cmd, "rules"))
		return cli_rules(argc - 1, argv + 1);
	if (!strcmp(cmd, "convert"))
		return cli_convert(argc - 1, argv + 1);
	if (!strcmp(cmd, "formats"))
		return cli_formats(argc - 1, argv + 1);
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V") || !strcmp(cmd, "version")) {
		printf("correlator %s\n", CORRELATOR_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		cli_usage(stdout);
		return 0;
	}
	fprintf(stderr, "correlator: unknown command '%s'\n", cmd);
	cli_usage(stderr);
	return EXIT_USAGE;
}
