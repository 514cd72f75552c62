/*
 * parsers/evtx_libevtx.h - the libevtx reader's recovered-records pass, used by
 * our own EVTX reader (evtx.c) after its last record: the records libevtx
 * carves from slack space and damaged chunks, as events with
 * event.recovered = true and refs numbered on from ref_base.
 * Does not: read the normal records (evtx.c does).
 * Spec: libevtx 20181227 include/libevtx.h (recovered record API).
 */
#ifndef CORRELATOR_EVTX_LIBEVTX_H
#define CORRELATOR_EVTX_LIBEVTX_H

#include "../correlator/core/parser.h"
#include "evtx_dedup.h"

/* 0, or -1 (source_error said why; *state must still be closed). seen holds
 * the signatures of the records already read: recovered records repeating
 * one of them are dropped and counted in a note. */
int evtx_libevtx_open_recovered(struct source *src, const char *path, uint64_t ref_base,
				const struct evtx_seen *seen, void **state);
pr_status evtx_libevtx_next(void *state, struct event *ev);
/* NULL-safe. */
void evtx_libevtx_close(void *state);

#endif
