/*
 * correlator/core/clock.c - NTP-style clock offset estimation (see clock.h).
 * Does not: touch sources; path_match.c applies the result.
 */
#include "clock.h"
#include "util.h"

#include <stdlib.h>

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_sample(const void *a, const void *b)
{
	const struct clock_sample *x = a, *y = b;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	return x->d < y->d ? -1 : x->d > y->d;
}

int64_t clock_median(int64_t *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof *v, cmp_i64);
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

/* Sorted run [s, s+n) of one (group, dir): its median. */
static int64_t run_median(const struct clock_sample *s, size_t n)
{
	return n % 2 ? s[n / 2].d : s[n / 2 - 1].d + (s[n / 2].d - s[n / 2 - 1].d) / 2;
}

/* p-th quantile (0..1) of a sorted array */
static int64_t quant(const int64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

bool clock_estimate(struct clock_sample *s, size_t n, struct clock_est *out)
{
	*out = (struct clock_est){ 0 };
	if (!n)
		return false;
	qsort(s, n, sizeof *s, cmp_sample);
	/* hi: samples of the A->B direction (d = theta + delay); lo: B->A */
	int64_t *hi = xmalloc(n * sizeof *hi), *lo = xmalloc(n * sizeof *lo), *one = xmalloc(n * sizeof *one);
	size_t nh = 0, nl = 0, no = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j].group == s[i].group)
			j++;
		/* [i, j) is one group: dir runs inside */
		size_t k = i;
		while (k < j && s[k].dir == s[i].dir)
			k++;
		if (k < j) {
			/* both directions in this session */
			int64_t m0 = run_median(s + i, k - i), m1 = run_median(s + k, j - k);
			bool first_hi = m0 >= m1;
			for (size_t x = i; x < j; x++) {
				if ((x < k) == first_hi)
					hi[nh++] = s[x].d;
				else
					lo[nl++] = s[x].d;
			}
		} else {
			for (size_t x = i; x < j; x++)
				one[no++] = s[x].d;
		}
		i = j;
	}
	if (nh && nl) {
		qsort(hi, nh, sizeof *hi, cmp_i64);
		qsort(lo, nl, sizeof *lo, cmp_i64);
		int64_t theta = hi[0] + (lo[nl - 1] - hi[0]) / 2;
		/* one-direction sessions: side of theta tells which way they went */
		for (size_t x = 0; x < no; x++) {
			if (one[x] >= theta)
				hi[nh++] = one[x];
			else
				lo[nl++] = one[x];
		}
		qsort(hi, nh, sizeof *hi, cmp_i64);
		qsort(lo, nl, sizeof *lo, cmp_i64);
		theta = hi[0] + (lo[nl - 1] - hi[0]) / 2;
		out->two_way = true;
		out->offset = theta;
		out->bound = (hi[0] - lo[nl - 1]) / 2;
		if (out->bound < 0)
			out->bound = -out->bound;
		out->delay_ab = quant(hi, nh, 0.5) - theta;
		out->delay_ba = theta - quant(lo, nl, 0.5);
		/* how far the near-minimum samples wander: the 10% quantile against
		 * the extreme on each side */
		int64_t j1 = quant(hi, nh, 0.1) - hi[0], j2 = lo[nl - 1] - quant(lo, nl, 0.9);
		out->uncertainty = (j1 + j2) / 2 + 1000;  /* + 1 us timestamp resolution */
		out->n_ab = nh;
		out->n_ba = nl;
	} else {
		/* one direction only: the offset includes the one-way delay */
		size_t m = 0;
		for (size_t x = 0; x < nh; x++)
			one[no++] = hi[x];
		for (size_t x = 0; x < nl; x++)
			one[no++] = lo[x];
		m = no;
		qsort(one, m, sizeof *one, cmp_i64);
		out->offset = one[0];
		out->uncertainty = quant(one, m, 0.5) - one[0] + 1000;
		out->bound = 0;
		out->n_ab = m;
	}
	out->ok = true;
	free(hi);
	free(lo);
	free(one);
	return true;
}
