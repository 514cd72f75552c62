/*
 * parsers/etl.c - binary ETW traces (.etl from netsh trace, pktmon, wpr, xperf),
 * sniffed from the first buffer header and logfile header record.
 * PktMon packets (id 160) and NDIS-PacketCapture fragments (id 1001) become
 * packets decoded by the capture layers; the appearances of one PktMon packet at
 * several components (same PktGroupId and PktNumber; when the file has no such
 * ids, as build 26100 and later, the same network-layer bytes within 10 ms) are
 * ONE packet carrying its path; a DropReason becomes a
 * `pktmon.drop` event citing the packet. Kernel-Network and kernel TcpIp/UdpIp
 * records become etw.kernel_net.* with flows; every other record is an etw.event
 * (provider GUID and name, id, version, size).
 * TraceLogging events keep type etw.event with their self-described name and
 * fields (etl_tlg.c).
 * Microsoft-Windows-TCPIP connection events and transport / network-layer
 * drops become etw.tcpip.* (etl_tcpip.c), Winsock-AFD binds, connects, accepts,
 * aborts, sends / receives with address and datagram drops etw.afd.*
 * (etl_afd.c); one of those with an unknown version or a short payload stays
 * an etw.event with etw.undecoded saying why, counted in the closing note.
 * Does not: merge CPU buffers by time. Container: etl_read.c; payloads:
 * etl_events.c.
 */
#include "../correlator/core/parser.h"
#include "etl.h"
#include "decode/capture.h"
#include "../correlator/core/br.h"
#include "../correlator/core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING 4096
#define SAME_BYTES_NS (10 * NS_PER_MSEC)

struct ring_ent {
	uint64_t key;
	int64_t ts;
	uint64_t lead_ref;
};

struct etl_state {
	struct source *src;
	struct etl_reader *rd;
	struct etl_rec *recs;
	struct etl_pktmon *pm;
	int32_t *lead;       /* -1 lead / not a packet; >=0 lead index; -2 seen in an earlier buffer */
	int32_t *next;       /* next appearance of the same packet in this buffer, or -1 */
	uint64_t *dupref;
	bool *ispkt;
	size_t nrec, cap, i;
	size_t cut;          /* records [0, cut) are the older buffer's, emitted first */
	bool eof;
	/* owned copies of the two buffers' record bytes (the reader's buffer is
	 * replaced by the next load): the older buffer's and the newest one's */
	uint8_t *arena[2];
	size_t alen[2], acap[2];
	int slot;
	size_t *doff;        /* offset of a record's data (and then ext) in its arena */
	struct ring_ent ring[RING];
	struct capture cap_;
	struct etl_ndis *ndis;
	int32_t pend;        /* index of a drop appearance to emit next, or -1 */
	uint64_t pend_ref;
	struct pkt scratch;
	char guid[37];
	char path[1024];
	char comment[160];
	struct etl_tlg tlg;
	struct etl_tcpip *tcpip;
	struct etl_afd *afd;
	uint64_t appearances, packets, drops, generic, tracelogging, undecoded;
};

static int etl_sniff_p(const uint8_t *h, size_t n) { return etl_sniff(h, n); }

static int etl_open_p(struct source *src, const char *path, void **state)
{
	char err[512];
	struct etl_reader *rd = etl_open(path, src, err, sizeof err);
	if (!rd) {
		source_error(src, "%s", err);
		return -1;
	}
	struct etl_state *st = xcalloc(1, sizeof *st);
	st->src = src;
	st->rd = rd;
	st->pend = -1;
	st->ndis = xcalloc(1, sizeof *st->ndis);
	st->tcpip = xcalloc(1, sizeof *st->tcpip);
	st->afd = xcalloc(1, sizeof *st->afd);
	capture_init(&st->cap_, src);
	*state = st;
	return 0;
}

/* Where the network layer starts in a PktMon frame: the same packet is logged
 * as native 802.11 at the WiFi miniport and as Ethernet above it, so packets
 * without usable ids are matched on the bytes from here on. */
static uint32_t l3_offset(const struct etl_pktmon *p)
{
	const uint8_t *f = p->frame;
	uint32_t n = p->logged_size;
	if (p->linktype == LT_IEEE802_11 && n >= 24 && (f[0] & 0x0c) == 0x08) {
		uint32_t o = 24;
		if ((f[1] & 3) == 3)
			o += 6;             /* four addresses */
		if (f[0] & 0x80) {
			o += 2;             /* QoS control */
			if (f[1] & 0x80)
				o += 4;     /* HT control */
		}
		if (n >= o + 8 && f[o] == 0xaa && f[o + 1] == 0xaa && f[o + 2] == 0x03)
			return o + 8;       /* LLC/SNAP */
		/* else: some WiFi components log the Ethernet form with PacketType 2 */
	}
	if (p->linktype == LT_ETHERNET || p->linktype == LT_IEEE802_11) {
		if (n >= 18 && f[12] == 0x81 && f[13] == 0x00)
			return 18;
		if (n >= 14)
			return 14;
	}
	return 0;
}

/* PktGroupId + PktNumber identify a packet when the file numbers appearances
 * (AppearanceCount 1, 2, ...). Build 26100 and later files give every
 * appearance its own group id and AppearanceCount 0: there, and when the ids
 * are 0, the key is the network-layer bytes and size (matched within 10 ms at a
 * component/edge not yet on the packet's path). */
static uint64_t pkt_key(const struct etl_pktmon *p, bool *by_bytes)
{
	*by_bytes = p->group_id == 0 || p->appearance == 0;
	if (!*by_bytes)
		return hash_finalize64(p->group_id * 65599u + p->pkt_number) | 1;
	uint32_t o = l3_offset(p);
	uint64_t h = 1469598103934665603ULL;
	for (uint32_t k = o; k < p->logged_size; k++)
		h = (h ^ p->frame[k]) * 1099511628211ULL;
	uint32_t orig = p->original_size >= o ? p->original_size - o : 0;
	return hash_finalize64(h ^ orig) & ~1ull;
}

/* Is an appearance at this component, edge and direction already on the chain from l? */
static bool on_path(const struct etl_state *st, size_t l, const struct etl_pktmon *p)
{
	for (int32_t k = (int32_t)l; k >= 0; k = st->next[k]) {
		const struct etl_pktmon *q = &st->pm[k];
		if (q->component == p->component && q->edge == p->edge && q->dir_tag == p->dir_tag)
			return true;
	}
	return false;
}

static size_t arena_put(struct etl_state *st, const uint8_t *p, size_t n)
{
	int s = st->slot;
	if (st->alen[s] + n + 8 > st->acap[s]) {
		st->acap[s] = (st->alen[s] + n + 8) * 2;
		st->arena[s] = xrealloc(st->arena[s], st->acap[s]);
	}
	size_t o = st->alen[s];
	if (n)
		memcpy(st->arena[s] + o, p, n);
	st->alen[s] += (n + 7) & ~(size_t)7;
	return o;
}

/* Drop the emitted older buffer's records [0, cut); the rest move to the front. */
static void shift(struct etl_state *st)
{
	size_t c = st->cut, m = st->nrec - c;
	if (!c)
		return;
	memmove(st->recs, st->recs + c, m * sizeof *st->recs);
	memmove(st->pm, st->pm + c, m * sizeof *st->pm);
	memmove(st->lead, st->lead + c, m * sizeof *st->lead);
	memmove(st->next, st->next + c, m * sizeof *st->next);
	memmove(st->dupref, st->dupref + c, m * sizeof *st->dupref);
	memmove(st->ispkt, st->ispkt + c, m * sizeof *st->ispkt);
	for (size_t k = 0; k < m; k++) {
		if (st->lead[k] >= 0)
			st->lead[k] = st->lead[k] < (int32_t)c ? -3 : st->lead[k] - (int32_t)c;
		if (st->next[k] >= 0)
			st->next[k] -= (int32_t)c;
	}
	st->nrec = m;
	st->i -= c;
	st->cut = 0;
}

/* The record with this ref among [0, j), or -1 (refs ascend). */
static ptrdiff_t find_ref(const struct etl_state *st, size_t j, uint64_t ref)
{
	size_t lo = 0, hi = j;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->recs[mid].ref < ref)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < j && st->recs[lo].ref == ref ? (ptrdiff_t)lo : -1;
}

/* Append the loaded buffer's records to the window (after the older buffer's,
 * whose packets may continue here) and link the appearances of each packet. */
static void prescan(struct etl_state *st)
{
	size_t first = st->nrec;
	st->slot ^= 1;
	st->alen[st->slot] = 0;
	struct etl_rec rec;
	while (etl_next_rec(st->rd, &rec)) {
		if (st->nrec == st->cap) {
			st->cap = st->cap ? st->cap * 2 : 256;
			st->recs = xrealloc(st->recs, st->cap * sizeof *st->recs);
			st->pm = xrealloc(st->pm, st->cap * sizeof *st->pm);
			st->lead = xrealloc(st->lead, st->cap * sizeof *st->lead);
			st->next = xrealloc(st->next, st->cap * sizeof *st->next);
			st->dupref = xrealloc(st->dupref, st->cap * sizeof *st->dupref);
			st->ispkt = xrealloc(st->ispkt, st->cap * sizeof *st->ispkt);
			st->doff = xrealloc(st->doff, st->cap * sizeof *st->doff);
		}
		size_t j = st->nrec++;
		st->recs[j] = rec;
		st->doff[j] = arena_put(st, rec.data, rec.len);
		arena_put(st, rec.ext, rec.ext_len);
		st->lead[j] = -1;
		st->next[j] = -1;
		st->dupref[j] = 0;
		st->ispkt[j] = etl_pktmon_parse(&st->recs[j], &st->pm[j]);
		if (!st->ispkt[j])
			continue;
		st->appearances++;
		bool by_bytes;
		uint64_t key = pkt_key(&st->pm[j], &by_bytes);
		struct ring_ent *e = &st->ring[key % RING];
		int64_t dt = rec.ts - e->ts;
		bool same = e->key == key && (!by_bytes || (dt >= -SAME_BYTES_NS && dt <= SAME_BYTES_NS));
		ptrdiff_t l = same ? find_ref(st, j, e->lead_ref) : -1;
		if (same && l < 0) {
			st->lead[j] = -2;
			st->dupref[j] = e->lead_ref;
			continue;
		}
		if (l >= 0 && st->ispkt[l] && st->lead[l] == -1 && !(by_bytes && on_path(st, (size_t)l, &st->pm[j]))) {
			/* the lead is in the window, not yet emitted: append to its chain */
			st->lead[j] = (int32_t)l;
			size_t t = (size_t)l;
			while (st->next[t] >= 0)
				t = (size_t)st->next[t];
			st->next[t] = (int32_t)j;
			continue;
		}
		e->key = key;
		e->ts = rec.ts;
		e->lead_ref = rec.ref;
	}
	/* the reader's buffer goes at the next load: point into the owned copy */
	for (size_t j = first; j < st->nrec; j++) {
		struct etl_rec *r = &st->recs[j];
		const uint8_t *base = st->arena[st->slot] + st->doff[j];
		if (st->ispkt[j])
			st->pm[j].frame = base + (st->pm[j].frame - r->data);
		r->data = base;
		r->ext = r->ext ? base + ((r->len + 7) & ~(size_t)7) : NULL;
	}
}

static void pktmon_fields(struct event *ev, const struct etl_pktmon *p)
{
	ev_int(ev, "pktmon.component", p->component);
	ev_int(ev, "pktmon.edge", p->edge);
	ev_int(ev, "pktmon.group_id", (int64_t)p->group_id);
	ev_int(ev, "pktmon.pkt_number", p->pkt_number);
	ev_int(ev, "pktmon.packet_type", p->packet_type);
	ev_cstr(ev, "pktmon.direction", etl_pktmon_dir_name(p->dir_tag));
	ev_int(ev, "pktmon.original_size", p->original_size);
}

static void emit_drop(struct etl_state *st, size_t j, uint64_t pkt_ref, struct event *ev)
{
	const struct etl_pktmon *p = &st->pm[j];
	st->scratch.ifindex = p->component;
	st->scratch.direction = p->direction;
	st->scratch.comment = NULL;
	st->scratch.comment_len = 0;
	pkt_decode(&st->scratch, p->linktype, p->frame, p->logged_size, p->original_size);
	pkt_to_event(&st->scratch, ev);
	ev->pkt = NULL;
	ev->type = "pktmon.drop";
	ev->ref = st->recs[j].ref;
	ev->ts_raw = st->recs[j].ts;
	pktmon_fields(ev, p);
	ev_int(ev, "pktmon.packet", (int64_t)pkt_ref);
	ev_int(ev, "pktmon.drop_reason", p->drop_reason);
	ev_cstr(ev, "pktmon.drop_name", etl_pktmon_drop_name(p->drop_reason));
	ev_int(ev, "pktmon.drop_location", p->drop_location);
	st->drops++;
}

static void emit_packet(struct etl_state *st, size_t j, struct event *ev)
{
	const struct etl_pktmon *p = &st->pm[j];
	size_t o = 0;
	int apps = 0;
	int32_t drop = -1;
	for (int32_t k = (int32_t)j; k >= 0; k = st->next[k]) {
		const struct etl_pktmon *q = &st->pm[k];
		apps++;
		if (o < sizeof st->path - 64)
			o += (size_t)snprintf(st->path + o, sizeof st->path - o, "%s%u/%u%s", o ? " > " : "",
					      q->component, q->edge, q->drop_reason ? " drop" : "");
		if (q->drop_reason && drop < 0)
			drop = k;
	}
	snprintf(st->comment, sizeof st->comment, "PktMon component %u edge %u %s", p->component, p->edge,
		 etl_pktmon_dir_name(p->dir_tag));
	capture_meta(&st->cap_, p->component, p->direction, st->comment, (uint32_t)strlen(st->comment));
	st->cap_.frame = st->recs[j].ref - 1;
	capture_frame(&st->cap_, ev, p->linktype, p->frame, p->logged_size, p->original_size, st->recs[j].ts);
	pktmon_fields(ev, p);
	ev_str(ev, "pktmon.path", st->path, o);
	ev_int(ev, "pktmon.appearances", apps);
	st->packets++;
	if (drop >= 0) {
		st->pend = drop;
		st->pend_ref = st->recs[j].ref;
	}
}

static void generic(struct etl_state *st, const struct etl_rec *r, struct event *ev, const char *why)
{
	ev->type = "etw.event";
	if (why) {
		ev_cstr(ev, "etw.undecoded", why);
		st->undecoded++;
	}
	ev->ref = r->ref;
	ev->ts_raw = r->ts;
	static const char *const kinds[] = { "kernel", "classic", "event", "other" };
	ev_cstr(ev, "etw.header", kinds[r->kind]);
	if (r->has_guid) {
		etl_guid_format(r->guid, st->guid);
		ev_cstr(ev, "etw.provider", st->guid);
		const char *n = etl_provider_name(r->guid);
		if (n)
			ev_cstr(ev, "etw.provider_name", n);
	}
	if (r->kind == ETL_K_KERNEL) {
		ev_int(ev, "etw.hook", r->hook);
		ev_int(ev, "etw.group", r->hook >> 8);
		ev_int(ev, "etw.opcode", r->hook & 0xff);
	} else {
		if (r->kind == ETL_K_EVENT)
			ev_int(ev, "etw.id", r->id);
		ev_int(ev, "etw.version", r->version);
		ev_int(ev, "etw.opcode", r->opcode);
		ev_int(ev, "etw.level", r->level);
		if (r->kind == ETL_K_EVENT)
			ev_int(ev, "etw.keyword", (int64_t)r->keyword);
	}
	ev_int(ev, "etw.size", r->size);
	ev_int(ev, "etw.pid", r->pid);
	ev_int(ev, "etw.tid", r->tid);
	if (etl_tlg_event(r, &st->tlg, ev))
		st->tracelogging++;
	st->generic++;
}

static pr_status etl_next_p(void *state, struct event *ev)
{
	struct etl_state *st = state;
	if (st->pend >= 0) {
		size_t j = (size_t)st->pend;
		st->pend = -1;
		emit_drop(st, j, st->pend_ref, ev);
		return PR_EVENT;
	}
	for (;;) {
		if (st->i >= st->cut) {
			if (st->eof) {
				const struct etl_info *in = etl_info(st->rd);
				source_note(st->src, "ETL build %u, %llu buffers (%llu compressed, %llu damaged), %llu records (%llu damaged): "
					    "%llu packet appearances as %llu packets, %llu drops, %llu other events (%llu TraceLogging, "
					    "%llu TCPIP/AFD with an unknown version or a short payload)",
					    in->build, (unsigned long long)in->buffers, (unsigned long long)in->compressed,
					    (unsigned long long)in->bad_buffers, (unsigned long long)in->records,
					    (unsigned long long)in->bad_records, (unsigned long long)st->appearances,
					    (unsigned long long)st->packets, (unsigned long long)st->drops,
					    (unsigned long long)st->generic, (unsigned long long)st->tracelogging,
					    (unsigned long long)st->undecoded);
				return PR_EOF;
			}
			/* emit a buffer only once the next one is scanned: a packet's
			 * appearances may continue there */
			shift(st);
			if (etl_next_buffer(st->rd) == 1) {
				size_t older = st->nrec;
				prescan(st);
				st->cut = older;
			} else {
				st->eof = true;
				st->cut = st->nrec;
			}
			continue;
		}
		size_t j = st->i++;
		const struct etl_rec *r = &st->recs[j];
		if (st->ispkt[j]) {
			if (st->lead[j] == -1) {
				emit_packet(st, j, ev);
				return PR_EVENT;
			}
			if (st->lead[j] == -2 && st->pm[j].drop_reason) {
				emit_drop(st, j, st->dupref[j], ev);
				return PR_EVENT;
			}
			if (st->lead[j] == -2) {
				/* its packet was emitted from an earlier buffer: too late for the
				 * path, so the appearance is kept as a record citing it */
				const struct etl_pktmon *p = &st->pm[j];
				ev->type = "etw.pktmon.appearance";
				ev->ref = r->ref;
				ev->ts_raw = r->ts;
				pktmon_fields(ev, p);
				ev_int(ev, "pktmon.packet", (int64_t)st->dupref[j]);
				return PR_EVENT;
			}
			continue;  /* another appearance: on the lead's path */
		}
		if (r->kind == ETL_K_EVENT && r->id == 1001 && !memcmp(r->guid, ETL_GUID_NDIS, 16)) {
			uint16_t lt;
			uint8_t dir;
			const char *why;
			int rc = etl_ndis_add(st->ndis, r, &lt, &dir, &why);
			if (rc < 0) {
				source_skip(st->src, r->ref, "%s", why ? why : "NDIS packet damaged");
				return PR_SKIP;
			}
			if (rc == 0)
				continue;
			snprintf(st->comment, sizeof st->comment, "NDIS IfIndex %u LowerIfIndex %u",
				 st->ndis->ifindex, st->ndis->lower);
			capture_meta(&st->cap_, (int32_t)st->ndis->lower, dir, st->comment, (uint32_t)strlen(st->comment));
			st->cap_.frame = st->ndis->first_ref - 1;
			capture_frame(&st->cap_, ev, lt, st->ndis->buf, st->ndis->len, st->ndis->len, st->ndis->first_ts);
			ev_int(ev, "ndis.ifindex", st->ndis->ifindex);
			ev_int(ev, "ndis.lower_ifindex", st->ndis->lower);
			st->packets++;
			return PR_EVENT;
		}
		ev->ref = r->ref;
		ev->ts_raw = r->ts;
		if (etl_kernel_net_event(r, etl_info(st->rd)->ptrsize, ev) || etl_tcpip_event(r, st->tcpip, ev) ||
		    etl_afd_event(r, st->afd, ev))
			return PR_EVENT;
		generic(st, r, ev, st->tcpip->why ? st->tcpip->why : st->afd->why);
		return PR_EVENT;
	}
}

static void etl_close_p(void *state)
{
	struct etl_state *st = state;
	if (!st)
		return;
	capture_fini(&st->cap_);
	etl_close(st->rd);
	free(st->recs);
	free(st->pm);
	free(st->lead);
	free(st->next);
	free(st->dupref);
	free(st->ispkt);
	free(st->doff);
	free(st->arena[0]);
	free(st->arena[1]);
	free(st->ndis);
	free(st->tcpip);
	free(st->afd);
	free(st);
}

const struct parser parser_etl = {
	.api_version = PARSER_API_VERSION,
	.name = "etl",
	.summary = "binary ETW trace (netsh trace, pktmon, wpr): packets, network and other events",
	.sniffs = "WMI buffer header whose first record is the logfile header (system header, hook 0)",
	.sniff = etl_sniff_p,
	.open = etl_open_p,
	.next_event = etl_next_p,
	.close = etl_close_p,
};
