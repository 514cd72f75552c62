/*
 * correlator/core/tz.h - converting local wall-clock times in logs to UTC.
 * Accepts "UTC", fixed offsets ("+01:00", "-0500", "UTC+2") and IANA names
 * ("Europe/Berlin") resolved through the system's zoneinfo.
 * Does not: guess a zone from abbreviations such as "CET" (ambiguous).
 */
#ifndef CORRELATOR_TZ_H
#define CORRELATOR_TZ_H

#include <stdbool.h>
#include <stdint.h>

struct tz {
	int kind;          /* TZ_UTC, TZ_FIXED, TZ_NAMED */
	int32_t offset;    /* TZ_FIXED: seconds east of UTC */
	char name[64];     /* as given */
};

enum { TZ_UTC, TZ_FIXED, TZ_NAMED };

/* Parse a zone spec; false if it is neither an offset nor a known zone name. */
bool tz_parse(const char *spec, struct tz *out);
/* Local seconds since the epoch (wall clock read as if UTC) -> UTC seconds. */
int64_t tz_local_to_utc(const struct tz *tz, int64_t local);

#endif
