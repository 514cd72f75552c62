/*
 * correlator/analyzer_registry.c - the built-in analyzers, in the order they run.
 */
#include "analyzer.h"

#include <stddef.h>

#include "an_tcp.h"

const struct analyzer *const analyzer_table[] = {
	&analyzer_tcp,
	NULL,
};
