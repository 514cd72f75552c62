/*
 * parsers/pcap.c - classic libpcap capture files (microsecond, nanosecond and
 * swapped variants), read through libpcap itself.
 * Does not: read pcapng (pcapng.c reads it, to keep interface ids, direction
 * and comments that libpcap hides) or NetMon .cap (netmon.c).
 * Spec: draft-ietf-opsawg-pcap; libpcap pcap_open_offline(3PCAP).
 */
#include "../correlator/core/parser.h"
#include "decode/capture.h"
#include "../correlator/core/br.h"
#include "../correlator/core/util.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

struct pcap_state {
	struct source *src;
	pcap_t *pc;
	uint16_t linktype;
	bool nano;
	struct capture cap;
};

static int pcap_sniff(const uint8_t *h, size_t n)
{
	if (n < 24)
		return 0;
	br r = br_make(h, n), again = r;
	uint32_t be = br_be32(&r), le = br_le32(&again);
	static const uint32_t magics[] = { 0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34 };
	for (size_t i = 0; i < ARRAY_LEN(magics); i++)
		if (be == magics[i] || le == magics[i])
			return 100;
	return 0;
}

static int pcap_open_file(struct source *src, const char *path, void **state)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!pc) {
		source_error(src, "%s: %s", path, err);
		return -1;
	}
	struct pcap_state *st = xcalloc(1, sizeof *st);
	st->src = src;
	st->pc = pc;
	/* libpcap maps file link types to DLT_ values; packet.c knows both spellings */
	st->linktype = (uint16_t)pcap_datalink(pc);
	st->nano = pcap_get_tstamp_precision(pc) == PCAP_TSTAMP_PRECISION_NANO;
	capture_init(&st->cap, src);
	*state = st;
	return 0;
}

static pr_status pcap_read_next(void *state, struct event *ev)
{
	struct pcap_state *st = state;
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(st->pc, &h, &data);
	if (rc == PCAP_ERROR_BREAK)
		return PR_EOF;
	if (rc != 1) {
		/* libpcap cannot resynchronise: what follows this frame is unreadable */
		source_skip(st->src, st->cap.frame + 1, "%s; the rest of the file is not read",
			    pcap_geterr(st->pc));
		return PR_EOF;
	}
	/* position for the progress line: ftell costs a system call, so only now and then */
	FILE *f = (st->cap.frame & 4095) == 0 ? pcap_file(st->pc) : NULL;
	if (f) {
		long pos = ftell(f);
		if (pos > 0)
			st->src->bytes_cur = (uint64_t)pos;
	}
	int64_t ts = (int64_t)h->ts.tv_sec * NS_PER_SEC +
		     (int64_t)h->ts.tv_usec * (st->nano ? 1 : 1000);
	capture_frame(&st->cap, ev, st->linktype, data, h->caplen, h->len, ts);
	return PR_EVENT;
}

static void pcap_close_file(void *state)
{
	struct pcap_state *st = state;
	if (!st)
		return;
	capture_fini(&st->cap);
	pcap_close(st->pc);
	free(st);
}

const struct parser parser_pcap = {
	.api_version = PARSER_API_VERSION,
	.name = "pcap",
	.summary = "libpcap capture (tcpdump, Wireshark), usec or nsec, either byte order",
	.sniffs = "magic a1b2c3d4 / a1b23c4d / a1b2cd34 in either byte order",
	.sniff = pcap_sniff,
	.open = pcap_open_file,
	.next_event = pcap_read_next,
	.close = pcap_close_file,
};
