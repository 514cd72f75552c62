/*
 * tests/bench/bench_parser.c - records/second of one parser on one file:
 * opens the file REPEAT times through the parser interface, reads every
 * event, prints events, seconds (CPU time of this single thread) and rate.
 * Usage: bench_parser FORMAT FILE [REPEAT]
 */
#include "../../correlator/core/parser.h"
#include "../../correlator/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_parser FORMAT FILE [REPEAT]\n");
		return 2;
	}
	const struct parser *p = parser_by_name(argv[1]);
	if (!p) {
		fprintf(stderr, "unknown format %s\n", argv[1]);
		return 2;
	}
	int repeat = argc > 3 ? atoi(argv[3]) : 10;
	struct source *src = source_new(0, argv[2]);
	struct limits lim = { .max_line = 1 << 20, .max_xml_depth = 64 };
	src->limits = &lim;
	src->quiet = true;
	struct event *ev = xmalloc(sizeof *ev);
	uint64_t n = 0, skipped = 0;
	struct timespec a, b;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	for (int k = 0; k < repeat; k++) {
		void *st = NULL;
		if (p->open(src, argv[2], &st) != 0) {
			fprintf(stderr, "cannot open %s\n", argv[2]);
			return 3;
		}
		for (;;) {
			event_reset(ev);
			pr_status s = p->next_event(st, ev);
			if (s == PR_EVENT)
				n++;
			else if (s == PR_SKIP)
				skipped++;
			else
				break;
		}
		p->close(st);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%s %s: %llu events (%llu skipped) in %.3f s CPU: %.0f events/s\n", argv[1], argv[2],
	       (unsigned long long)n, (unsigned long long)skipped, secs, (double)n / secs);
	free(ev);
	source_free(src);
	return 0;
}
