/*
 * tests/bench/pcap_read.c - the libpcap baseline for `make bench`: reads every
 * record of a capture with pcap_next_ex and does nothing else.
 */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	if (argc != 2) {
		fprintf(stderr, "usage: pcap_read FILE\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "pcap_read: %s\n", err);
		return 1;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long long n = 0, bytes = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		n++;
		bytes += h->caplen;
	}
	pcap_close(p);
	printf("%llu packets %llu bytes\n", n, bytes);
	return 0;
}
