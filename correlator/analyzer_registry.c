/*
 * correlator/analyzer_registry.c - the built-in analyzers, in the order they run.
 */
#include "analyzer.h"

#include <stddef.h>

extern const struct analyzer analyzer_udp, analyzer_esp, analyzer_dns, analyzer_arp;

const struct analyzer *const analyzer_table[] = {
	&analyzer_udp,
	&analyzer_esp,
	&analyzer_dns,
	&analyzer_arp,
	NULL,
};
