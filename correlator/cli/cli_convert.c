/*
 * correlator/cli/cli_convert.c - `correlator convert FILE.etl -o FILE.pcapng`:
 * the packets of a binary ETW trace as pcapng, one Enhanced Packet Block per
 * packet event (every PktMon appearance, every complete NDIS packet), as
 * etl2pcapng writes them: one interface per PktMon component / NDIS adapter and
 * link type, direction in epb_flags, the PktMon group id as epb_packetid, a drop
 * as epb_verdict, the component (and drop reason) in the packet comment.
 * Nanosecond timestamps (if_tsresol 9).
 * Exit: 0 written, 2 usage or write error, 3 input not ETL or unreadable.
 * Does not: write non-packet events (etl2pcapng's journal blocks).
 * Spec: pcapng draft-ietf-opsawg-pcapng (SHB, IDB, EPB, options).
 */
#include "cli.h"
#include "../../parsers/etl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IF 1024

struct conv {
	FILE *out;
	bool err;
	uint32_t nif;
	uint32_t if_key[MAX_IF];  /* (kind << 31) | (linktype << 16) | id */
	uint64_t packets, drops;
};

static void put(struct conv *c, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, c->out) != n)
		c->err = true;
}

static void put32(struct conv *c, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	put(c, b, 4);
}

static void put16(struct conv *c, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	put(c, b, 2);
}

static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

static void opt(struct conv *c, uint16_t code, const void *v, size_t n)
{
	static const uint8_t zero[4];
	put16(c, code);
	put16(c, (uint16_t)n);
	put(c, v, n);
	put(c, zero, pad4(n) - n);
}

static size_t opt_len(size_t n) { return 4 + pad4(n); }

static void write_shb(struct conv *c)
{
	const char *app = "correlator convert";
	uint32_t len = 28 + (uint32_t)opt_len(strlen(app)) + 4;
	put32(c, 0x0A0D0D0A);
	put32(c, len);
	put32(c, 0x1A2B3C4D);
	put16(c, 1);
	put16(c, 0);
	put32(c, 0xFFFFFFFF);
	put32(c, 0xFFFFFFFF);
	opt(c, 4, app, strlen(app));  /* shb_userappl */
	put32(c, 0);                   /* opt_endofopt */
	put32(c, len);
}

static uint32_t iface(struct conv *c, bool ndis, uint16_t linktype, uint32_t id)
{
	uint32_t key = (ndis ? 1u << 31 : 0) | ((uint32_t)linktype & 0x7fff) << 16 | (id & 0xffff);
	for (uint32_t i = 0; i < c->nif; i++)
		if (c->if_key[i] == key)
			return i;
	if (c->nif == MAX_IF)
		return 0;
	char name[64];
	snprintf(name, sizeof name, ndis ? "ndis:%u" : "pktmon:%u", id);
	uint8_t res = 9;
	uint32_t len = 20 + (uint32_t)opt_len(strlen(name)) + (uint32_t)opt_len(1) + 4;
	put32(c, 1);
	put32(c, len);
	put16(c, linktype);
	put16(c, 0);
	put32(c, 0);            /* snaplen: no limit */
	opt(c, 2, name, strlen(name));  /* if_name */
	opt(c, 9, &res, 1);             /* if_tsresol: ns */
	put32(c, 0);
	put32(c, len);
	c->if_key[c->nif] = key;
	return c->nif++;
}

static void write_epb(struct conv *c, uint32_t ifid, int64_t ts, const uint8_t *d, uint32_t caplen,
		      uint32_t wirelen, uint8_t dir, const char *comment, bool has_id, uint64_t id, bool drop)
{
	static const uint8_t zero[4];
	size_t clen = strlen(comment);
	uint32_t len = 28 + (uint32_t)pad4(caplen) + (uint32_t)opt_len(clen) +
		       (dir ? (uint32_t)opt_len(4) : 0) + (has_id ? (uint32_t)opt_len(8) : 0) +
		       (drop ? (uint32_t)opt_len(9) : 0) + 8;
	uint64_t t = (uint64_t)ts;
	put32(c, 6);
	put32(c, len);
	put32(c, ifid);
	put32(c, (uint32_t)(t >> 32));
	put32(c, (uint32_t)t);
	put32(c, caplen);
	put32(c, wirelen < caplen ? caplen : wirelen);
	put(c, d, caplen);
	put(c, zero, pad4(caplen) - caplen);
	opt(c, 1, comment, clen);
	if (dir) {
		uint8_t f[4] = { dir, 0, 0, 0 };  /* epb_flags bits 0-1: 1 inbound, 2 outbound */
		opt(c, 2, f, 4);
	}
	if (has_id) {
		uint8_t b[8];
		for (int k = 0; k < 8; k++)
			b[k] = (uint8_t)(id >> (8 * k));
		opt(c, 5, b, 8);  /* epb_packetid */
	}
	if (drop) {
		uint8_t v[9] = { 2, 1, 0, 0, 0, 0, 0, 0, 0 };  /* epb_verdict: XDP, value 1 */
		opt(c, 7, v, 9);
	}
	put32(c, 0);
	put32(c, len);
	c->packets++;
}

static void convert_usage(FILE *f)
{
	fputs("usage: correlator convert FILE.etl -o FILE.pcapng\n"
	      "  Writes the packets of a binary ETW trace (pktmon, netsh trace capture=yes)\n"
	      "  as pcapng: one packet per packet event (each PktMon appearance, each complete\n"
	      "  NDIS-PacketCapture packet), one interface per component/adapter and link type,\n"
	      "  direction in the packet flags, drops as a verdict, component and drop reason in\n"
	      "  the packet comment.\n"
	      "  Exit status: 0 written, 2 usage or write error, 3 input not ETL or unreadable.\n", f);
}

int cli_convert(int argc, char **argv)
{
	const char *in = NULL, *outp = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			convert_usage(stdout);
			return EXIT_RAN;
		}
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (++i == argc) {
				fprintf(stderr, "correlator convert: -o needs a file name\n");
				convert_usage(stderr);
				return EXIT_USAGE;
			}
			outp = argv[i];
		} else if (!strncmp(argv[i], "--output=", 9)) {
			outp = argv[i] + 9;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "correlator convert: unknown option '%s'\n", argv[i]);
			convert_usage(stderr);
			return EXIT_USAGE;
		} else if (!in) {
			in = argv[i];
		} else {
			fprintf(stderr, "correlator convert: one input file only\n");
			return EXIT_USAGE;
		}
	}
	if (!in || !outp) {
		fprintf(stderr, "correlator convert: needs FILE.etl and -o FILE.pcapng\n");
		convert_usage(stderr);
		return EXIT_USAGE;
	}
	char err[512];
	struct etl_reader *r = etl_open(in, NULL, err, sizeof err);
	if (!r) {
		fprintf(stderr, "correlator convert: %s\n", err);
		return EXIT_INPUT;
	}
	struct conv c = { 0 };
	c.out = !strcmp(outp, "-") ? stdout : fopen(outp, "wb");
	if (!c.out) {
		perror(outp);
		etl_close(r);
		return EXIT_USAGE;
	}
	write_shb(&c);
	struct etl_ndis *nd = calloc(1, sizeof *nd);
	struct etl_rec rec;
	struct etl_pktmon p;
	char comment[256];
	uint64_t ndis_bad = 0;
	while (nd && !c.err && etl_next_buffer(r) == 1) {
		while (etl_next_rec(r, &rec)) {
			if (etl_pktmon_parse(&rec, &p)) {
				uint32_t ifid = iface(&c, false, p.linktype, p.component);
				int n = snprintf(comment, sizeof comment, "PktMon component %u edge %u %s", p.component, p.edge,
					     etl_pktmon_dir_name(p.dir_tag));
				if (p.drop_reason && n > 0 && (size_t)n < sizeof comment)
					snprintf(comment + n, sizeof comment - (size_t)n, " drop reason %u (%s) location %u",
						 p.drop_reason, etl_pktmon_drop_name(p.drop_reason), p.drop_location);
				write_epb(&c, ifid, rec.ts, p.frame, p.logged_size, p.original_size, p.direction, comment,
					  true, p.group_id, p.drop_reason != 0);
				if (p.drop_reason)
					c.drops++;
			} else if (rec.kind == ETL_K_EVENT && rec.id == 1001 && !memcmp(rec.guid, ETL_GUID_NDIS, 16)) {
				uint16_t lt;
				uint8_t dir;
				const char *why;
				int rc = etl_ndis_add(nd, &rec, &lt, &dir, &why);
				if (rc < 0)
					ndis_bad++;
				if (rc != 1)
					continue;
				uint32_t ifid = iface(&c, true, lt, nd->lower);
				snprintf(comment, sizeof comment, "NDIS IfIndex %u LowerIfIndex %u PID=%u TID=%u",
					 nd->ifindex, nd->lower, rec.pid, rec.tid);
				write_epb(&c, ifid, nd->first_ts, nd->buf, nd->len, nd->len, dir, comment, false, 0, false);
			}
		}
	}
	free(nd);
	const struct etl_info *info = etl_info(r);
	if (info->bad_buffers || info->bad_records || ndis_bad)
		fprintf(stderr, "correlator convert: %s: %llu damaged buffers, %llu damaged records, %llu damaged NDIS packets skipped\n",
			in, (unsigned long long)info->bad_buffers, (unsigned long long)info->bad_records,
			(unsigned long long)ndis_bad);
	etl_close(r);
	if (c.out != stdout && fclose(c.out) != 0)
		c.err = true;
	else if (c.out == stdout && fflush(stdout) != 0)
		c.err = true;
	if (c.err) {
		fprintf(stderr, "correlator convert: %s: write error\n", outp);
		return EXIT_USAGE;
	}
	fprintf(stderr, "correlator convert: %s: %llu packets (%llu dropped) on %u interfaces\n", outp,
		(unsigned long long)c.packets, (unsigned long long)c.drops, c.nif);
	return EXIT_RAN;
}
