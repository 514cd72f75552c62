/*
 * tests/fuzz/fuzz_parser.c - one fuzz target per input format: the bytes are
 * written to a file and read to the end through the named parser
 * (FUZZ_PARSER, a --input-format name) exactly as the CLI would, with the
 * sniffer bypassed so every byte reaches the parser.
 * Every parser's sniffer also runs on the first bytes.
 * Built two ways: with libFuzzer (`make fuzz`, clang) and as a plain replay
 * program (`make test` runs it over tests/fuzz/corpus/<format>/ and the
 * regression files, each input copied to an exact-size buffer).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../correlator/core/event.h"
#include "../../correlator/core/run.h"
#include "../../correlator/core/source.h"
#include "../../correlator/core/parser.h"

#ifndef FUZZ_PARSER
#error "build with -DFUZZ_PARSER=\"name\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* every sniffer sees the head, in a buffer of exactly that size so an
	 * overread is caught (the CLI passes up to SNIFF_BYTES) */
	size_t head = size < SNIFF_BYTES ? size : SNIFF_BYTES;
	uint8_t *copy = malloc(head ? head : 1);
	memcpy(copy, data, head);
	int score;
	parser_sniff(copy, head, &score);
	free(copy);

	static char path[64];
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/correlator-fuzz-%ld", (long)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);

	static struct run_options opt;
	run_options_default(&opt);
	struct source *src = source_new(0, path);
	src->format = FUZZ_PARSER;
	src->quiet = true;
	src->limits = &opt.limits;
	if (source_resolve(src) == 0) {
		struct event *ev = malloc(sizeof *ev);
		char buf[1024];
		unsigned n = 0;
		while (source_next(src, ev) && n++ < 1000000)
			event_describe(ev, buf, sizeof buf);  /* touch every string */
		free(ev);
	}
	source_free(src);
	unlink(path);
	return 0;
}

#ifndef FUZZ_LIBFUZZER
#define FUZZ_REPLAY_NAME FUZZ_PARSER
#include "replay_main.h"
#endif
