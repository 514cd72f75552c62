/*
 * correlator/core/run.c - defaults for a run's options, and what a run's
 * sources hold (see run.h).
 */
#include "run.h"
#include "readers.h"
#include "source.h"
#include "util.h"

#include <string.h>

void run_options_default(struct run_options *o)
{
	memset(o, 0, sizeof *o);
	o->idle_gap = 5 * 60 * NS_PER_SEC;
	o->session_timeout = 2 * 3600 * NS_PER_SEC;  /* past any firewall idle timer */
	o->max_sessions = 1000000;
	o->limits.max_line = 1 << 20;
	o->limits.max_frag_bytes = 65535;
	o->limits.max_frag_chains = 256;
	o->limits.max_xml_depth = 64;
	o->progress = false;
	o->retrans_min = 3;
}

size_t run_readable_sources(const struct run *run)
{
	size_t n = 0;
	for (size_t i = 0; i < run->nsources; i++)
		n += !run->sources[i]->unreadable && run->sources[i]->nfiles;
	return n;
}

unsigned run_threads(const struct run *run)
{
	return run->opt.threads ? run->opt.threads : readers_default_threads(run_readable_sources(run));
}
