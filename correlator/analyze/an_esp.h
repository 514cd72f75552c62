/*
 * correlator/analyze/an_esp.h - the ESP analyzer's per-second series, for the report's
 * rate charts. The analyzer (an_esp.c) puts one `esp.interval` analysis event
 * on the timeline for every second in which an SA carried packets; whoever
 * wants charts feeds the events it sees to an esp_series_set and reads the
 * series after the pass. No globals: the set belongs to its creator, and the
 * same events reach the timeline export (JSONL/CSV) for spreadsheets.
 *
 *   struct esp_series_set *set = esp_series_new();
 *   ... in the sink: esp_series_add(set, ev);   (ignores other events)
 *   ... after the pass:
 *   size_t n; const struct esp_series *s = esp_series_get(set, &n);
 *   for each s[i]: s[i].pts[0 .. s[i].npts) in time order, seconds without
 *   packets absent (draw them as zero).
 *   esp_series_free(set);
 *
 * Does not: analyze packets (that is an_esp.c) or draw anything.
 */
#ifndef CORRELATOR_AN_ESP_H
#define CORRELATOR_AN_ESP_H

#include <stddef.h>
#include <stdint.h>

#include "../core/event.h"

/* One second of one SA. lost counts sequence numbers skipped when the gap
 * was seen (a late packet may fill one later: it then counts in reordered). */
struct esp_series_point {
	int64_t second;        /* UTC seconds since the epoch */
	uint64_t bytes;        /* IP bytes */
	uint64_t packets, lost, reordered, duplicates;
};

/* One SA (SPI + addresses) at one source. */
struct esp_series {
	uint16_t source;       /* index into the run's sources */
	uint32_t spi;
	struct addr src, dst;
	struct esp_series_point *pts;  /* owned by the set */
	size_t npts;
	size_t cap_pts;
};

#define ESP_SERIES_MAX_POINTS (1u << 20)  /* over all series; past it, counted */

struct esp_series_set;

struct esp_series_set *esp_series_new(void);
void esp_series_free(struct esp_series_set *s);  /* NULL-safe */

/* Take an esp.interval event (other events are ignored). */
void esp_series_add(struct esp_series_set *s, const struct event *ev);

/* All series, in order of first appearance; borrowed until the next add or
 * free. *n gets the count. */
const struct esp_series *esp_series_get(const struct esp_series_set *s, size_t *n);

/* Points refused past ESP_SERIES_MAX_POINTS. */
uint64_t esp_series_dropped(const struct esp_series_set *s);

#endif
