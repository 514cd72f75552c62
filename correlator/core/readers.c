/*
 * correlator/core/readers.c - reader threads and their bounded per-source
 * queues (see readers.h).
 *
 * A queue is a ring of Q_SLOTS slots. A slot holds one event as source_next()
 * filled it, made self-contained: the strings, the decoded packet and its
 * payload the event borrows from the parser are copied into the slot (what
 * lies in the program image - string literals, the parsers' constant tables
 * - is immutable and stays shared), and the diagnostics and notes the source
 * produced while reading it. The reader publishes slots to the main thread in
 * batches under one mutex; the main thread hands each out until it asks for
 * the source's next one, then releases it. Memory is bounded by Q_SLOTS events
 * and Q_BYTES copied bytes per source, whatever the input size.
 * Does not: look into events beyond copying them, or read a source from two
 * threads: one thread owns a source's parser state and counters at a time.
 */
#include "readers.h"
#include "event.h"
#include "parser.h"
#include "pkt.h"
#include "source.h"
#include "util.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define Q_SLOTS 512             /* events in flight per source */
#define Q_BATCH 64              /* published and released at once */
#define Q_BYTES (16u << 20)      /* copied bytes in flight per source */
#define SLOT_KEEP (256u << 10)   /* a slot's buffer above this is shrunk when reused */

struct qslot {
	struct event ev;
	struct pkt pkt;
	char *buf;                 /* copies of what ev borrowed */
	size_t cap, used;
	struct source_defer diag;  /* said while reading this event (or the end) */
	uint64_t bytes;            /* source position after it */
	bool ok;                   /* an event; false: the source's end */
};

struct queue {
	struct source *src;        /* NULL: not read by a thread */
	struct qslot *slots;
	/* under readers.mu */
	size_t head, tail;         /* published by the reader, released by the main thread */
	size_t inflight;           /* copied bytes published and not released */
	/* the reader's */
	size_t ph, tail_seen, inflight_seen, pend_bytes;
	bool finished;
	/* the main thread's */
	size_t ct, avail, rel_bytes;
	bool held, eof;
	uint64_t bytes;
};

struct reader {
	struct readers *r;
	pthread_t th;
	size_t *qs;                /* its queues */
	size_t nq;
	bool started;
};

struct readers {
	pthread_mutex_t mu;
	pthread_cond_t space;      /* a reader waits for room */
	pthread_cond_t data;       /* the main thread waits for an event */
	unsigned space_waiters;
	bool data_waiter;
	bool stop;
	struct queue *q;
	size_t nq;
	struct reader *rd;
	unsigned nrd;
};

unsigned readers_default_threads(size_t readable)
{
	if (readable < 2)
		return 1;
	long cpus = 0;
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		cpus = CPU_COUNT(&set);
	if (cpus <= 0)
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus <= 0)
		cpus = 1;
	size_t want = readable + 1;
	return (unsigned)(want < (size_t)cpus ? want : (size_t)cpus);
}

/* ---- making an event self-contained ---- */

/* The program image up to its writable data: code, string literals, constant
 * tables. What points there never changes, so a copy may keep pointing there. */
extern const char __executable_start[], __data_start[];

static bool immutable(const void *p)
{
	uintptr_t c = (uintptr_t)p;
	return c >= (uintptr_t)__executable_start && c < (uintptr_t)__data_start;
}

static size_t str_need(const char *s)
{
	return !s || immutable(s) ? 0 : strlen(s) + 1;
}

static const char *str_put(struct qslot *s, const char *str)
{
	if (!str || immutable(str))
		return str;
	size_t n = strlen(str) + 1;
	char *p = s->buf + s->used;
	memcpy(p, str, n);
	s->used += n;
	return p;
}

static const void *bytes_put(struct qslot *s, const void *b, size_t n)
{
	if (!b || !n || immutable(b))
		return b;
	char *p = s->buf + s->used;
	memcpy(p, b, n);
	s->used += n;
	return p;
}

/* Copy into the slot what s->ev borrows from the parser. */
static void own(struct qslot *s)
{
	struct event *ev = &s->ev;
	size_t need = str_need(ev->type) + str_need(ev->msg);
	for (unsigned i = 0; i < ev->nfields; i++) {
		const struct field *f = &ev->fields[i];
		need += str_need(f->name);
		if (f->v.type == V_STR && f->v.u.s.p && !immutable(f->v.u.s.p))
			need += f->v.u.s.n;
	}
	const struct pkt *p = ev->pkt;
	if (p) {
		need += str_need(p->malformed);
		if (p->payload && !immutable(p->payload))
			need += p->payload_caplen;
		if (p->comment && !immutable(p->comment))
			need += p->comment_len;
	}
	if (need > s->cap || (s->cap > SLOT_KEEP && need <= SLOT_KEEP)) {
		free(s->buf);
		s->cap = need < 4096 ? 4096 : need;
		s->buf = xmalloc(s->cap);
	}
	s->used = 0;
	ev->type = str_put(s, ev->type);
	ev->msg = str_put(s, ev->msg);
	for (unsigned i = 0; i < ev->nfields; i++) {
		struct field *f = &ev->fields[i];
		f->name = str_put(s, f->name);
		if (f->v.type == V_STR)
			f->v.u.s.p = f->v.u.s.n ? bytes_put(s, f->v.u.s.p, f->v.u.s.n) : "";
	}
	if (p) {
		s->pkt = *p;
		s->pkt.malformed = str_put(s, p->malformed);
		s->pkt.payload = p->payload_caplen ? bytes_put(s, p->payload, p->payload_caplen) : p->payload;
		s->pkt.comment = p->comment_len ? bytes_put(s, p->comment, p->comment_len) : p->comment;
		ev->pkt = &s->pkt;
	}
}

/* ---- the reader thread ---- */

/* Read one event (or the end) of q's source into its next slot. */
static void produce(struct queue *q)
{
	struct qslot *s = &q->slots[q->ph % Q_SLOTS];
	s->diag.n = 0;
	source_defer_to(&s->diag);
	s->ok = source_next(q->src, &s->ev);
	source_defer_to(NULL);
	s->used = 0;
	if (s->ok)
		own(s);
	s->bytes = q->src->bytes_done + q->src->bytes_cur;
	q->pend_bytes += s->used;
	q->ph++;
	if (!s->ok)
		q->finished = true;
}

static bool has_room(const struct queue *q)
{
	return !q->finished && q->ph - q->tail_seen < Q_SLOTS &&
	       q->inflight_seen + q->pend_bytes < Q_BYTES;
}

/* Publish what q's reader produced; learn what the main thread released. */
static void publish(struct readers *r, struct queue *q)
{
	pthread_mutex_lock(&r->mu);
	q->head = q->ph;
	q->inflight += q->pend_bytes;
	q->pend_bytes = 0;
	q->tail_seen = q->tail;
	q->inflight_seen = q->inflight;
	if (r->data_waiter)
		pthread_cond_signal(&r->data);
	pthread_mutex_unlock(&r->mu);
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct readers *r = rd->r;
	size_t live = rd->nq;
	while (live) {
		bool any = false;
		for (size_t k = 0; k < rd->nq; k++) {
			struct queue *q = &r->q[rd->qs[k]];
			if (!has_room(q))
				continue;
			for (unsigned b = 0; b < Q_BATCH && has_room(q); b++)
				produce(q);
			any = true;
			publish(r, q);
			if (q->finished)
				live--;
		}
		if (any)
			continue;
		/* every queue of this reader is full: wait for the main thread */
		pthread_mutex_lock(&r->mu);
		for (;;) {
			bool room = false;
			for (size_t k = 0; k < rd->nq; k++) {
				struct queue *q = &r->q[rd->qs[k]];
				q->tail_seen = q->tail;
				q->inflight_seen = q->inflight;
				room |= has_room(q);
			}
			if (room || r->stop)
				break;
			r->space_waiters++;
			pthread_cond_wait(&r->space, &r->mu);
			r->space_waiters--;
		}
		bool stop = r->stop;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			break;
	}
	return NULL;
}

/* ---- the main thread's side ---- */

struct readers *readers_start(struct source **srcs, size_t n, unsigned nthreads)
{
	size_t readable = 0;
	for (size_t i = 0; i < n; i++)
		readable += !srcs[i]->unreadable && srcs[i]->nfiles;
	if (!nthreads || !readable)
		return NULL;
	if (nthreads > readable)
		nthreads = (unsigned)readable;
	parsers_init_threads();
	struct readers *r = xcalloc(1, sizeof *r);
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->space, NULL);
	pthread_cond_init(&r->data, NULL);
	r->nq = n;
	r->q = xcalloc(n, sizeof *r->q);
	r->nrd = nthreads;
	r->rd = xcalloc(nthreads, sizeof *r->rd);
	for (unsigned t = 0; t < nthreads; t++) {
		r->rd[t].r = r;
		r->rd[t].qs = xcalloc(readable / nthreads + 1, sizeof *r->rd[t].qs);
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (srcs[i]->unreadable || !srcs[i]->nfiles)
			continue;
		r->q[i].src = srcs[i];
		r->q[i].slots = xcalloc(Q_SLOTS, sizeof *r->q[i].slots);
		struct reader *rd = &r->rd[k++ % nthreads];
		rd->qs[rd->nq++] = i;
	}
	for (unsigned t = 0; t < nthreads; t++) {
		if (pthread_create(&r->rd[t].th, NULL, reader_main, &r->rd[t]) == 0) {
			r->rd[t].started = true;
			continue;
		}
		/* no thread: the main thread reads these sources itself */
		for (size_t j = 0; j < r->rd[t].nq; j++)
			r->q[r->rd[t].qs[j]].src = NULL;
	}
	return r;
}

bool readers_has(const struct readers *r, size_t i)
{
	return r && i < r->nq && r->q[i].src;
}

bool readers_next(struct readers *r, size_t i, struct event **ev)
{
	struct queue *q = &r->q[i];
	if (q->eof)
		return false;
	if (q->held) {
		q->held = false;
		q->rel_bytes += q->slots[q->ct % Q_SLOTS].used;
		q->ct++;
	}
	if (q->ct == q->avail || q->ct - q->tail >= Q_BATCH) {
		/* release what was taken (q->tail is written only here, so reading
		 * it unlocked is ours); wait for more when nothing is left */
		pthread_mutex_lock(&r->mu);
		q->tail = q->ct;
		q->inflight -= q->rel_bytes;
		q->rel_bytes = 0;
		if (r->space_waiters)
			pthread_cond_broadcast(&r->space);
		while (q->head == q->ct) {
			r->data_waiter = true;
			pthread_cond_wait(&r->data, &r->mu);
		}
		r->data_waiter = false;
		q->avail = q->head;
		pthread_mutex_unlock(&r->mu);
	}
	struct qslot *s = &q->slots[q->ct % Q_SLOTS];
	source_replay(q->src, &s->diag);
	q->bytes = s->bytes;
	if (!s->ok) {
		q->eof = true;
		q->ct++;
		return false;
	}
	q->held = true;
	*ev = &s->ev;
	return true;
}

uint64_t readers_bytes(const struct readers *r, size_t i)
{
	return r->q[i].bytes;
}

void readers_stop(struct readers *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_broadcast(&r->space);
	pthread_mutex_unlock(&r->mu);
	for (unsigned t = 0; t < r->nrd; t++) {
		if (r->rd[t].started)
			pthread_join(r->rd[t].th, NULL);
		free(r->rd[t].qs);
	}
	for (size_t i = 0; i < r->nq; i++) {
		if (!r->q[i].slots)
			continue;
		for (size_t k = 0; k < Q_SLOTS; k++) {
			/* diagnostics of events never taken (a pass stopped early) are dropped */
			free(r->q[i].slots[k].buf);
			free(r->q[i].slots[k].diag.p);
		}
		free(r->q[i].slots);
	}
	free(r->q);
	free(r->rd);
	pthread_cond_destroy(&r->space);
	pthread_cond_destroy(&r->data);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

/* ---- pre-passes: each source read from its start on one of several threads ---- */

struct preread_job {
	pthread_mutex_t mu;
	size_t next;
	struct source **srcs;
	size_t n;
	bool (*visit)(void *ctx, struct event *ev);
	char *ctxs;
	size_t ctx_size;
};

static void *preread_main(void *arg)
{
	struct preread_job *j = arg;
	for (;;) {
		pthread_mutex_lock(&j->mu);
		size_t i = j->next;
		while (i < j->n && (j->srcs[i]->unreadable || !j->srcs[i]->nfiles))
			i++;
		j->next = i + 1;
		pthread_mutex_unlock(&j->mu);
		if (i >= j->n)
			return NULL;
		source_preread(j->srcs[i], j->visit, j->ctxs + i * j->ctx_size);
	}
}

void readers_preread(struct source **srcs, size_t n, unsigned nthreads,
		     bool (*visit)(void *ctx, struct event *ev), void *ctxs, size_t ctx_size)
{
	struct preread_job j = { .srcs = srcs, .n = n, .visit = visit, .ctxs = ctxs, .ctx_size = ctx_size };
	pthread_mutex_init(&j.mu, NULL);
	size_t readable = 0;
	for (size_t i = 0; i < n; i++)
		readable += !srcs[i]->unreadable && srcs[i]->nfiles;
	if (nthreads > readable)
		nthreads = (unsigned)readable;
	if (nthreads > 1)
		parsers_init_threads();
	pthread_t th[64];
	unsigned started = 0;
	for (unsigned t = 1; t < nthreads && started < ARRAY_LEN(th); t++) {
		if (pthread_create(&th[started], NULL, preread_main, &j) != 0)
			break;  /* fewer helpers: the sources are still all read */
		started++;
	}
	preread_main(&j);  /* this thread reads too */
	for (unsigned t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&j.mu);
}
