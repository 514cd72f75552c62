/*
 * correlator/core/timeline.h - the k-way merge of every source into one stream
 * ordered by corrected time; ties keep command-line source order, then ref.
 * Streaming: one buffered event per source (or a reader thread's bounded
 * queue), whatever the input size.
 * Does not: reorder events inside one source (a source that goes back in time
 * is merged as it comes), or analyze anything.
 */
#ifndef CORRELATOR_TIMELINE_H
#define CORRELATOR_TIMELINE_H

#include <stddef.h>

struct source;
struct event;
struct timeline;
struct readers;

/* The sources must be resolved; the timeline reads them, it does not own them.
 * Sources rd reads on its threads are taken from it (readers.h), the others
 * read here; rd may be NULL. The order is the same either way. */
struct timeline *timeline_new(struct source **srcs, size_t n, struct readers *rd);
/* The next event, or NULL at the end. Borrowed until the next call; the
 * caller may set ev->session. */
struct event *timeline_next(struct timeline *tl);
void timeline_free(struct timeline *tl);

#endif
