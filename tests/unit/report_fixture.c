/*
 * tests/unit/report_fixture.c - the synthetic report (see report_fixture.h).
 * The story is the one from the mission: a TLS handshake through a firewall,
 * the SYN-ACK altered between the firewall and the client, the firewall then
 * dropping the client's ACK, the client retransmitting its ClientHello and
 * giving up; and, twenty minutes later, an unrelated SMTP relay timeout.
 */
#include "report_fixture.h"

#include <stdlib.h>
#include <string.h>

#include "../../correlator/core/pipeline.h"
#include "../../correlator/core/source.h"
#include "../../correlator/core/util.h"
#include "../../parsers/decode/packet.h"
#include "../../correlator/core/parser.h"

static const struct parser fake_w3c = {
	.api_version = PARSER_API_VERSION,
	.name = "w3c",
	.summary = "test stand-in for the firewall log parser",
};

int64_t fixture_time(int h, int m, int s, int ms)
{
	int64_t sec;
	utc_seconds(2024, 1, 7, h, m, s, &sec);
	return sec * NS_PER_SEC + (int64_t)ms * NS_PER_MSEC;
}

struct source *fixture_source(struct run *run, const char *label, const char *fmt,
			      const char *const *paths, size_t npaths)
{
	char spec[512];
	snprintf(spec, sizeof spec, "%s=%s", label, npaths > 1 ? "/evidence/ring/" : paths[0]);
	struct source *s = source_new((unsigned)run->nsources, spec);
	s->files = xcalloc(npaths, sizeof *s->files);
	s->nfiles = npaths;
	const struct parser *p = parser_by_name(fmt);
	for (size_t i = 0; i < npaths; i++) {
		s->files[i].path = xstrdup(paths[i]);
		s->files[i].parser = p ? p : &fake_w3c;
	}
	run->sources = xrealloc(run->sources, (run->nsources + 1) * sizeof *run->sources);
	run->sources[run->nsources++] = s;
	return s;
}

static void parse_endpoint(const char *s, size_t n, struct addr *a, uint16_t *port)
{
	const char *colon;
	if (s[0] == '[') {
		colon = memchr(s, ']', n);
		addr_parse(s + 1, (size_t)(colon - s - 1), a);
		colon++;
	} else {
		colon = memchr(s, ':', n);
		addr_parse(s, (size_t)(colon - s), a);
	}
	*port = (uint16_t)atoi(colon + 1);
}

struct evidence fixture_evidence(uint16_t source, uint16_t file, uint64_t ref, int64_t ts,
				 const char *type, const char *msg, uint64_t session,
				 const char *flow)
{
	struct evidence e = { .source = source, .file = file, .ref = ref, .ts = ts,
			      .type = type, .msg = msg, .session = session };
	if (flow) {
		const char *gt = strchr(flow, '>');
		parse_endpoint(flow, (size_t)(gt - flow), &e.flow.src, &e.flow.sport);
		parse_endpoint(gt + 1, strlen(gt + 1), &e.flow.dst, &e.flow.dport);
		e.flow.proto = strstr(type, "udp") ? 17 : 6;
		e.has_flow = true;
	}
	return e;
}

/* Traffic for the charts: a deterministic pseudo-random byte rate per
 * second at the three captures, retransmissions and drops around the
 * incident, and a second burst twenty minutes later. */
static void feed_traffic(struct fixture *fx)
{
	struct sink sink = report_sink(&fx->rep);
	static struct event ev;
	struct pkt pk;
	uint32_t rnd = 12345;
	int64_t t0 = fixture_time(14, 33, 0, 0);
	for (int sec = 0; sec < 120; sec++) {
		for (int src = 0; src < 3; src++) {
			rnd = rnd * 1103515245u + 12345u;
			unsigned npk = 20 + (rnd >> 16) % 30;
			if (sec >= 49 && sec <= 56 && src == 0)
				npk /= 4;  /* the client stalls */
			for (unsigned k = 0; k < npk; k++) {
				event_reset(&ev);
				memset(&pk, 0, sizeof pk);
				pk.layers = PKT_IP4 | PKT_TCP;
				pk.wirelen = 60 + (k * 97 + (unsigned)sec * 13) % 1400;
				pk.tcp_flags = TH_ACK;
				if (src == 0 && sec == 56 && k == 0)
					pk.tcp_flags = TH_RST | TH_ACK;
				ev.ts = t0 + (int64_t)sec * NS_PER_SEC + (int64_t)k * (NS_PER_SEC / 64);
				ev.ts_raw = ev.ts;
				ev.source = (uint16_t)src;
				ev.ref = (uint64_t)(sec * 50 + (int)k + 1);
				ev.type = "tcp";
				ev.pkt = &pk;
				sink.event(sink.ctx, &ev);
				fx->run.sources[src]->events++;
				if (src == 0 && sec >= 50 && sec <= 55 && k < (unsigned)(sec - 48)) {
					event_reset(&ev);
					ev.ts = t0 + (int64_t)sec * NS_PER_SEC + (int64_t)k * (NS_PER_SEC / 64);
					ev.source = 0;
					ev.ref = (uint64_t)(sec * 50 + (int)k + 1);
					ev.type = "tcp.retransmission";
					ev.flags = EV_ANALYSIS;
					sink.event(sink.ctx, &ev);
				}
			}
		}
		if (sec >= 49 && sec <= 53) {
			event_reset(&ev);
			ev.ts = t0 + (int64_t)sec * NS_PER_SEC + 400 * NS_PER_MSEC;
			ev.source = 3;
			ev.ref = (uint64_t)(1200 + sec);
			ev.type = "fw.drop";
			sink.event(sink.ctx, &ev);
			fx->run.sources[3]->events++;
		}
	}
}

#define NEV 16

void fixture_init(struct fixture *fx)
{
	memset(fx, 0, sizeof *fx);
	run_options_default(&fx->run.opt);
	arena_init(&fx->run.store, 0);
	static const char *const client[] = { "/evidence/client.pcapng" };
	static const char *const fwin[] = { "/evidence/tmg-internal.pcap" };
	static const char *const fwout[] = { "/evidence/ring/ext_00001.pcap",
					     "/evidence/ring/ext_00002.pcap" };
	static const char *const tmg[] = { "/evidence/fws.w3c.log" };
	struct source *s = fixture_source(&fx->run, "client", "pcapng", client, 1);
	s->clock_offset = -642248 * NS_PER_MSEC;  /* the client clock ran 10 min 42 s fast */
	s->offset_origin = OFFSET_ESTIMATED;
	s->offset_uncertainty = 2 * NS_PER_MSEC;
	s = fixture_source(&fx->run, "fw-in", "pcap", fwin, 1);
	s = fixture_source(&fx->run, "fw-out", "pcap", fwout, 2);
	s->skipped = 2;
	s->skip_refs[s->nskip_refs++] = 1881;
	s->skip_refs[s->nskip_refs++] = 1882;
	s = fixture_source(&fx->run, "tmg", "w3c", tmg, 1);
	s->clock_offset = 0;
	s->offset_origin = OFFSET_GIVEN;
	s->tz_given = tz_parse("+01:00", &s->tz);
	source_note(s, "times are local (+01:00), converted to UTC");
	report_init(&fx->rep, &fx->run, NULL);
	feed_traffic(fx);

	struct arena *a = &fx->run.store;
	const char *cflow = "10.1.1.10:50311>203.0.113.5:443";
	const char *sflow = "203.0.113.5:443>10.1.1.10:50311";
	const char *nflow = "198.51.100.7:61002>203.0.113.5:443";

	struct evidence *e = arena_alloc(a, NEV * sizeof *e);
	e[0] = fixture_evidence(1, 0, 6461, fixture_time(14, 33, 49, 908), "tcp",
				"SYN-ACK 0 bytes", 7, sflow);
	e[1] = fixture_evidence(0, 0, 456, fixture_time(14, 33, 49, 909), "path.modified",
				"SYN-ACK 2 bytes (payload added between fw-in and client)", 7, sflow);
	e[2] = fixture_evidence(2, 1, 322, fixture_time(14, 33, 49, 907), "tcp",
				"SYN-ACK 0 bytes", 7, "203.0.113.5:443>198.51.100.7:61002");
	struct finding f = {
		.rule = "path_modified_synack", .title = "SYN-ACK modified in the path",
		.severity = SEV_HIGH,
		.message = "The SYN-ACK left the firewall with no payload and reached the client carrying 2 bytes",
		.advice = "Look for a device between the firewall's inside interface and the client that rewrites TCP (IPS, WAN optimizer); capture on its ports",
		.key = "10.1.1.10:50311 <-> 203.0.113.5:443 tcp", .ts = e[2].ts, .session = 7,
		.evidence = e, .nevidence = 3, .incident = -1,
	};
	struct field *fl = arena_alloc(a, 2 * sizeof *fl);
	fl[0].name = "tcp.len";
	fl[0].v.type = V_INT;
	fl[0].v.u.i = 2;
	fl[1].name = "path.from";
	fl[1].v.type = V_STR;
	fl[1].v.u.s.p = "fw-in";
	fl[1].v.u.s.n = 5;
	f.fields = fl;
	f.nfields = 2;

	/* added out of causal order on purpose: grouping must reorder */
	struct evidence *r3 = arena_alloc(a, NEV * sizeof *r3);
	r3[0] = fixture_evidence(0, 0, 458, fixture_time(14, 33, 50, 212), "tcp.retransmission",
				 "ClientHello retransmitted (1st), 517 bytes", 7, cflow);
	r3[1] = fixture_evidence(0, 0, 460, fixture_time(14, 33, 50, 820), "tcp.retransmission",
				 "ClientHello retransmitted (2nd), 517 bytes", 7, cflow);
	r3[2] = fixture_evidence(0, 0, 463, fixture_time(14, 33, 52, 36), "tcp.retransmission",
				 "ClientHello retransmitted (3rd), 517 bytes", 7, cflow);
	r3[3] = fixture_evidence(0, 0, 470, fixture_time(14, 33, 56, 12), "tcp.rst",
				 "RST from the client: connection abandoned", 7, cflow);
	struct finding f3 = {
		.rule = "tcp_retrans_then_reset", .title = "Client retransmits its ClientHello, then resets",
		.severity = SEV_MEDIUM,
		.message = "client retransmitted the ClientHello 3 times over 1.8 s without an ACK, then reset the connection",
		.key = "10.1.1.10:50311 <-> 203.0.113.5:443 tcp", .ts = r3[0].ts, .session = 7,
		.evidence = r3, .nevidence = 4, .incident = -1,
	};
	report_add_finding(&fx->rep, &f3);

	struct evidence *d = arena_alloc(a, NEV * sizeof *d);
	d[0] = fixture_evidence(0, 0, 457, fixture_time(14, 33, 49, 910), "tcp",
				"ACK, 0 bytes", 7, cflow);
	d[1] = fixture_evidence(1, 0, 6462, fixture_time(14, 33, 49, 911), "tcp",
				"ACK, 0 bytes", 7, cflow);
	d[2] = fixture_evidence(3, 0, 1249, fixture_time(14, 33, 49, 911), "fw.drop",
				"Denied 10.1.1.10:50311 -> 203.0.113.5:443: 0xc0040014 FWX_E_TCP_NOT_SYN_PACKET_DROPPED",
				0, cflow);
	d[3] = fixture_evidence(2, 1, 323, fixture_time(14, 33, 49, 912), "tcp",
				"(no ACK left the firewall)", 7, nflow);
	struct finding f2 = {
		.rule = "fw_drop_after_synack", .title = "Firewall dropped the handshake ACK",
		.severity = SEV_HIGH,
		.message = "tmg denied the client's ACK 3 ms after the SYN-ACK: the firewall's state no longer matched the connection",
		.advice = "Check the firewall's TCP state (SYN-ACK sequence check) for this rule",
		.key = "10.1.1.10:50311 <-> 203.0.113.5:443 tcp", .ts = d[0].ts, .session = 0,
		.evidence = d, .nevidence = 4, .incident = -1,
	};
	report_add_finding(&fx->rep, &f2);
	report_add_finding(&fx->rep, &f);

	struct evidence *m = arena_alloc(a, NEV * sizeof *m);
	m[0] = fixture_evidence(0, 0, 2210, fixture_time(14, 54, 10, 5), "tcp",
				"SMTP DATA end '.' sent, 1452 bytes", 31, "10.1.1.25:49822>10.1.2.30:25");
	m[1] = fixture_evidence(3, 0, 1502, fixture_time(14, 54, 40, 5), "fw.teardown",
				"Connection closed by idle timeout 10.1.1.25:49822 -> 10.1.2.30:25", 0,
				"10.1.1.25:49822>10.1.2.30:25");
	struct finding f4 = {
		.rule = "smtp_no_reply_after_data", .title = "SMTP relay gave no reply after the message body",
		.severity = SEV_MEDIUM,
		.message = "client sent the end of DATA in session 31 and no 250 reply came within 30 s",
		.advice = "Check the relay's content filter or antivirus scan time; raise the sender's data timeout",
		.key = "10.1.1.25:49822 <-> 10.1.2.30:25 tcp", .ts = m[0].ts, .session = 31,
		.evidence = m, .nevidence = 2, .incident = -1,
	};
	report_add_finding(&fx->rep, &f4);
}

void fixture_free(struct fixture *fx)
{
	report_fini(&fx->rep);
	for (size_t i = 0; i < fx->run.nsources; i++)
		source_free(fx->run.sources[i]);
	free(fx->run.sources);
	arena_free(&fx->run.store);
}
