/*
 * parsers/etl.h - the binary ETW trace (.etl) container, shared by the ETL parser
 * (etl.c), its payload decoders (etl_events.c) and `correlator convert`.
 *
 * etl_read.c walks the file buffer by buffer (WMI_BUFFER_HEADER, 0x48 bytes),
 * decompresses LZXpress buffers through libfwnt, reads the logfile header
 * (TRACE_LOGFILE_HEADER: build, pointer size, clock, start time, time zone) and
 * splits a buffer into records of every header type (system / compact system /
 * perfinfo kernel headers, classic full and instance headers, EVENT_HEADER
 * 32/64 with extended items), each with its time in UTC nanoseconds.
 * etl_events.c decodes the payloads the project understands: PktMon packets
 * (id 160), NDIS-PacketCapture fragments (id 1001, reassembled) and the
 * Kernel-Network / classic kernel TcpIp and UdpIp send/receive events;
 * etl_tcpip.c the TCPIP connection events and drops, etl_afd.c Winsock-AFD.
 * Does not: merge buffers of different CPUs by time (buffers are read in file
 * order; relogged files, as pktmon and netsh write them, are already in order),
 * decode manifest payloads other than those above.
 * Layouts: ../shared/formats/windows-events.md (d), ../shared/corpus/etl/README.md.
 */
#ifndef CORRELATOR_ETL_H
#define CORRELATOR_ETL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../correlator/core/event.h"

struct source;

#define ETL_BUFHDR 0x48

/* header types (the byte at offset 2 of every record) */
enum {
	ETL_H_SYS32 = 0x01, ETL_H_SYS64 = 0x02, ETL_H_COMPACT32 = 0x03, ETL_H_COMPACT64 = 0x04,
	ETL_H_FULL32 = 0x0A, ETL_H_INST32 = 0x0B, ETL_H_MSG = 0x0F, ETL_H_PERF32 = 0x10,
	ETL_H_PERF64 = 0x11, ETL_H_EH32 = 0x12, ETL_H_EH64 = 0x13, ETL_H_FULL64 = 0x14,
	ETL_H_INST64 = 0x15,
};

/* record kinds */
enum etl_kind { ETL_K_KERNEL, ETL_K_CLASSIC, ETL_K_EVENT, ETL_K_OTHER };

struct etl_rec {
	uint64_t ref;            /* 1-based record number in the file */
	uint64_t buffer;         /* 1-based buffer number */
	uint8_t htype;
	enum etl_kind kind;
	uint32_t size;           /* the record's size as stored */
	int64_t ts;              /* UTC ns */
	uint64_t raw_ts;
	uint32_t pid, tid;
	bool has_guid;
	uint8_t guid[16];        /* provider (EVENT_HEADER) or event class (classic) */
	uint16_t id;             /* EVENT_HEADER id; classic: 0 */
	uint8_t version, channel, level, opcode; /* classic: Type is opcode */
	uint16_t task, eflags;   /* EVENT_HEADER Flags */
	uint64_t keyword;
	uint16_t hook;           /* kernel headers: HookId (group << 8 | opcode) */
	const uint8_t *ext;      /* extended data items (EVENT_HEADER), or NULL */
	uint32_t ext_len;
	const uint8_t *data;     /* user data */
	uint32_t len;
};

struct etl_info {
	bool have_header;
	uint32_t build, major, minor, ncpu, ptrsize, mode, clock, cpu_mhz;
	uint32_t buffer_size, buffers_written, events_lost, buffers_lost;
	int64_t perf_freq;
	int64_t start_ft, end_ft, boot_ft;  /* FILETIME */
	int32_t tz_bias_min;                 /* UTC = local + bias */
	char logger[128];                    /* UTF-8, from the header's names */
	uint64_t buffers, compressed, bad_buffers, bad_records, records;
	uint64_t offset;                     /* file position */
	uint64_t size;                       /* file size */
};

struct etl_reader;

/* Open path; NULL with err filled when it is not an ETL file or unreadable. src
 * (may be NULL) receives the skip/warn diagnostics of damaged buffers and records. */
struct etl_reader *etl_open(const char *path, struct source *src, char *err, size_t errlen);
/* Load the next buffer: 1 loaded, 0 at the end of the file. */
int etl_next_buffer(struct etl_reader *r);
/* The next record of the loaded buffer; false at its end. Pointers stay valid
 * until the next etl_next_buffer(). */
bool etl_next_rec(struct etl_reader *r, struct etl_rec *rec);
const struct etl_info *etl_info(const struct etl_reader *r);
void etl_close(struct etl_reader *r);
/* Does this look like an ETL file (the first buffer header and its first record)? 0..100 */
int etl_sniff(const uint8_t *h, size_t n);

struct br;
/* UTF-16LE (NUL-terminated or to the end) -> UTF-8, at most outlen-1 bytes;
 * returns the bytes read. */
size_t etl_utf16_to_utf8(struct br *r, char *out, size_t outlen);

/* GUID as "4d4f80d9-c8bd-4d73-bb5b-19c90402c5ac" (37 bytes with NUL). */
void etl_guid_format(const uint8_t g[16], char out[37]);
/* Name of a well-known provider, or NULL. */
const char *etl_provider_name(const uint8_t g[16]);

extern const uint8_t ETL_GUID_PKTMON[16], ETL_GUID_NDIS[16], ETL_GUID_KERNEL_NET[16],
	ETL_GUID_TCPIP[16], ETL_GUID_AFD[16];

/* ---- payloads (etl_events.c) ---- */

/* PktMon event 160 (one appearance of a packet at one component). */
struct etl_pktmon {
	uint64_t group_id;
	uint16_t pkt_number, appearance, dir_tag, packet_type, component, edge, filter;
	uint32_t drop_reason, drop_location;
	uint16_t original_size, logged_size;
	const uint8_t *frame;
	uint16_t linktype;       /* pcap link type for the frame */
	uint8_t direction;       /* 0 unknown, 1 inbound, 2 outbound */
};
bool etl_pktmon_parse(const struct etl_rec *rec, struct etl_pktmon *out);
const char *etl_pktmon_drop_name(uint32_t reason);
/* PacketDirectionTag name: None In Out Rx Tx Ingress Egress */
const char *etl_pktmon_dir_name(uint16_t tag);

/* NDIS-PacketCapture 1001: fragments appended until PacketEnd. */
struct etl_ndis {
	uint8_t buf[65536];
	uint32_t len;
	bool open;               /* a packet is being assembled */
	bool dropped;            /* the assembly overflowed */
	uint64_t first_ref;
	int64_t first_ts;
	uint32_t ifindex, lower;
	uint64_t keyword;
};
/* Add a 1001 record. 1 = a complete packet is in n->buf[0..len) (linktype and
 * direction filled), 0 = fragment kept, -1 = damaged record (why filled). */
int etl_ndis_add(struct etl_ndis *n, const struct etl_rec *rec, uint16_t *linktype,
		 uint8_t *direction, const char **why);

struct event;

/* TraceLogging: the self-described event (EVENT_HEADER extended items
 * PROV_TRAITS 0x0C and EVENT_SCHEMA_TL 0x0B) decoded into etw.name,
 * etw.provider_name and etw.data.NAME fields. The names and string values live
 * in *t until the next call. false when the record carries no schema. */
struct etl_tlg {
	char names[4096];
	char vals[8192];
	size_t nl, vl;
	uint32_t fields, undecoded;  /* fields emitted; fields left when decoding stopped */
};
bool etl_tlg_event(const struct etl_rec *rec, struct etl_tlg *t, struct event *ev);

/* Microsoft-Windows-TCPIP (manifest payloads, etl_tcpip.c): connect request /
 * completion, accept, state transitions, close/abort/disconnect, retransmission
 * and keep-alive timeouts -> etw.tcpip.* with flows (a state change takes the
 * endpoints an earlier event of its Tcb gave). false if not one of those. */
#define ETL_TCB_SLOTS 1024
struct etl_tcb {
	uint64_t tcb;
	struct addr local, remote;
	uint16_t lport, rport;
	bool inbound;
};
struct etl_tcpip {
	struct etl_tcb tcb[ETL_TCB_SLOTS];
	char tcbs[24], status[16], reason[16];
	const char *why;         /* a TCPIP drop left generic: unknown version / short payload */
};
bool etl_tcpip_event(const struct etl_rec *rec, struct etl_tcpip *t, struct event *ev);

/* SOCKADDR_IN / SOCKADDR_IN6 of len bytes at b (etl_tcpip.c): false when short
 * or another family. */
bool etl_sockaddr(struct br *b, uint32_t len, struct addr *a, uint16_t *port);

/* A pointer-sized field (4 or 8 bytes by the record's header) at b (etl_tcpip.c). */
uint64_t etl_ptr(struct br *b, uint32_t ptrsize);

/* Microsoft-Windows-Winsock-AFD (manifest payloads, etl_afd.c): bind, connect,
 * accept, abort, close, disconnect, sendto / recvfrom with address and
 * datagram drops -> etw.afd.* (the flow from the endpoint's bind). false if not
 * one of those; then why says when it was one with an unknown version or a
 * short payload (the record stays a generic etw.event). */
#define ETL_AFD_SLOTS 1024
struct etl_afd_ep {
	uint64_t ep;
	struct addr local;
	uint16_t lport;
};
struct etl_afd {
	struct etl_afd_ep ep[ETL_AFD_SLOTS];
	char type[40], eps[24], procs[24], status[16], reason[16], addrs[64];
	const char *why;
};
bool etl_afd_event(const struct etl_rec *rec, struct etl_afd *a, struct event *ev);

/* Kernel-Network (manifest) or classic kernel TcpIp / UdpIp records: fill ev
 * (type etw.kernel_net.*, flow, fields) and return true; false if not one. */
bool etl_kernel_net_event(const struct etl_rec *rec, uint32_t ptrsize, struct event *ev);

#endif
