/*
 * correlator/report/report_html_ladder.c - the HTML report's view of one
 * incident across vantage points: a ladder diagram with a pair of lanes per
 * capture point (the client's side and the server's side as that capture
 * sees them, so a NATed capture shows its translated addresses) and one lane
 * per log; every packet drawn at its own capture time (from the packets the
 * report kept, report.h report_pkt), the session's SYN, SYN-ACK, ACK, FIN and
 * RST around the evidence in grey, and a dashed line joining one packet seen
 * at successive vantage points. Then a Wireshark filter for every capture
 * where the incident's sessions were seen (cited or not), and the sessions'
 * path.blame verdicts. Evidence rows link to the evidence table.
 * Bounded: LADDER_ROWS rows, LADDER_LANES lanes.
 * Does not: choose the evidence (report.c) or write the rest of the page.
 */
#include "report_html.h"
#include "../core/pkt.h"
#include "../core/run.h"
#include "../core/source.h"
#include "../core/util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define LADDER_ROWS 40
#define LADDER_LANES 10
#define LADDER_LANE_W 96
#define LADDER_TIME_W 104
#define LADDER_TEXT_W 420
#define LADDER_ROW_H 24
#define LADDER_HEAD_H 66
#define LADDER_TEXT_CHARS 60
#define MAX_SESSIONS 16
#define SAME_PACKET_NS (2 * NS_PER_SEC)

#define GREY "#9aa5b1"

/* What kind of mark an evidence entry gets, by its causal rank. */
static const char *mark_color(const struct evidence *e)
{
	int k = incident_type_rank(e->type);
	if (k <= 20)
		return "#c62828";   /* changed / lost in the path */
	if (k == 30)
		return "#e65100";   /* a firewall decided */
	if (k == 40)
		return "#6a1b9a";   /* stall */
	if (k == 50)
		return "#b7791f";   /* retransmissions */
	if (k == 60)
		return "#37474f";   /* resets, symptoms */
	return "#1f4e79";           /* plain packets and records */
}

static bool mark_vanishes(const struct evidence *e)
{
	return e->type && (strstr(e->type, "drop") || strstr(e->type, "deny") ||
			   strstr(e->type, "lost"));
}

void html_evidence_id(char *buf, size_t len, size_t inc, const struct evidence *e)
{
	snprintf(buf, len, "ev-%zu-%u-%u-%" PRIu64, inc + 1, e->source, e->file, e->ref);
}

/* ---- what the incident touches ---- */

struct side {              /* a source drawn in the ladder */
	uint16_t source;
	bool capture;          /* two lanes: client side, server side */
	unsigned lane;         /* its first lane */
	bool have_ends;
	struct addr client, server;
	uint16_t cport, sport;
	uint16_t file;         /* the file its session packets are in */
	const struct report_pkt *first; /* a packet of the sessions there */
	bool cited;
};

struct row {
	int64_t ts;
	uint16_t source, file;
	uint64_t ref;
	const struct evidence *ev;     /* NULL: context */
	const struct report_pkt *pk;   /* the packet kept, or NULL */
	int dir;                       /* +1 client to server, -1 back, 0 not a packet */
	double x_from, x_to;           /* the arrow drawn */
};

struct view {
	const struct report *r;
	uint64_t sessions[MAX_SESSIONS];
	unsigned nsessions;
	struct side sides[LADDER_LANES];
	unsigned nsides, nlanes;
	size_t sides_left_out;
	struct row *rows;
	size_t nrows, capped_rows;
	const struct report_pkt **mine;  /* the kept packets of the sessions, in time order */
	size_t nmine;
};

static bool in_sessions(const struct view *v, uint64_t s)
{
	for (unsigned i = 0; s && i < v->nsessions; i++)
		if (v->sessions[i] == s)
			return true;
	return false;
}

static void add_session(struct view *v, uint64_t s)
{
	if (s && !in_sessions(v, s) && v->nsessions < MAX_SESSIONS)
		v->sessions[v->nsessions++] = s;
}

static int mine_cmp(const void *a, const void *b)
{
	const struct report_pkt *x = *(const struct report_pkt *const *)a, *y = *(const struct report_pkt *const *)b;
	return x < y ? -1 : x > y;   /* kept in arrival (time) order */
}

static void gather_mine(struct view *v)
{
	size_t total = 0, n;
	for (unsigned i = 0; i < v->nsessions; i++) {
		report_pkts_of_session(v->r, v->sessions[i], &n);
		total += n;
	}
	v->mine = xmalloc((total ? total : 1) * sizeof *v->mine);
	for (unsigned i = 0; i < v->nsessions; i++) {
		const uint32_t *ix = report_pkts_of_session(v->r, v->sessions[i], &n);
		for (size_t k = 0; k < n; k++)
			v->mine[v->nmine++] = &v->r->pkts[ix[k]];
	}
	qsort(v->mine, v->nmine, sizeof *v->mine, mine_cmp);
}

static struct side *side_of(struct view *v, uint16_t source)
{
	for (unsigned i = 0; i < v->nsides; i++)
		if (v->sides[i].source == source)
			return &v->sides[i];
	return NULL;
}

/* The ends of the session at one capture: who sent the SYN is the client;
 * else the endpoint with the higher port. */
static void side_ends(struct side *sd, const struct flow *fl, uint16_t flags)
{
	if (sd->have_ends && !(flags & TH_SYN))
		return;
	bool from_client;
	if (flags & TH_SYN)
		from_client = !(flags & TH_ACK);
	else
		from_client = fl->sport != fl->dport ? fl->sport > fl->dport : true;
	sd->client = from_client ? fl->src : fl->dst;
	sd->server = from_client ? fl->dst : fl->src;
	sd->cport = from_client ? fl->sport : fl->dport;
	sd->sport = from_client ? fl->dport : fl->sport;
	sd->have_ends = true;
}

static void build_sides(struct view *v, const struct evidence *const *ev, size_t n)
{
	const struct report *r = v->r;
	for (size_t s = 0; s < r->run->nsources; s++) {
		bool cited = false, seen = false;
		for (size_t i = 0; i < n && !cited; i++)
			cited = ev[i]->source == s;
		const struct report_pkt *first = NULL;
		for (size_t i = 0; i < v->nmine && !first; i++)
			if (v->mine[i]->source == s)
				first = v->mine[i];
		seen = first != NULL;
		if (!cited && !seen)
			continue;
		bool capture = report_source_is_capture(r->run->sources[s]);
		unsigned need = capture ? 2 : 1;
		if (v->nsides == LADDER_LANES || v->nlanes + need > LADDER_LANES) {
			v->sides_left_out++;
			continue;
		}
		struct side *sd = &v->sides[v->nsides++];
		memset(sd, 0, sizeof *sd);
		sd->source = (uint16_t)s;
		sd->capture = capture;
		sd->lane = v->nlanes;
		sd->cited = cited;
		sd->first = first;
		sd->file = first ? first->file : 0;
		v->nlanes += need;
		if (!capture)
			continue;
		/* the handshake first, then any packet of the sessions, then the evidence */
		for (size_t i = 0; i < v->nmine; i++) {
			const struct report_pkt *k = v->mine[i];
			if (k->source == s && (k->flags & TH_SYN)) {
				side_ends(sd, &k->flow, k->flags);
				break;
			}
		}
		if (!sd->have_ends && first)
			side_ends(sd, &first->flow, first->flags);
		for (size_t i = 0; i < n && !sd->have_ends; i++)
			if (ev[i]->source == s && ev[i]->has_flow)
				side_ends(sd, &ev[i]->flow, 0);
	}
}

static double lane_x(unsigned lane)
{
	return LADDER_TIME_W + lane * LADDER_LANE_W + LADDER_LANE_W / 2.0;
}

/* +1 client to server, -1 back, at this side; 0 when it is not a packet */
static int flow_dir(const struct side *sd, const struct flow *fl)
{
	if (!sd->capture || !sd->have_ends)
		return 0;
	if (addr_equal(&fl->src, &sd->client) && fl->sport == sd->cport)
		return 1;
	if (addr_equal(&fl->dst, &sd->client) && fl->dport == sd->cport)
		return -1;
	return fl->dport == sd->sport ? 1 : -1;
}

static void push_row(struct view *v, const struct row *w)
{
	v->rows[v->nrows++] = *w;
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	return x->ref < y->ref ? -1 : x->ref > y->ref;
}

static void build_rows(struct view *v, const struct evidence *const *ev, size_t n)
{
	const struct report *r = v->r;
	size_t ctx = 0;
	for (size_t i = 0; i < v->nmine; i++)
		ctx += side_of(v, v->mine[i]->source) != NULL;
	v->rows = xcalloc(n + ctx + 1, sizeof *v->rows);
	size_t nev = 0;
	for (size_t i = 0; i < n && nev < LADDER_ROWS; i++) {
		const struct evidence *e = ev[i];
		struct side *sd = side_of(v, e->source);
		if (!sd)
			continue;
		struct row w = { .ts = e->ts, .source = e->source, .file = e->file, .ref = e->ref, .ev = e };
		if (sd->capture) {
			w.pk = report_pkt_at(r, e->source, e->file, e->ref);
			if (w.pk)
				w.ts = w.pk->ts;   /* the packet's own capture time */
			if (w.pk)
				w.dir = flow_dir(sd, &w.pk->flow);
			else if (e->has_flow)
				w.dir = flow_dir(sd, &e->flow);
		}
		push_row(v, &w);
		nev++;
	}
	v->capped_rows = n > nev ? n - nev : 0;
	/* the context: what the sessions' packets at every capture were, around
	 * the evidence, in time order, as many as fit */
	size_t room = LADDER_ROWS > v->nrows ? LADDER_ROWS - v->nrows : 0;
	for (size_t i = 0; i < v->nmine && room; i++) {
		const struct report_pkt *k = v->mine[i];
		struct side *sd = side_of(v, k->source);
		if (!sd)
			continue;
		bool dup = false;
		for (size_t j = 0; j < v->nrows && !dup; j++)
			dup = v->rows[j].source == k->source && v->rows[j].file == k->file && v->rows[j].ref == k->ref;
		if (dup)
			continue;
		struct row w = { .ts = k->ts, .source = k->source, .file = k->file, .ref = k->ref, .pk = k,
				 .dir = flow_dir(sd, &k->flow) };
		push_row(v, &w);
		room--;
	}
	qsort(v->rows, v->nrows, sizeof *v->rows, row_cmp);
}

static void flags_text(uint16_t fl, char *buf, size_t len)
{
	static const struct { uint16_t bit; const char *name; } names[] = {
		{ TH_SYN, "SYN" }, { TH_FIN, "FIN" }, { TH_RST, "RST" }, { TH_PUSH, "PSH" }, { TH_ACK, "ACK" },
	};
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		if (!(fl & names[i].bit))
			continue;
		int w = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", names[i].name);
		if (w < 0 || (size_t)w >= len - o)
			break;
		o += (size_t)w;
	}
}

/* the earlier row that is the same packet one vantage point before */
static const struct row *same_packet_before(const struct view *v, size_t j)
{
	const struct row *b = &v->rows[j];
	if (!b->pk || !b->dir)
		return NULL;
	const struct side *sb = side_of((struct view *)v, b->source);
	for (size_t i = j; i-- > 0;) {
		const struct row *a = &v->rows[i];
		if (!a->pk || a->dir != b->dir || a->source == b->source || b->ts - a->ts > SAME_PACKET_NS)
			continue;
		const struct side *sa = side_of((struct view *)v, a->source);
		/* sources in path order: the packet travels from lower to higher
		 * lanes toward the server, back the other way */
		if (!sa || (b->dir > 0 ? sa->lane > sb->lane : sa->lane < sb->lane))
			continue;
		if (a->pk->session != b->pk->session || a->pk->flags != b->pk->flags)
			continue;
		/* a handshake packet is one of its kind; others need the same bytes */
		if (!(a->pk->flags & (TH_SYN | TH_FIN | TH_RST)) && a->pk->len != b->pk->len)
			continue;
		return a;
	}
	return NULL;
}

static void write_heads(const struct view *v, int height, FILE *f)
{
	const struct report *r = v->r;
	for (unsigned i = 0; i < v->nsides; i++) {
		const struct side *sd = &v->sides[i];
		const struct source *s = r->run->sources[sd->source];
		unsigned nl = sd->capture ? 2 : 1;
		double x0 = LADDER_TIME_W + sd->lane * LADDER_LANE_W + 6, w = nl * LADDER_LANE_W - 12;
		fprintf(f, "<rect x=\"%.1f\" y=\"4\" width=\"%.1f\" height=\"30\" rx=\"4\" fill=\"#e8eef5\" "
			   "stroke=\"#9fb3c8\"/>\n", x0, w);
		svg_text_attr(f, x0 + w / 2, 18, "middle", "font-size=\"13\" font-weight=\"600\" fill=\"#1f2933\"");
		html_text_short(f, s->label, sd->capture ? 26 : 13);
		fputs("<title>", f);
		html_text(f, s->label);
		fputs("</title></text>", f);
		svg_text_attr(f, x0 + w / 2, 30, "middle", "font-size=\"10.5\" fill=\"#616e7c\"");
		html_text_short(f, report_source_format(s), 18);
		fputs("</text>\n", f);
		for (unsigned l = 0; l < nl; l++) {
			double x = lane_x(sd->lane + l);
			if (sd->capture && sd->have_ends) {
				char a[80];
				addr_format(l ? &sd->server : &sd->client, a, sizeof a);
				svg_text_attr(f, x, 46, "middle", "font-size=\"10\" fill=\"#52606d\" class=\"mono\"");
				html_text_short(f, a, 17);
				fprintf(f, "<title>%s side at ", l ? "server" : "client");
				html_text(f, s->label);
				fprintf(f, ": %s port %u</title></text>", a, l ? sd->sport : sd->cport);
				svg_text_attr(f, x, 57, "middle", "font-size=\"10\" fill=\"#52606d\" class=\"mono\"");
				fprintf(f, ":%u<title>%s port</title></text>\n", l ? sd->sport : sd->cport,
					l ? "server" : "client");
			}
			fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#9fb3c8\" "
				   "stroke-width=\"%s\"/>\n", x, LADDER_HEAD_H - 4, x, height - 8,
				sd->capture ? "1.5" : "2");
		}
	}
	svg_text_attr(f, 8, 28, "start", "font-size=\"11\" fill=\"#616e7c\"");
	fputs("UTC (corrected)</text>\n", f);
}

static void write_rows(struct view *v, size_t inc, int width, FILE *f)
{
	const struct report *r = v->r;
	int text_x = LADDER_TIME_W + (int)v->nlanes * LADDER_LANE_W + 8;
	for (size_t i = 0; i < v->nrows; i++) {
		struct row *w = &v->rows[i];
		const struct side *sd = side_of(v, w->source);
		double y = LADDER_HEAD_H + i * LADDER_ROW_H + LADDER_ROW_H / 2.0;
		char c[24];
		report_clock_ms(w->ts, c, sizeof c);
		if (i % 2 == 0)
			fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#f5f7fa\" "
				   "opacity=\"0.6\"/>", text_x - 8, y - LADDER_ROW_H / 2.0, width - text_x + 8,
				LADDER_ROW_H);
		svg_text_attr(f, 8, y + 4, "start", "font-size=\"12\" fill=\"#52606d\" class=\"mono\"");
		fprintf(f, "%s</text>", c);
		const char *col = w->ev ? mark_color(w->ev) : GREY;
		bool vanish = w->ev && mark_vanishes(w->ev);
		if (w->dir && sd) {
			double xl = lane_x(sd->lane), xr = lane_x(sd->lane + 1);
			w->x_from = w->dir > 0 ? xl : xr;
			w->x_to = w->dir > 0 ? xr : xl;
			const struct row *prev = same_packet_before(v, i);
			if (prev) {
				double py = LADDER_HEAD_H + (double)(prev - v->rows) * LADDER_ROW_H + LADDER_ROW_H / 2.0;
				fprintf(f, "<line class=\"same\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
					   "stroke=\"#7b8794\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>",
					prev->x_to, py, w->x_from, y);
			}
			double x1 = w->x_from, x2 = w->x_to;
			if (vanish) {
				double xm = (x1 + x2) / 2;
				fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
					   "stroke-width=\"2\"/>", x1, y, xm, y, col);
				fprintf(f, "<path d=\"M%.1f,%.1f l8,8 m0,-8 l-8,8\" stroke=\"%s\" "
					   "stroke-width=\"2.5\"/>", xm - 4, y - 4, col);
			} else {
				fprintf(f, "<line class=\"pkt\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
					   "stroke=\"%s\" stroke-width=\"%s\"/>", x1, y, x2 - w->dir * 7, y, col,
					w->ev ? "2" : "1.5");
				fprintf(f, "<path d=\"M%.1f,%.1f l%d,-5 l0,10 z\" fill=\"%s\"/>", x2, y, -w->dir * 9, col);
			}
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", x1, y, col);
		} else if (sd) {
			/* a log line or record: a tag on its lane (a capture's between its two) */
			double x = sd->capture ? (lane_x(sd->lane) + lane_x(sd->lane + 1)) / 2 : lane_x(sd->lane);
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" rx=\"2\" "
				   "fill=\"%s\"/>", x - 7, y - 7, col);
			if (vanish)
				fprintf(f, "<path d=\"M%.1f,%.1f l6,6 m0,-6 l-6,6\" stroke=\"#fff\" "
					   "stroke-width=\"2\"/>", x - 3, y - 3);
		}
		char where[256], id[96];
		report_evidence_where(r, w->source, w->file, where, sizeof where);
		if (w->ev) {
			html_evidence_id(id, sizeof id, inc, w->ev);
			fprintf(f, "<a href=\"#%s\">", id);
		}
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"12.5\" fill=\"%s\"><tspan font-weight=\"600\">",
			text_x, y + 4, w->ev ? col : "#7b8794");
		html_text_short(f, where, 24);
		int wl = (int)strlen(where);
		int used = snprintf(NULL, 0, "#%" PRIu64 " ", w->ref) + (wl < 25 ? wl : 25);
		fprintf(f, "#%" PRIu64 "</tspan> ", w->ref);
		size_t room = used < LADDER_TEXT_CHARS - 20 ? (size_t)(LADDER_TEXT_CHARS - used) : 20;
		if (w->ev) {
			html_text_short(f, w->ev->msg ? w->ev->msg : w->ev->type, room);
			fputs("<title>", f);
			html_text(f, w->ev->type);
			fputs(": ", f);
			html_text(f, w->ev->msg);
			fputs("</title></text></a>\n", f);
		} else {
			char fl[48], a[64], b[64], line[256];
			flags_text(w->pk->flags, fl, sizeof fl);
			addr_format(&w->pk->flow.src, a, sizeof a);
			addr_format(&w->pk->flow.dst, b, sizeof b);
			if (w->pk->flow.proto == 6)
				snprintf(line, sizeof line, "[%s] len %u  %s:%u \xe2\x86\x92 %s:%u", fl, w->pk->len, a,
					 w->pk->flow.sport, b, w->pk->flow.dport);
			else
				snprintf(line, sizeof line, "len %u  %s:%u \xe2\x86\x92 %s:%u", w->pk->len, a,
					 w->pk->flow.sport, b, w->pk->flow.dport);
			html_text_short(f, line, room);
			fputs("<title>context: the session's packet at this capture</title></text>\n", f);
		}
	}
}

static void write_ladder(struct view *v, size_t inc, FILE *f)
{
	if (!v->nsides || !v->nrows)
		return;
	int width = LADDER_TIME_W + (int)v->nlanes * LADDER_LANE_W + LADDER_TEXT_W;
	bool more = v->capped_rows > 0;
	int height = LADDER_HEAD_H + (int)(v->nrows + (more ? 1 : 0)) * LADDER_ROW_H + 16;
	fprintf(f, "<figure><svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		   "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"ladder diagram\">\n",
		width, height, width, height);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", width, height);
	write_heads(v, height, f);
	write_rows(v, inc, width, f);
	if (more) {
		double y = LADDER_HEAD_H + v->nrows * LADDER_ROW_H + LADDER_ROW_H / 2.0;
		svg_text_attr(f, LADDER_TIME_W + 8, y + 4, "start", "font-size=\"12.5\" fill=\"#616e7c\"");
		fprintf(f, "... %zu more evidence entries (listed in the table below)</text>\n", v->capped_rows);
	}
	fputs("</svg>", f);
	fputs("<figcaption>A pair of lanes per capture point: the client's side (left) and the "
	      "server's side (right) with the addresses that capture saw (a NATed capture shows the "
	      "translated ones); one lane per log. Time runs downwards, rows in time order (not to "
	      "scale), each packet at its own capture time. Arrows are packets in their direction; "
	      "a dashed line joins the same packet seen at the next vantage point; &#x2715; marks a "
	      "drop or loss; squares are log records; grey arrows are the session's handshake, FIN "
	      "and RST around the evidence. "
	      "<span style=\"color:#c62828\">&#x25A0; changed or lost in the path</span> "
	      "<span style=\"color:#e65100\">&#x25A0; firewall</span> "
	      "<span style=\"color:#b7791f\">&#x25A0; retransmission</span> "
	      "<span style=\"color:#37474f\">&#x25A0; reset</span> "
	      "<span style=\"color:#1f4e79\">&#x25A0; other</span> "
	      "<span style=\"color:" GREY "\">&#x25A0; context</span>", f);
	if (v->sides_left_out)
		fprintf(f, " %zu more sources not drawn.", v->sides_left_out);
	if (v->r->pkts_capped)
		fputs(" (The report kept its packet limit: some context may be missing.)", f);
	fputs("</figcaption></figure>\n", f);
}

/* A Wireshark filter per capture where the incident's sessions were seen:
 * the cited frames there, and the session with that capture's addresses. */
static void write_capture_filters(const struct view *v, const struct evidence *const *ev, size_t n, FILE *f)
{
	const struct report *r = v->r;
	bool any = false;
	for (unsigned i = 0; i < v->nsides; i++) {
		const struct side *sd = &v->sides[i];
		if (!sd->capture)
			continue;
		char where[256], buf[4096];
		uint16_t file = sd->file;
		if (!sd->first) {
			for (size_t k = 0; k < n; k++)
				if (ev[k]->source == sd->source) {
					file = ev[k]->file;
					break;
				}
		}
		if (!any)
			fputs("<dl class=\"filters\">", f);
		any = true;
		report_evidence_where(r, sd->source, file, where, sizeof where);
		fputs("<dt>", f);
		html_text(f, where);
		fputs(sd->cited ? "" : " <span class=\"muted\">(the session seen here, nothing cited)</span>", f);
		fputs("</dt>", f);
		if (sd->cited) {
			report_frame_filter(ev, n, sd->source, file, buf, sizeof buf);
			html_filter_dd(f, "cited frames", buf);
		}
		size_t done = 0;
		if (sd->first) {
			struct evidence fe = { .source = sd->source, .file = sd->first->file, .ref = sd->first->ref,
					       .ts = sd->first->ts, .type = "tcp", .msg = "",
					       .session = sd->first->session, .flow = sd->first->flow, .has_flow = true };
			const struct evidence *fp = &fe;
			done = report_session_filter(&fp, 1, sd->source, sd->first->file, buf, sizeof buf);
		}
		if (!done)
			done = report_session_filter(ev, n, sd->source, file, buf, sizeof buf);
		if (done)
			html_filter_dd(f, "session", buf);
		fputc('\n', f);
	}
	if (any)
		fputs("</dl>\n", f);
}

static void write_blames(const struct view *v, FILE *f)
{
	const struct report *r = v->r;
	for (size_t i = 0; i < r->nblames; i++) {
		const struct report_blame *b = &r->blames[i];
		if (!in_sessions(v, b->session))
			continue;
		fputs("<p class=\"blame\"><b>Delay verdict</b> <span class=\"rule\">(path.blame at ", f);
		html_text(f, report_label(r, b->source));
		fprintf(f, "#%" PRIu64 ")</span>: <b>", b->ref);
		html_text(f, b->verdict);
		fputs("</b> &mdash; ", f);
		html_text(f, b->msg);
		fputs("</p>\n", f);
	}
}

void html_incident_paths(const struct report *r, size_t inc, const struct evidence *const *ev, size_t n,
			 FILE *f)
{
	struct view v = { .r = r };
	const struct incident *in = &r->incidents[inc];
	for (unsigned k = 0; k < in->nfindings; k++)
		add_session(&v, r->findings[in->findings[k]].session);
	for (size_t i = 0; i < n; i++)
		add_session(&v, ev[i]->session);
	gather_mine(&v);
	build_sides(&v, ev, n);
	build_rows(&v, ev, n);
	write_ladder(&v, inc, f);
	write_capture_filters(&v, ev, n, f);
	write_blames(&v, f);
	free(v.rows);
	free(v.mine);
}
