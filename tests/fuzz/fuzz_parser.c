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

#include "../../correlator/event.h"
#include "../../correlator/run.h"
#include "../../correlator/source.h"
#include "../../parsers/parser.h"

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
/* Replay: each argument is a file or directory of inputs. */
#include <dirent.h>
#include <sys/stat.h>

static int replay_file(const char *p)
{
	FILE *f = fopen(p, "rb");
	if (!f)
		return 1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
	size_t got = fread(buf, 1, n > 0 ? (size_t)n : 0, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, got);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned files = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			replay_file(argv[i]);
			files++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			char p[4096];
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof p, "%s/%s", argv[i], de->d_name);
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
				replay_file(p);
				files++;
			}
		}
		if (d)
			closedir(d);
	}
	printf("fuzz replay %s: %u inputs, no crash\n", FUZZ_PARSER, files);
	return 0;
}
#endif
