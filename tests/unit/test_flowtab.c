/*
 * tests/unit/test_flowtab.c - the session table (core/flowtab.c): eviction
 * at the cap and after the idle limit, remembered entries (flowtab_ref), the
 * use order, and that order against a plain LRU list on random runs (with
 * the use clock renumbered often on some of them).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../correlator/core/flowtab.h"
#include "../../correlator/core/util.h"

static int evicted, evicted_by_cap;
static void on_evict(void *ctx, const struct flow *k, void *d, bool by_cap)
{
	(void)ctx;
	(void)k;
	(void)d;
	evicted++;
	evicted_by_cap += by_cap;
}

START_TEST(flowtab_eviction)
{
	evicted = evicted_by_cap = 0;
	struct flowtab *t = flowtab_new(sizeof(int), 3, 10 * NS_PER_SEC, on_evict, NULL);
	struct flow f = { .proto = 17, .dport = 53 };
	addr_parse("10.0.0.1", 8, &f.src);
	addr_parse("10.0.0.2", 8, &f.dst);
	bool created, rev;
	for (int i = 0; i < 4; i++) {
		f.sport = (uint16_t)(1000 + i);
		int *v = flowtab_get(t, &f, 0, i * NS_PER_SEC, true, &created, &rev);
		ck_assert(created);
		*v = i;
	}
	ck_assert_int_eq(evicted_by_cap, 1);      /* the 4th pushed out the oldest */
	ck_assert_uint_eq(flowtab_count(t), 3);
	struct flow back = { .proto = 17, .sport = 53, .dport = 1003, .src = f.dst, .dst = f.src };
	int *v = flowtab_get(t, &back, 0, 5 * NS_PER_SEC, false, &created, &rev);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(*v, 3);
	ck_assert(rev);
	ck_assert_ptr_null(flowtab_get(t, &f, 1, 5 * NS_PER_SEC, false, NULL, NULL)); /* other vantage */
	flowtab_expire(t, 14 * NS_PER_SEC);       /* 1001, 1002 idle > 10 s */
	ck_assert_uint_eq(flowtab_count(t), 1);
	flowtab_free(t);
	ck_assert_int_eq(evicted, 4);
}
END_TEST

/* a remembered entry is a shortcut only: the same answers as a lookup, and
 * stale once its entry is dropped, even when the memory is reused */
START_TEST(flowtab_refs)
{
	struct flowtab *t = flowtab_new(sizeof(int), 0, 10 * NS_PER_SEC, NULL, NULL);
	struct flow f = { .proto = 6, .sport = 1000, .dport = 80 }, g = f;
	addr_parse("10.0.0.1", 8, &f.src);
	addr_parse("10.0.0.2", 8, &f.dst);
	g = f;
	g.sport = 2000;
	struct flow back = { .proto = 6, .sport = 80, .dport = 1000, .src = f.dst, .dst = f.src };
	struct flowtab_ref ref = { 0 };
	bool created, rev;
	int *a = flowtab_get_ref(t, &ref, &f, 0, 0, true, &created, &rev);
	ck_assert(created);
	*a = 7;
	ck_assert_ptr_eq(ref.data, a);
	int *b = flowtab_get_ref(t, &ref, &back, 0, NS_PER_SEC, true, &created, &rev);
	ck_assert_ptr_eq(b, a);
	ck_assert(!created);
	ck_assert(rev);
	/* another source: the ref's entry has another key, so a lookup (none) */
	ck_assert_ptr_null(flowtab_get_ref(t, &ref, &f, 1, NS_PER_SEC, false, &created, &rev));
	ck_assert_ptr_null(ref.data);
	flowtab_get_ref(t, &ref, &f, 0, NS_PER_SEC, false, NULL, NULL);
	ck_assert_ptr_eq(ref.data, a);
	/* the ref marks the entry used, as a lookup does: it survives the expiry */
	flowtab_get_ref(t, &ref, &f, 0, 9 * NS_PER_SEC, false, NULL, NULL);
	flowtab_expire(t, 12 * NS_PER_SEC);
	ck_assert_uint_eq(flowtab_count(t), 1);
	/* dropped: the memory waits on the free list, the ref is stale */
	flowtab_remove(t, a);
	ck_assert_ptr_null(flowtab_get_ref(t, &ref, &f, 0, 13 * NS_PER_SEC, false, NULL, NULL));
	/* reused for another flow: still no answer for f through the old ref */
	struct flowtab_ref old = { a }, gr = { 0 };
	int *c = flowtab_get_ref(t, &gr, &g, 0, 13 * NS_PER_SEC, true, &created, NULL);
	ck_assert(created);
	ck_assert_ptr_eq(c, a);   /* recycled */
	ck_assert_int_eq(*c, 0);
	ck_assert_ptr_null(flowtab_get_ref(t, &old, &f, 0, 13 * NS_PER_SEC, false, NULL, NULL));
	ck_assert_ptr_eq(flowtab_get_ref(t, &gr, &g, 0, 14 * NS_PER_SEC, false, NULL, NULL), c);
	flowtab_free(t);
}
END_TEST

/* ---- use order ---- */

static struct flow flow_n(int n)
{
	struct flow f = { .proto = 6, .dport = 80, .sport = (uint16_t)n };
	addr_parse("10.0.0.1", 8, &f.src);
	addr_parse("10.0.0.2", 8, &f.dst);
	return f;
}

/* the evicted entries' client ports (the key's orientation is either), in
 * order; by_cap: negative */
struct evlog {
	int port[4096];
	size_t n;
};

static void log_evict(void *ctx, const struct flow *k, void *d, bool by_cap)
{
	struct evlog *l = ctx;
	(void)d;
	int port = k->sport == 80 ? k->dport : k->sport;
	if (l->n < ARRAY_LEN(l->port))
		l->port[l->n++] = by_cap ? -port : port;
}

static void log_visit(void *ctx, const struct flow *k, void *d)
{
	log_evict(ctx, k, d, false);
}

static void use(struct flowtab *t, int n, int64_t now)
{
	struct flow f = flow_n(n);
	ck_assert_ptr_nonnull(flowtab_get(t, &f, 0, now, true, NULL, NULL));
}

/* a use moves an entry to the back, wherever it was; a lookup that finds
 * nothing and a use of the most recent entry change nothing */
START_TEST(flowtab_use_order)
{
	struct evlog ev = { .n = 0 };
	struct flowtab *t = flowtab_new(sizeof(int), 4, 10 * NS_PER_SEC, log_evict, &ev);
	for (int i = 1; i <= 4; i++)
		use(t, i, i * NS_PER_SEC);                /* 1 2 3 4 */
	use(t, 2, 5 * NS_PER_SEC);                        /* 1 3 4 2 */
	use(t, 1, 5 * NS_PER_SEC);                        /* 3 4 2 1 */
	use(t, 1, 5 * NS_PER_SEC);
	struct flow none = flow_n(9);
	ck_assert_ptr_null(flowtab_get(t, &none, 0, 6 * NS_PER_SEC, false, NULL, NULL));
	struct evlog order = { .n = 0 };
	flowtab_foreach(t, log_visit, &order);
	ck_assert_uint_eq(order.n, 4);
	ck_assert_int_eq(order.port[0], 3);
	ck_assert_int_eq(order.port[1], 4);
	ck_assert_int_eq(order.port[2], 2);
	ck_assert_int_eq(order.port[3], 1);
	use(t, 5, 6 * NS_PER_SEC);                        /* the cap pushes out 3 */
	use(t, 4, 7 * NS_PER_SEC);                        /* 2 1 5 4 */
	use(t, 6, 7 * NS_PER_SEC);                        /* the cap pushes out 2 */
	ck_assert_uint_eq(ev.n, 2);
	ck_assert_int_eq(ev.port[0], -3);
	ck_assert_int_eq(ev.port[1], -2);
	/* 1 was last used at 5 s: idle at 16 s; 5 at 6 s is not, and the
	 * entries behind it are not looked at */
	flowtab_expire(t, 16 * NS_PER_SEC);
	ck_assert_uint_eq(ev.n, 3);
	ck_assert_int_eq(ev.port[2], 1);
	flowtab_free(t);                                  /* 5 4 6, in use order */
	ck_assert_uint_eq(ev.n, 6);
	ck_assert_int_eq(ev.port[3], 5);
	ck_assert_int_eq(ev.port[4], 4);
	ck_assert_int_eq(ev.port[5], 6);
}
END_TEST

/* The model: a plain LRU list of ports, front = least recently used. */
#define MODEL_KEYS 64
struct model {
	int port[MODEL_KEYS];
	int64_t last[MODEL_KEYS];
	size_t n, cap;
	int64_t idle;
	struct evlog ev;
};

static size_t model_find(const struct model *m, int port)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->port[i] == port)
			return i;
	return m->n;
}

static void model_drop(struct model *m, size_t i, bool by_cap)
{
	m->ev.port[m->ev.n++] = by_cap ? -m->port[i] : m->port[i];
	memmove(m->port + i, m->port + i + 1, (m->n - i - 1) * sizeof *m->port);
	memmove(m->last + i, m->last + i + 1, (m->n - i - 1) * sizeof *m->last);
	m->n--;
}

static void model_get(struct model *m, int port, int64_t now, bool create)
{
	size_t i = model_find(m, port);
	int64_t last = now;
	if (i < m->n) {
		if (m->last[i] > last)
			last = m->last[i];
		memmove(m->port + i, m->port + i + 1, (m->n - i - 1) * sizeof *m->port);
		memmove(m->last + i, m->last + i + 1, (m->n - i - 1) * sizeof *m->last);
		m->n--;
	} else if (!create) {
		return;
	} else if (m->cap && m->n >= m->cap) {
		model_drop(m, 0, true);
	}
	m->port[m->n] = port;
	m->last[m->n++] = last;
}

static void model_expire(struct model *m, int64_t now)
{
	while (m->n && (now - m->last[0] > m->idle || m->last[0] - now > m->idle))
		model_drop(m, 0, false);
}

static uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* One random run of gets (either orientation, some without create),
 * removals, expiries (time mostly forward, now and then back) and a
 * foreach; every eviction, in order, must be the model's. */
static void lru_run(uint64_t seed, uint32_t clock_limit)
{
	uint64_t r = seed * 0x9e3779b97f4a7c15ULL + 1;
	struct model m = { .n = 0, .cap = 1 + rnd_next(&r) % 40, .idle = 20 * NS_PER_SEC };
	struct evlog ev = { .n = 0 };
	struct flowtab *t = flowtab_new(sizeof(int), m.cap, m.idle, log_evict, &ev);
	if (clock_limit)
		flowtab_set_clock_limit(t, clock_limit);
	int64_t now = 0;
	for (int step = 0; step < 3000 && m.ev.n < ARRAY_LEN(m.ev.port) - MODEL_KEYS; step++) {
		uint64_t x = rnd_next(&r);
		int port = 1 + (int)(x % MODEL_KEYS);
		now += (int64_t)(x >> 8 & 0xff) * NS_PER_MSEC * (x >> 40 & 1 ? 10 : 1);
		if ((x >> 16 & 0x3ff) == 0)
			now -= 60 * NS_PER_SEC;
		unsigned op = (unsigned)(x >> 24 & 0xf);
		if (op == 0) {
			model_expire(&m, now);
			flowtab_expire(t, now);
		} else if (op == 1) {
			struct flow f = flow_n(port);
			void *d = flowtab_get(t, &f, 0, now, false, NULL, NULL);
			size_t i = model_find(&m, port);
			if ((d != NULL) != (i < m.n))
				ck_abort_msg("seed %llu step %d: port %d found %d", (unsigned long long)seed, step,
					     port, d != NULL);
			if (d) {
				model_drop(&m, i, false);
				flowtab_remove(t, d);
			}
		} else {
			bool create = op != 2;
			struct flow f = flow_n(port);
			if (x >> 32 & 1) {
				f.src = f.dst;
				addr_parse("10.0.0.1", 8, &f.dst);
				f.sport = 80;
				f.dport = (uint16_t)port;
			}
			model_get(&m, port, now, create);
			flowtab_get(t, &f, 0, now, create, NULL, NULL);
		}
		/* check's assertions cost a system call each: compare first */
		if (flowtab_count(t) != m.n || ev.n != m.ev.n)
			ck_abort_msg("seed %llu step %d: %zu entries, %zu evicted; a plain LRU %zu, %zu",
				     (unsigned long long)seed, step, flowtab_count(t), ev.n, m.n, m.ev.n);
	}
	struct evlog order = { .n = 0 };
	flowtab_foreach(t, log_visit, &order);
	ck_assert_uint_eq(order.n, m.n);
	for (size_t i = 0; i < m.n; i++)
		if (order.port[i] != m.port[i])
			ck_abort_msg("seed %llu: foreach %zu: port %d, a plain LRU %d", (unsigned long long)seed, i,
				     order.port[i], m.port[i]);
	flowtab_free(t);
	while (m.n)
		model_drop(&m, 0, false);
	ck_assert_uint_eq(ev.n, m.ev.n);
	for (size_t i = 0; i < ev.n; i++)
		if (ev.port[i] != m.ev.port[i])
			ck_abort_msg("seed %llu: eviction %zu: port %d, a plain LRU %d",
				     (unsigned long long)seed, i, ev.port[i], m.ev.port[i]);
}

START_TEST(flowtab_matches_plain_lru)
{
	for (uint64_t seed = 1; seed <= 300; seed++)
		lru_run(seed, seed % 3 == 0 ? (uint32_t)(50 + seed % 17) : 0);
}
END_TEST

static Suite *make_flowtab_suite(void)
{
	Suite *s = suite_create("flowtab");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, flowtab_eviction);
	tcase_add_test(tc, flowtab_refs);
	tcase_add_test(tc, flowtab_use_order);
	tcase_add_test(tc, flowtab_matches_plain_lru);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(make_flowtab_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
