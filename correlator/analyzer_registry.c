/*
 * correlator/analyzer_registry.c - the built-in analyzers, in the order they run.
 */
#include "analyzer.h"

#include <stddef.h>

extern const struct analyzer analyzer_path;

const struct analyzer *const analyzer_table[] = {
	&analyzer_path,
	NULL,
};
