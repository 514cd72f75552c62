/*
 * correlator/core/tz.c - local time to UTC (see tz.h). Named zones go through the C
 * library (TZ + mktime) under a lock, cached per local hour so a log of a
 * million lines costs a handful of conversions.
 */
#include "tz.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool parse_offset(const char *s, int32_t *out)
{
	int sign;
	if (*s == '+')
		sign = 1;
	else if (*s == '-')
		sign = -1;
	else
		return false;
	s++;
	int h = 0, m = 0;
	size_t n = strlen(s);
	if (n == 5 && s[2] == ':' && sscanf(s, "%2d:%2d", &h, &m) == 2) {
	} else if (n == 4 && sscanf(s, "%2d%2d", &h, &m) == 2) {
	} else if ((n == 1 || n == 2) && sscanf(s, "%d", &h) == 1) {
	} else {
		return false;
	}
	if (h > 14 || m > 59)
		return false;
	*out = sign * (h * 3600 + m * 60);
	return true;
}

bool tz_parse(const char *spec, struct tz *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", spec);
	if (!strcmp(spec, "UTC") || !strcmp(spec, "Z") || !strcmp(spec, "GMT") ||
	    !strcmp(spec, "Etc/UTC")) {
		out->kind = TZ_UTC;
		return true;
	}
	const char *o = spec;
	if (!strncmp(o, "UTC", 3) || !strncmp(o, "GMT", 3))
		o += 3;
	if (parse_offset(o, &out->offset)) {
		out->kind = out->offset ? TZ_FIXED : TZ_UTC;
		return true;
	}
	/* an IANA name must exist in zoneinfo, or a typo would silently mean UTC */
	if (strstr(spec, "..") || spec[0] == '/' || strlen(spec) > 60)
		return false;
	char path[128];
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", spec);
	if (access(path, R_OK) != 0)
		return false;
	out->kind = TZ_NAMED;
	return true;
}

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

struct tz_cache {
	char name[64];
	int64_t hour;    /* local hour number */
	int64_t offset;  /* local - utc seconds for that hour */
};

static int64_t named_offset(const char *name, int64_t local)
{
	static struct tz_cache cache[8];
	static unsigned next;
	int64_t hour = local >= 0 ? local / 3600 : (local - 3599) / 3600;
	pthread_mutex_lock(&tz_lock);
	for (unsigned i = 0; i < ARRAY_LEN(cache); i++) {
		if (cache[i].hour == hour && !strcmp(cache[i].name, name)) {
			int64_t off = cache[i].offset;
			pthread_mutex_unlock(&tz_lock);
			return off;
		}
	}
	char *old = getenv("TZ");
	char *saved = old ? xstrdup(old) : NULL;
	setenv("TZ", name, 1);
	tzset();
	time_t t = (time_t)(hour * 3600);
	struct tm tm;
	gmtime_r(&t, &tm);  /* the local wall clock, as fields */
	tm.tm_isdst = -1;
	time_t utc = mktime(&tm);
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	int64_t off = (int64_t)t - (int64_t)utc;
	struct tz_cache *c = &cache[next++ % ARRAY_LEN(cache)];
	snprintf(c->name, sizeof c->name, "%s", name);
	c->hour = hour;
	c->offset = off;
	pthread_mutex_unlock(&tz_lock);
	return off;
}

int64_t tz_local_to_utc(const struct tz *tz, int64_t local)
{
	switch (tz->kind) {
	case TZ_FIXED:
		return local - tz->offset;
	case TZ_NAMED:
		return local - named_offset(tz->name, local);
	default:
		return local;
	}
}
