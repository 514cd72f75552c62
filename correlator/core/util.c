/*
 * correlator/core/util.c - checked allocation, number and duration parsing, time
 * formatting (see util.h).
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "correlator: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xmalloc(n);
	memcpy(d, s, n);
	return d;
}

bool parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;
	size_t i = 0;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= len)
		return false;
	for (; i < len; i++) {
		unsigned d;
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		if (v > (max - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

bool parse_i64(const char *s, size_t len, int64_t *out)
{
	bool neg = false;
	uint64_t v;
	if (len && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		s++;
		len--;
	}
	if (!parse_u64(s, len, (uint64_t)INT64_MAX, &v))
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

bool parse_duration(const char *s, int64_t *ns)
{
	int sign = 1;
	if (*s == '-' || *s == '+') {
		sign = *s == '-' ? -1 : 1;
		s++;
	}
	if (!*s)
		return false;
	/* [h:]mm:ss[.frac] form */
	if (strchr(s, ':')) {
		int h = 0, m = 0;
		double sec = 0;
		char tail;
		if (sscanf(s, "%d:%d:%lf%c", &h, &m, &sec, &tail) == 3) {
		} else if (sscanf(s, "%d:%lf%c", &m, &sec, &tail) == 2) {
			h = 0;
		} else {
			return false;
		}
		if (h < 0 || m < 0 || sec < 0)
			return false;
		*ns = sign * (int64_t)(((double)h * 3600 + (double)m * 60 + sec) * 1e9 + 0.5);
		return true;
	}
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || v < 0 || v > 1e12)
		return false;
	double mult;
	if (!*end || !strcmp(end, "s") || !strcmp(end, "sec"))
		mult = 1e9;
	else if (!strcmp(end, "ms"))
		mult = 1e6;
	else if (!strcmp(end, "us") || !strcmp(end, "µs"))
		mult = 1e3;
	else if (!strcmp(end, "ns"))
		mult = 1;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		mult = 60e9;
	else if (!strcmp(end, "h"))
		mult = 3600e9;
	else if (!strcmp(end, "d"))
		mult = 86400e9;
	else
		return false;
	*ns = sign * (int64_t)(v * mult + 0.5);
	return true;
}

void format_duration(int64_t ns, char *buf, size_t len)
{
	const char *sign = ns < 0 ? "-" : "";
	uint64_t a = ns < 0 ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;
	if (a < 1000)
		snprintf(buf, len, "%s%" PRIu64 " ns", sign, a);
	else if (a < 1000000)
		snprintf(buf, len, "%s%.1f us", sign, (double)a / 1e3);
	else if (a < 1000000000)
		snprintf(buf, len, "%s%.1f ms", sign, (double)a / 1e6);
	else if (a < 60 * 1000000000ULL)
		snprintf(buf, len, "%s%.2f s", sign, (double)a / 1e9);
	else if (a < 3600 * 1000000000ULL) {
		/* keep sub-second precision: clock offsets of minutes are read to the ms */
		uint64_t ms = (a / 1000000ULL) % 1000;
		if (ms)
			snprintf(buf, len, "%s%" PRIu64 " min %" PRIu64 ".%03" PRIu64 " s", sign,
				 (uint64_t)(a / 60000000000ULL), (uint64_t)((a / 1000000000ULL) % 60), ms);
		else
			snprintf(buf, len, "%s%" PRIu64 " min %" PRIu64 " s", sign,
				 (uint64_t)(a / 60000000000ULL), (uint64_t)((a / 1000000000ULL) % 60));
	}
	else
		snprintf(buf, len, "%s%" PRIu64 " h %" PRIu64 " min", sign,
			 (uint64_t)(a / 3600000000000ULL), (uint64_t)((a / 60000000000ULL) % 60));
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* H. Hinnant's algorithm */
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int64_t yy = (int64_t)yoe + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

bool utc_seconds(int y, int mon, int day, int h, int mi, int s, int64_t *out)
{
	if (y < UTIL_YEAR_MIN || y > UTIL_YEAR_MAX || mon < 1 || mon > 12 || day < 1 || day > 31 ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
		return false;
	*out = days_from_civil(y, (unsigned)mon, (unsigned)day) * 86400 + h * 3600 + mi * 60 + s;
	return true;
}

static void split_ns(int64_t ns, int64_t *sec, int64_t *frac)
{
	*sec = ns / NS_PER_SEC;
	*frac = ns % NS_PER_SEC;
	if (*frac < 0) {
		*frac += NS_PER_SEC;
		*sec -= 1;
	}
}

/* Decimal digits of v (1..20). */
static unsigned u64_digits(uint64_t v)
{
	unsigned d = 1;
	for (uint64_t p = 10; v >= p; p *= 10) {
		d++;
		if (d == 20)
			break;  /* 10^20 does not fit: v >= 10^19 has 20 digits */
	}
	return d;
}

size_t format_u64(uint64_t v, char *out)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	unsigned d = u64_digits(v);
	char *e = out + d;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100) * 2;
		v /= 100;
		*--e = pairs[r + 1];
		*--e = pairs[r];
	}
	if (v >= 10) {
		*--e = pairs[v * 2 + 1];
		*--e = pairs[v * 2];
	} else {
		*--e = (char)('0' + v);
	}
	return d;
}

void format_rfc3339(int64_t ns, char *buf, size_t len)
{
	int64_t sec, frac;
	split_ns(ns, &sec, &frac);
	int64_t days = sec / 86400, rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days -= 1;
	}
	int y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999 || len == 0) {
		snprintf(buf, len, "%04d-%02u-%02uT%02d:%02d:%02d.%09" PRId64 "Z", y, m, d,
			 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), frac);
		return;
	}
	/* the common case by hand: every timeline line formats one */
	char t[31];
	unsigned hh = (unsigned)(rem / 3600), mi = (unsigned)(rem / 60 % 60), ss = (unsigned)(rem % 60);
	unsigned yy = (unsigned)y;
	t[0] = (char)('0' + yy / 1000);
	t[1] = (char)('0' + yy / 100 % 10);
	t[2] = (char)('0' + yy / 10 % 10);
	t[3] = (char)('0' + yy % 10);
	t[4] = '-';
	t[5] = (char)('0' + m / 10);
	t[6] = (char)('0' + m % 10);
	t[7] = '-';
	t[8] = (char)('0' + d / 10);
	t[9] = (char)('0' + d % 10);
	t[10] = 'T';
	t[11] = (char)('0' + hh / 10);
	t[12] = (char)('0' + hh % 10);
	t[13] = ':';
	t[14] = (char)('0' + mi / 10);
	t[15] = (char)('0' + mi % 10);
	t[16] = ':';
	t[17] = (char)('0' + ss / 10);
	t[18] = (char)('0' + ss % 10);
	t[19] = '.';
	uint32_t fr = (uint32_t)frac;
	for (int i = 28; i >= 20; i--) {
		t[i] = (char)('0' + fr % 10);
		fr /= 10;
	}
	t[29] = 'Z';
	t[30] = '\0';
	size_t c = len > sizeof t ? sizeof t : len;
	memcpy(buf, t, c - 1);
	buf[c - 1] = '\0';
}

void format_clock(int64_t ns, char *buf, size_t len)
{
	int64_t sec, frac;
	split_ns(ns, &sec, &frac);
	int64_t rem = sec % 86400;
	if (rem < 0)
		rem += 86400;
	snprintf(buf, len, "%02d:%02d:%02d.%06" PRId64, (int)(rem / 3600),
		 (int)(rem / 60 % 60), (int)(rem % 60), frac / 1000);
}

bool starts_with_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (tolower((unsigned char)*s) != tolower((unsigned char)*prefix))
			return false;
	return true;
}

bool type_has_prefix(const char *type, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(type, prefix, n) == 0 && (type[n] == '\0' || type[n] == '.');
}

uint32_t inet_sum(const void *data, size_t n, uint32_t s)
{
	/* one's-complement addition is the same in either byte order up to a
	 * final swap (RFC 1071 2.B): add native 64-bit words with end-around
	 * carry, fold, and swap to network order on a little-endian machine */
	const unsigned char *d = data;
	uint64_t acc = 0, w;
	while (n >= 8) {
		memcpy(&w, d, 8);
		acc += w;
		acc += acc < w;
		d += 8;
		n -= 8;
	}
	uint32_t w4;
	uint16_t w2;
	if (n >= 4) {
		memcpy(&w4, d, 4);
		acc += w4;
		acc += acc < w4;
		d += 4;
		n -= 4;
	}
	if (n >= 2) {
		memcpy(&w2, d, 2);
		acc += w2;
		acc += acc < w2;
		d += 2;
		n -= 2;
	}
	if (n) {
		uint8_t last[2] = { d[0], 0 };
		memcpy(&w2, last, 2);
		acc += w2;
		acc += acc < w2;
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	uint32_t r = (uint32_t)acc;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	r = (r >> 8 | r << 8) & 0xffff;
#endif
	return s + r;
}
