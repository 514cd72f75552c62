/*
 * correlator/analyze/registry.c - the built-in analyzers, in the order they run.
 */
#include "../core/analyzer.h"

#include <stddef.h>

#include "an_tcp.h"

extern const struct analyzer analyzer_udp, analyzer_esp, analyzer_dns, analyzer_arp, analyzer_smtp;
extern const struct analyzer analyzer_path;

const struct analyzer *const analyzer_table[] = {
	&analyzer_tcp,
	&analyzer_udp,
	&analyzer_esp,
	&analyzer_dns,
	&analyzer_arp,
	&analyzer_smtp,
	&analyzer_path,
	NULL,
};
