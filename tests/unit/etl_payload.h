/*
 * tests/unit/etl_payload.h - build binary ETW event payloads byte for byte
 * (little-endian integers, pointers of the record's size, SOCKADDR_IN /
 * SOCKADDR_IN6 with their length prefix) into one buffer, wrap them in an
 * etl_rec, and check the decoded event's fields and flow.
 * Not part of the program: included by the ETL unit tests only.
 */
#ifndef TESTS_ETL_PAYLOAD_H
#define TESTS_ETL_PAYLOAD_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../../parsers/etl.h"

static uint8_t buf[256];
static size_t n;
static uint32_t ps = 8;  /* pointer size of the record being built */
static struct event ev;  /* the event the test decodes into */

static inline void u8s(const uint8_t *p, size_t k) { memcpy(buf + n, p, k); n += k; }
static inline void u16(uint16_t v) { buf[n++] = (uint8_t)v; buf[n++] = (uint8_t)(v >> 8); }
static inline void u32(uint32_t v) { u16((uint16_t)v); u16((uint16_t)(v >> 16)); }
static inline void u64(uint64_t v) { u32((uint32_t)v); u32((uint32_t)(v >> 32)); }
static inline void ptr(uint64_t v) { u32((uint32_t)v); if (ps == 8) u32((uint32_t)(v >> 32)); }
static inline void port(uint16_t p) { buf[n++] = (uint8_t)(p >> 8); buf[n++] = (uint8_t)p; }

/* u32 length 16, then SOCKADDR_IN: family 2, port (network order), address, 8 zero */
static inline void sin4(const uint8_t a[4], uint16_t p)
{
	u32(16);
	u16(2);
	port(p);
	u8s(a, 4);
	memset(buf + n, 0, 8);
	n += 8;
}

/* u32 length 28, then SOCKADDR_IN6: family 23, port, flowinfo, address, scope id */
static inline void sin6(const uint8_t a[16], uint16_t p)
{
	u32(28);
	u16(23);
	port(p);
	u32(0);
	u8s(a, 16);
	u32(0);
}

/* The payload built so far as an event record of provider guid, id. */
static inline struct etl_rec payload_rec(const uint8_t *guid, uint16_t id)
{
	struct etl_rec r;
	memset(&r, 0, sizeof r);
	r.kind = ETL_K_EVENT;
	r.htype = ps == 4 ? ETL_H_EH32 : ETL_H_EH64;
	r.id = id;
	memcpy(r.guid, guid, 16);
	r.data = buf;
	r.len = (uint32_t)n;
	return r;
}

static inline bool str_is(const char *name, const char *want)
{
	const struct value *v = event_get(&ev, name);
	return v && v->type == V_STR && v->u.s.n == strlen(want) && !memcmp(v->u.s.p, want, v->u.s.n);
}

static inline int64_t num(const char *name)
{
	int64_t x = -1;
	ck_assert(event_get_int(&ev, name, &x));
	return x;
}

/* fam 4 or 6; s and d hold 4 or 16 address bytes */
static inline void flow_is(int fam, const uint8_t *s, uint16_t sp, const uint8_t *d, uint16_t dp, int proto)
{
	ck_assert(ev.flags & EV_HAS_FLOW);
	ck_assert_int_eq(ev.flow.proto, proto);
	ck_assert_int_eq(ev.flow.src.family, fam);
	ck_assert(!memcmp(ev.flow.src.b, s, fam == 4 ? 4 : 16));
	ck_assert(!memcmp(ev.flow.dst.b, d, fam == 4 ? 4 : 16));
	ck_assert_int_eq(ev.flow.sport, sp);
	ck_assert_int_eq(ev.flow.dport, dp);
}

#endif
