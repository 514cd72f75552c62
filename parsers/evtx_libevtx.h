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

/* 0, or -1 (source_error said why; *state must still be closed). */
int evtx_libevtx_open_recovered(struct source *src, const char *path, uint64_t ref_base, void **state);
pr_status evtx_libevtx_next(void *state, struct event *ev);
/* NULL-safe. */
void evtx_libevtx_close(void *state);

#endif
