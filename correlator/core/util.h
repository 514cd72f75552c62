/*
 * correlator/core/util.h - small helpers shared by every module: checked allocation,
 * checked number parsing, time formatting. Does not: hold state.
 */
#ifndef CORRELATOR_UTIL_H
#define CORRELATOR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NS_PER_SEC  1000000000LL
/* Calendar years whose every second fits the int64 ns clock (1677-09-21 ..
 * 2262-04-11, a year of margin each side for zone offsets): dates outside
 * are refused by the date parsers rather than overflowing. */
#define UTIL_YEAR_MIN 1678
#define UTIL_YEAR_MAX 2261
#define NS_PER_MSEC 1000000LL
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that aborts with a message on failure: an OOM is not recoverable here. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Parse an unsigned decimal (or 0x hex when hex_ok) of exactly len bytes.
 * Returns false on empty input, a stray byte, or overflow of max. */
bool parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);
bool parse_i64(const char *s, size_t len, int64_t *out);

/* Parse a duration such as "500ms", "30s", "5m", "2h", "1.5s", "-10m", "+00:10:00".
 * Bare numbers are seconds. Returns false on a malformed value. */
bool parse_duration(const char *s, int64_t *ns);

/* Format a duration for people: "340 ms", "4.2 s", "12 min 3 s", "2 h 5 min". */
void format_duration(int64_t ns, char *buf, size_t len);

/* v in decimal at out, which has room for FORMAT_U64_MAX bytes (no NUL is
 * written); the number of digits. By hand, two digits a step: the writers of
 * every timeline line and log message call it. */
#define FORMAT_U64_MAX 20
size_t format_u64(uint64_t v, char *out);

/* RFC 3339 UTC with nanoseconds: 2024-01-07T14:33:49.908123456Z (buf >= 32). */
void format_rfc3339(int64_t ns, char *buf, size_t len);
/* Short clock time for terminal timelines: 14:33:49.908123 (buf >= 16). */
void format_clock(int64_t ns, char *buf, size_t len);

/* Days since 1970-01-01 for a proleptic Gregorian date (no time zone). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
/* Seconds since the epoch of a UTC broken-down time; false if out of range. */
bool utc_seconds(int y, int mon, int day, int h, int mi, int s, int64_t *out);

/* Case-insensitive ASCII prefix test. */
bool starts_with_ci(const char *s, const char *prefix);

/* Dotted-prefix type match: "fw" matches "fw" and "fw.drop", not "fwx". */
bool type_has_prefix(const char *type, const char *prefix);

/* The Internet checksum (RFC 1071) sum of n bytes added to s: the bytes as
 * big-endian 16-bit words (an odd last byte padded with zero), read eight at a
 * time. The result is folded to 16 bits before it is added, so the caller may
 * add further words and fold at the end; it is 0 only when s and every byte
 * are 0, so "fold(sum) == 0xffff" still tells a correct checksum. */
uint32_t inet_sum(const void *data, size_t n, uint32_t s);

/* The 64-bit finalizer of MurmurHash3: spreads every input bit over the
 * result (hash tables keyed by ids or sums of ids). */
static inline uint64_t hash_finalize64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

#endif
