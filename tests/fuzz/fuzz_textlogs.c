/*
 * tests/fuzz/fuzz_textlogs.c - libFuzzer target for the text-log and export
 * parsers (pfirewall, tmg, exchange, msgtrk, tshark, netmon-text): the input
 * is written to a file and read by each parser to the end, with a small
 * --max-line so overlong-line handling is reached too. Sniffers run on it.
 * Build and run: make fuzz && build/fuzz/fuzz_textlogs samples/tmg-fws samples/pfirewall ...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../parsers/parser.h"

extern const struct parser parser_pfirewall, parser_tmg, parser_exchange, parser_msgtrk,
	parser_tshark, parser_nmtext;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct parser *const ps[] = { &parser_pfirewall, &parser_tmg, &parser_exchange,
						   &parser_msgtrk, &parser_tshark, &parser_nmtext };
	char path[] = "/tmp/fuzz_textlogs_XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	static struct event ev;
	struct limits lim = { .max_line = 512 };
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		(void)ps[i]->sniff(data, size < SNIFF_BYTES ? size : SNIFF_BYTES);
		struct source src;
		memset(&src, 0, sizeof src);
		src.limits = &lim;
		src.quiet = true;
		src.label = (char *)"fuzz";
		void *st = NULL;
		if (ps[i]->open(&src, path, &st) == 0) {
			for (int n = 0; n < 100000; n++) {
				event_reset(&ev);
				pr_status s = ps[i]->next_event(st, &ev);
				if (s == PR_EOF || s == PR_FATAL)
					break;
			}
		}
		ps[i]->close(st);
		free(src.error);
		for (unsigned k = 0; k < src.nnotes; k++)
			free(src.notes[k]);
	}
	unlink(path);
	return 0;
}
