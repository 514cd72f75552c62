/*
 * tests/bench/parse_only.c - parser-only throughput: opens FILE with parser
 * NAME and pulls every event through next_event() on one thread, no merge,
 * no sessions, no output. Prints "events skipped wall_s lines/s cpu_s lines/cpu_s".
 * Built and run by tests/bench/bench_syslog.sh (not part of the product).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../correlator/core/source.h"
#include "../../correlator/core/parser.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: parse_only NAME FILE\n");
		return 2;
	}
	const struct parser *p = parser_by_name(argv[1]);
	if (!p)
		return 2;
	struct source *src = source_new(0, argv[2]);
	src->quiet = true;
	struct limits lim = { .max_line = 1 << 20 };
	src->limits = &lim;
	void *st;
	struct timespec a, b, ca, cb;
	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
	if (p->open(src, argv[2], &st) != 0)
		return 3;
	struct event *ev = malloc(sizeof *ev);
	unsigned long long events = 0, lines = 0;
	for (;;) {
		event_reset(ev);
		pr_status rc = p->next_event(st, ev);
		if (rc == PR_EOF || rc == PR_FATAL)
			break;
		lines++;
		events += rc == PR_EVENT;
	}
	p->close(st);
	clock_gettime(CLOCK_MONOTONIC, &b);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	double c = (double)(cb.tv_sec - ca.tv_sec) + (double)(cb.tv_nsec - ca.tv_nsec) / 1e9;
	/* CPU time gives the per-core rate even on a loaded machine */
	printf("%llu %llu %.3f %.0f %.3f %.0f\n", events, lines - events, s, (double)lines / s, c,
	       (double)lines / c);
	free(ev);
	source_free(src);
	return 0;
}
