/*
 * tests/bench/parse_rate.c - parser-only rate: reads each file given through
 * the parser its content sniffs to (exactly as the CLI resolves a source) and
 * counts events, timing the loop in CPU time. No timeline, sessions,
 * analyzers or output: the cost of the parser alone. Built and run by
 * tests/bench/bench_logs.sh against the release objects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../correlator/core/event.h"
#include "../../correlator/core/run.h"
#include "../../correlator/core/source.h"
#include "../../correlator/core/parser.h"

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct run_options opt;
	run_options_default(&opt);
	struct event *ev = malloc(sizeof *ev);
	for (int i = 1; i < argc; i++) {
		struct source *src = source_new(0, argv[i]);
		src->quiet = true;
		src->limits = &opt.limits;
		if (source_resolve(src) != 0) {
			fprintf(stderr, "%s: %s\n", argv[i], src->error ? src->error : "unreadable");
			source_free(src);
			return 1;
		}
		double t0 = cpu_now();
		uint64_t n = 0;
		while (source_next(src, ev))
			n++;
		double t = cpu_now() - t0;
		printf("%-28s %9llu events, %llu skipped  cpu %6.3f s %10.0f events/s (parser only, %s)\n",
		       "", (unsigned long long)n, (unsigned long long)src->skipped, t, t > 0 ? (double)n / t : 0.0,
		       src->files[0].parser->name);
		source_close(src);
		source_free(src);
	}
	free(ev);
	return 0;
}
