/*
 * correlator/cli_rules.c - `correlator rules check|list`.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_rules(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs("usage: correlator rules check FILE...\n       correlator rules list [-r PATH]\n",
		      argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_RAN;
	}
	fprintf(stderr, "correlator rules: the rule engine is not part of this build yet\n");
	return EXIT_USAGE;
}
