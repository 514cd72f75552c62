/*
 * correlator/core/clock.h - clock offset between two capture points, NTP-style,
 * from packets seen at both. A sample is d = t_B - t_A for one packet (A and B
 * the two captures' own timestamps). Packets travelling A->B give
 * d = theta + delay(A->B); packets travelling B->A give d = theta - delay(B->A),
 * theta being B's clock minus A's. With both directions:
 *     theta = (min d_ab + max d_ba) / 2      (minimum-delay filtering)
 *     one-way delay each way from the medians around theta.
 * Which direction is which is not known in advance (a vantage can be on either
 * side of the other): samples are grouped by session and direction, and in
 * each session the direction with the larger median is the A->B one.
 * Does not: read packets or decide which packets are the same (path_match.c).
 * Spec: RFC 5905 section 8 (on-wire offset and delay), min-delay filter.
 */
#ifndef CORRELATOR_CLOCK_H
#define CORRELATOR_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct clock_sample {
	int64_t d;        /* t_B - t_A, ns */
	uint32_t group;   /* which session the packet belongs to */
	uint8_t dir;      /* 0 client->server, 1 back (as labelled by the caller) */
};

struct clock_est {
	bool ok;
	bool two_way;         /* false: one direction only, offset includes the delay */
	int64_t offset;       /* theta = B clock - A clock, ns */
	int64_t uncertainty;  /* jitter of the near-minimum samples, ns */
	int64_t bound;        /* |error| if the path were fully asymmetric (mean one-way delay) */
	int64_t delay_ab;     /* median one-way delay A->B, ns */
	int64_t delay_ba;     /* median one-way delay B->A, ns */
	size_t n_ab, n_ba;    /* samples used each way */
};

/* Estimate theta from n samples (reordered in place). false if n == 0. */
bool clock_estimate(struct clock_sample *s, size_t n, struct clock_est *out);

/* Median of n values (reordered in place); 0 if n == 0. */
int64_t clock_median(int64_t *v, size_t n);

#endif
