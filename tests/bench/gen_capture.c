/*
 * tests/bench/gen_capture.c - writes a large synthetic pcap for `make bench`:
 * many interleaved TCP sessions (handshake, data one way, ACKs every second
 * segment, FIN close) with about 1% of data segments lost once and
 * retransmitted after the next segment (so the analyzers see loss, duplicate
 * ACK runs, out-of-order and retransmissions). Frames carry headers only
 * (caplen 54, wire length includes the payload) to keep the file small.
 * Usage: gen_capture OUT.pcap [PACKETS] [CONCURRENT] [VANTAGE]
 * VANTAGE 0 (default) is the client; 1 a firewall and 2 the server on the
 * same path (taps on one segment, no router between): the same packets (same
 * seed) with the clock 1 ms per vantage ahead, for the multi-source bench.
 * Does not: produce anything but Ethernet/IPv4/TCP; no libpcap needed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sess {
	uint32_t cip, sip;
	uint16_t cport;
	uint32_t cseq, sseq;   /* next to send */
	int state;             /* 0 syn, 1 synack, 2 ack, 3 data, 4 fin c, 5 fin s, 6 last ack */
	int left;              /* data segments still to send */
	int unacked;
	int lost_pending;      /* a lost segment to retransmit after the next one */
	uint32_t lost_seq;
	uint16_t ipid_c, ipid_s;
};

static FILE *out;
static uint64_t now_ns = 1700000000ULL * 1000000000ULL;
static uint64_t npk;
static uint32_t rng = 12345;
static int vantage;  /* 0 client, 1 firewall, 2 server */

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

static void frame(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		  uint8_t flags, uint16_t len, uint16_t ipid, uint8_t ttl)
{
	uint8_t f[16 + 54];
	memset(f, 0, sizeof f);
	uint64_t ts = now_ns + (uint64_t)vantage * 1000000u;
	uint32_t sec = (uint32_t)(ts / 1000000000ULL), frac = (uint32_t)(ts % 1000000000ULL);
	/* pcap record header, little endian, nanosecond magic */
	uint32_t hdr[4] = { sec, frac, 54, 54u + len };
	memcpy(f, hdr, 16);
	uint8_t *e = f + 16;
	e[0] = 2; e[5] = 1; e[6] = 2; e[11] = 2;
	e[12] = 0x08;
	uint8_t *ip = e + 14;
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(40 + len));
	put16(ip + 4, ipid);
	ip[6] = 0x40;
	ip[8] = ttl;
	ip[9] = 6;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, (uint16_t)~sum);
	uint8_t *t = ip + 20;
	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = 0x50;
	t[13] = flags;
	put16(t + 14, 64240);
	fwrite(f, 1, sizeof f, out);
	npk++;
	now_ns += 1000 + rnd() % 2000;
}

enum { F = 1, S = 2, R = 4, P = 8, A = 16 };

static void start(struct sess *s, uint32_t id)
{
	memset(s, 0, sizeof *s);
	s->cip = 0x0a000000u | (id & 0xffffff);
	s->sip = 0xc0000200u | (rnd() % 200 + 1);
	s->cport = (uint16_t)(1024 + rnd() % 60000);
	s->cseq = rnd();
	s->sseq = rnd();
	s->left = 20 + (int)(rnd() % 60);
	s->ipid_c = (uint16_t)rnd();
	s->ipid_s = (uint16_t)rnd();
}

/* one packet of session s; returns 0 when it is finished */
static int step(struct sess *s)
{
	const uint16_t sp = 443, seglen = 1400;
	switch (s->state) {
	case 0:
		frame(s->cip, s->sip, s->cport, sp, s->cseq++, 0, S, 0, s->ipid_c++, 64);
		break;
	case 1:
		frame(s->sip, s->cip, sp, s->cport, s->sseq++, s->cseq, S | A, 0, s->ipid_s++, 52);
		break;
	case 2:
		frame(s->cip, s->sip, s->cport, sp, s->cseq, s->sseq, A, 0, s->ipid_c++, 64);
		break;
	case 3:
		if (s->unacked >= 2) {
			frame(s->sip, s->cip, sp, s->cport, s->sseq, s->lost_pending ? s->lost_seq : s->cseq, A, 0,
			      s->ipid_s++, 52);
			s->unacked = 0;
			return 1;
		}
		if (s->lost_pending == 2) {
			frame(s->cip, s->sip, s->cport, sp, s->lost_seq, s->sseq, P | A, seglen, s->ipid_c++, 64);
			s->lost_pending = 0;
			s->unacked = 2;
			return 1;
		}
		if (s->left == 0) {
			s->state = 4;
			return step(s);
		}
		if (!s->lost_pending && rnd() % 100 == 0) {
			/* lost before the capture point: not written, resent later */
			s->lost_pending = 1;
			s->lost_seq = s->cseq;
			s->cseq += seglen;
			s->left--;
			s->ipid_c++;
			return 1;
		}
		frame(s->cip, s->sip, s->cport, sp, s->cseq, s->sseq, P | A, seglen, s->ipid_c++, 64);
		s->cseq += seglen;
		s->left--;
		s->unacked++;
		if (s->lost_pending == 1)
			s->lost_pending = 2;
		return 1;
	case 4:
		frame(s->cip, s->sip, s->cport, sp, s->cseq++, s->sseq, F | A, 0, s->ipid_c++, 64);
		break;
	case 5:
		frame(s->sip, s->cip, sp, s->cport, s->sseq++, s->cseq, F | A, 0, s->ipid_s++, 52);
		break;
	case 6:
		frame(s->cip, s->sip, s->cport, sp, s->cseq, s->sseq, A, 0, s->ipid_c++, 64);
		return 0;
	}
	s->state++;
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: gen_capture OUT.pcap [PACKETS] [CONCURRENT] [VANTAGE]\n");
		return 2;
	}
	uint64_t want = argc > 2 ? strtoull(argv[2], NULL, 10) : 2500000;
	size_t conc = argc > 3 ? strtoul(argv[3], NULL, 10) : 5000;
	vantage = argc > 4 ? atoi(argv[4]) % 3 : 0;
	out = fopen(argv[1], "wb");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	static char buf[1 << 20];
	setvbuf(out, buf, _IOFBF, sizeof buf);
	uint32_t gh[6] = { 0xa1b23c4d, 0x00040002, 0, 0, 262144, 1 };
	fwrite(gh, 1, sizeof gh, out);
	struct sess *ss = calloc(conc, sizeof *ss);
	if (!ss)
		return 1;
	uint32_t next_id = 1;
	for (size_t i = 0; i < conc; i++)
		start(&ss[i], next_id++);
	while (npk < want) {
		struct sess *s = &ss[rnd() % conc];
		if (!step(s))
			start(s, next_id++);
	}
	if (fclose(out) != 0) {
		perror(argv[1]);
		return 1;
	}
	fprintf(stderr, "gen_capture: %llu packets, %u sessions started\n", (unsigned long long)npk, next_id - 1);
	return 0;
}
