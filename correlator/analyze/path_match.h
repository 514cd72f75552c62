/*
 * correlator/analyze/path_match.h - finds the same session in several captures and
 * aligns their clocks before the main pass (the pre-pass of the path analyzer).
 *
 * With two captures or more (each source read up to its first packet to tell),
 * each capture source is read once on its own (bounded: PATH_PREPASS_PKTS
 * packets, PATH_PREPASS_SESS sessions), collecting per session its ISNs and
 * payload digests and per packet a fingerprint (everything that NAT leaves
 * alone: IP-ID, TCP seq/ack/flags/window, length, payload bytes). Sessions are
 * then matched between captures, timestamps never used:
 *   1. same 5-tuple (no NAT between the two points);
 *   2. same client ISN and server ISN (TCP through NAT);
 *   3. payload digests (with the IP-ID for UDP) that occur once in each;
 *      TCP sessions so matched whose ISNs differ went through a firewall
 *      that randomises them: the difference is kept per vantage and taken
 *      off before packets are compared.
 * A UDP reply from an address other than the one asked (cluster nodes, NAT)
 * joins its request's session. Packets with the same fingerprint in two
 * captures give clock samples (clock.h); every capture's offset to the
 * reference (the first capture on the command line) is estimated and applied
 * to the source unless --clock-offset gave one.
 * Does not: diff packets (an_path.c) or read non-capture sources.
 */
#ifndef CORRELATOR_PATH_MATCH_H
#define CORRELATOR_PATH_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/clock.h"
#include "../core/event.h"

struct run;
struct sessions;
struct pkt;

#define PATH_MAX_VANTAGE 4
#define PATH_PREPASS_PKTS 200000u   /* packets read per source in the pre-pass */
#define PATH_PREPASS_SESS 65536u    /* sessions followed per source */

enum path_how { PATH_BY_TUPLE = 1, PATH_BY_ISN, PATH_BY_DIGEST };

struct path_vantage {
	uint16_t source;
	struct flow flow;     /* client -> server as this vantage sees it */
	/* sequence numbers here minus those at the first vantage: [0] the
	 * client's, [1] the server's; non-zero behind a firewall that
	 * randomises ISNs (Cisco ASA does by default) */
	uint32_t seq_delta[2];
};

/* One session seen at several vantage points. */
struct path_group {
	uint32_t id;          /* 0-based index in the map */
	uint8_t nv;
	uint8_t how;          /* enum path_how: how the last vantage was joined */
	uint8_t proto;
	bool has_isn;
	uint32_t isn_c, isn_s;
	struct path_vantage v[PATH_MAX_VANTAGE];
};

/* One capture's clock against the reference. */
struct path_clock {
	bool estimated;
	uint16_t against;     /* the source it was measured against */
	struct clock_est est; /* A = against, B = this source */
	size_t groups;        /* matched sessions that gave samples */
};

struct path_map;

/* The pre-pass: read the capture sources of run, match sessions, estimate and
 * apply clock offsets (src->clock_offset, offset_origin, offset_uncertainty),
 * tell sessions about NATed flows so all vantages share one session id.
 * sessions may be NULL. Returns the map (run owns it afterwards via
 * run->path_map; free with path_map_free), or NULL when fewer than two
 * sources hold packets. */
struct path_map *path_prepass(struct run *run, struct sessions *sessions);
void path_map_free(struct path_map *m);

/* The group of ev's flow seen at ev's source, and the direction of the flow
 * in it (0 client to server). false if the flow is in no matched session.
 * Looks the flow up only when the session table has not (ev->alias). */
bool path_map_lookup(const struct path_map *m, const struct event *ev, uint32_t *group, uint8_t *dir);
const struct path_group *path_map_group(const struct path_map *m, uint32_t group);
size_t path_map_ngroups(const struct path_map *m);
/* index of source in the group's vantage list, or -1 */
int path_group_vantage(const struct path_group *g, uint16_t source);
/* The reference capture, and per source its clock (NULL if not estimated). */
int path_map_reference(const struct path_map *m);
const struct path_clock *path_map_clock(const struct path_map *m, uint16_t source);

/* "10.110.233.50:50183 <-> 10.110.235.202:55073" style mapping line of a group. */
void path_group_mapping(const struct path_group *g, char *buf, size_t len);

/* Fingerprints shared with the analyzer. full: everything NAT leaves alone;
 * loose: what identifies the packet even when a middlebox changed it
 * (IP-ID and sequence number). */
uint64_t path_fp_full(const struct pkt *p);
uint64_t path_fp_loose(const struct pkt *p);
/* The same, with the sequence number taken as seq - sdelta and the
 * acknowledgement as ack - adelta (ISN randomisation undone). */
uint64_t path_fp_full_adj(const struct pkt *p, uint32_t sdelta, uint32_t adelta);
uint64_t path_fp_loose_adj(const struct pkt *p, uint32_t sdelta);
uint64_t path_payload_hash(const struct pkt *p);

/* Match two endpoint sets built from sessions (exposed for unit tests):
 * a tiny in-memory version of steps 1-3 above. Each capture is an array of
 * flows oriented client->server with ISNs (0 = unknown). Returns, for each
 * b[i], the index in a of the same session or -1. */
struct path_test_sess {
	struct flow flow;
	uint32_t isn_c, isn_s;
	uint64_t digest;      /* one payload digest, 0 = none */
};
void path_match_sessions(const struct path_test_sess *a, size_t na, const struct path_test_sess *b,
			 size_t nb, int *match);

#endif
