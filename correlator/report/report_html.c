/*
 * correlator/report/report_html.c - `analyze -f html`: one self-contained page for
 * people: the incident list; per incident its summary, findings cause
 * first, a ladder diagram of the cited packets and log lines (one lane per
 * vantage point), the evidence timeline and the Wireshark filters; per-second
 * charts per source (bytes per second, with retransmissions, loss,
 * reordering, resets and drops below, incident spans shaded); every
 * finding's evidence; the source table, analysis events and sessions.
 *
 * Self-contained: inline CSS and inline SVG only: no scripts, fonts, images
 * or links outside the page. Every string from the input goes through
 * html_text() (escapes < > & " ' and replaces control bytes). Every SVG is
 * bounded: at most LADDER_ROWS rows and LADDER_LANES lanes per ladder
 * ("... N more" says what was left out), REPORT_SERIES_BUCKETS points per
 * chart. Deterministic: no wall-clock time.
 * Does not: group findings (incident.c) or collect the series (report.c).
 */
#include "report_html.h"
#include "../core/run.h"
#include "../core/sessions.h"
#include "../core/source.h"
#include "../core/util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define HTML_EVIDENCE_MAX 500  /* per finding in the evidence section */
#define HTML_SESSIONS 50

#define CHART_W 1200
#define CHART_LEFT 78
#define CHART_RIGHT 16
#define CHART_TOP_H 130
#define CHART_BOT_H 60

/* Text for HTML element content and attribute values. */
void html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				fputc(' ', f);
			else
				fputc(*s, f);
		}
	}
}

/* At most max characters of s (UTF-8 aware: never cuts a sequence), with
 * an ellipsis when shortened. */
void html_filter_dd(FILE *f, const char *what, const char *filter)
{
	fprintf(f, "<dd>%s <code>", what);
	html_text(f, filter);
	fputs("</code></dd>", f);
}

void html_text_short(FILE *f, const char *s, size_t max)
{
	size_t n = 0, chars = 0, len = s ? strlen(s) : 0;
	while (n < len && chars < max) {
		n++;
		while (n < len && ((unsigned char)s[n] & 0xc0) == 0x80)
			n++;
		chars++;
	}
	if (n >= len) {
		html_text(f, s);
		return;
	}
	char *cut = xmalloc(n + 1);
	memcpy(cut, s, n);
	cut[n] = '\0';
	html_text(f, cut);
	fputs("\xe2\x80\xa6", f);
	free(cut);
}

static const char *css =
	":root{--ink:#1f2933;--muted:#616e7c;--line:#d9e2ec;--bg:#f5f7fa;--accent:#1f4e79}"
	"*{box-sizing:border-box}"
	"body{font:14px/1.45 -apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
	"color:var(--ink);margin:0;background:#fff}"
	"main{max-width:1280px;margin:0 auto;padding:24px 32px 48px}"
	"header.top{background:var(--accent);color:#fff;padding:18px 32px}"
	"header.top h1{margin:0;font-size:22px;font-weight:600}"
	"header.top p{margin:4px 0 0;opacity:.9}"
	"h2{font-size:19px;margin:32px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}"
	"h3{font-size:16px;margin:0 0 8px}"
	"table{border-collapse:collapse;margin:8px 0 16px;width:100%}"
	"td,th{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}"
	"th{background:var(--bg);font-weight:600;font-size:13px;color:var(--muted)}"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
	"td.t{white-space:nowrap;font-variant-numeric:tabular-nums}"
	"code,.mono{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;font-size:12.5px}"
	"code{background:var(--bg);border:1px solid var(--line);border-radius:3px;padding:1px 4px;"
	"word-break:break-all}"
	".sev{display:inline-block;min-width:74px;text-align:center;border-radius:3px;padding:1px 6px;"
	"font-size:12px;font-weight:700;color:#fff;letter-spacing:.03em}"
	".sev-critical{background:#7b1fa2}.sev-high{background:#c62828}.sev-medium{background:#ef6c00}"
	".sev-low{background:#1565c0}.sev-info{background:#607d8b}"
	".incident{border:1px solid var(--line);border-left:6px solid #90a4ae;border-radius:4px;"
	"padding:16px 20px;margin:18px 0}"
	".incident.sev-b-critical{border-left-color:#7b1fa2}.incident.sev-b-high{border-left-color:#c62828}"
	".incident.sev-b-medium{border-left-color:#ef6c00}.incident.sev-b-low{border-left-color:#1565c0}"
	".summary{background:var(--bg);border-radius:4px;padding:10px 14px;margin:8px 0 12px}"
	"ol.causes{margin:4px 0 12px;padding-left:22px}ol.causes li{margin:2px 0}"
	".rule{color:var(--muted);font-size:12.5px}"
	".filters dt{font-weight:600;margin-top:6px}.filters dd{margin:2px 0 2px 16px}"
	"figure{margin:8px 0 12px;overflow-x:auto}figcaption{color:var(--muted);font-size:12.5px}"
	"svg text{font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif}"
	".muted{color:var(--muted)}"
	"a{color:var(--accent)}"
	"nav.bar{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid var(--line);"
	"padding:6px 32px;font-size:13px}nav.bar a{margin-right:12px;text-decoration:none}"
	"nav.bar a.inc{margin-right:6px}"
	"p.blame{margin:4px 0 10px}"
	"tr:target{background:#fff3c4}"
	"footer{color:var(--muted);font-size:12px;margin-top:40px}";

static const char *sev_class(enum severity s)
{
	return severity_name(s);
}

/* ---- SVG helpers (the ladder is report_html_ladder.c) ---- */

void svg_text_attr(FILE *f, double x, double y, const char *anchor, const char *style)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>", x, y, anchor, style);
}

/* ---- evidence tables and filters ---- */

/* inc >= 0: an incident's table, each row with its id (the ladder links to it) */
static void write_evidence_table(const struct report *r, const struct evidence *const *ev, size_t n,
				 size_t max, long inc, FILE *f)
{
	fputs("<table><tr><th>time (UTC)</th><th>evidence</th><th>type</th><th>what</th></tr>\n", f);
	for (size_t i = 0; i < n && i < max; i++) {
		char c[24], where[256];
		report_clock_ms(ev[i]->ts, c, sizeof c);
		report_evidence_where(r, ev[i]->source, ev[i]->file, where, sizeof where);
		if (inc >= 0) {
			char id[96];
			html_evidence_id(id, sizeof id, (size_t)inc, ev[i]);
			fprintf(f, "<tr id=\"%s\">", id);
		} else {
			fputs("<tr>", f);
		}
		fprintf(f, "<td class=\"t\">%s</td><td class=\"mono\">", c);
		html_text(f, where);
		fprintf(f, "#%" PRIu64 "</td><td class=\"mono\">", ev[i]->ref);
		html_text(f, ev[i]->type);
		fputs("</td><td>", f);
		html_text(f, ev[i]->msg);
		fputs("</td></tr>\n", f);
	}
	if (n > max)
		fprintf(f, "<tr><td></td><td colspan=\"3\" class=\"muted\">... %zu more</td></tr>\n", n - max);
	fputs("</table>\n", f);
}

static void write_filters(const struct report *r, const struct evidence *const *ev, size_t n, FILE *f)
{
	uint32_t pairs[32];
	size_t np = report_evidence_files(ev, n, pairs, ARRAY_LEN(pairs));
	bool any = false;
	for (size_t i = 0; i < np && i < ARRAY_LEN(pairs); i++) {
		uint16_t src = (uint16_t)(pairs[i] >> 16), file = (uint16_t)pairs[i];
		if (src >= r->run->nsources || !report_source_is_capture(r->run->sources[src]))
			continue;
		char where[256], buf[4096];
		if (!any)
			fputs("<dl class=\"filters\">", f);
		any = true;
		report_evidence_where(r, src, file, where, sizeof where);
		fputs("<dt>", f);
		html_text(f, where);
		fputs("</dt>", f);
		report_frame_filter(ev, n, src, file, buf, sizeof buf);
		html_filter_dd(f, "cited frames", buf);
		if (report_session_filter(ev, n, src, file, buf, sizeof buf))
			html_filter_dd(f, "session", buf);
		fputc('\n', f);
	}
	if (any)
		fputs("</dl>\n", f);
}

/* The summary with its sentence labels (incident.c writes them) in bold. */
static void write_summary(FILE *f, const char *s)
{
	static const char *const labels[] = { "What happened:", "Then:", "Where:", "What to do:", NULL };
	char *copy = xstrdup(s ? s : "");
	char *p = copy;
	while (*p) {
		const char *lab = NULL;
		char *at = NULL;
		for (size_t k = 0; labels[k]; k++) {
			char *q = strstr(p, labels[k]);
			/* only at the start or after ". " */
			while (q && q != copy && !(q >= copy + 2 && q[-1] == ' ' && q[-2] == '.'))
				q = strstr(q + 1, labels[k]);
			if (q && (!at || q < at)) {
				at = q;
				lab = labels[k];
			}
		}
		if (!at) {
			html_text(f, p);
			break;
		}
		*at = '\0';
		html_text(f, p);
		fprintf(f, "<b>%s</b>", lab);
		p = at + strlen(lab);
	}
	free(copy);
}

static void write_incident(const struct report *r, size_t i, FILE *f)
{
	const struct incident *inc = &r->incidents[i];
	char a[24], b[24], d[48];
	report_clock_ms(inc->first_ts, a, sizeof a);
	report_clock_ms(inc->last_ts, b, sizeof b);
	format_duration(inc->last_ts - inc->first_ts, d, sizeof d);
	fprintf(f, "<section class=\"incident sev-b-%s\" id=\"incident-%zu\">\n<h3>"
		   "<span class=\"sev sev-%s\">%s</span> Incident %zu: ",
		sev_class(inc->severity), i + 1, sev_class(inc->severity),
		report_severity_upper(inc->severity), i + 1);
	html_text(f, inc->title);
	fprintf(f, "</h3>\n<div class=\"muted\">%s &ndash; %s UTC (%s), %u finding%s</div>\n", a, b, d,
		inc->nfindings, inc->nfindings == 1 ? "" : "s");
	fputs("<p class=\"summary\">", f);
	write_summary(f, inc->summary);
	fputs("</p>\n<div><b>Findings, cause first</b></div><ol class=\"causes\">", f);
	for (unsigned k = 0; k < inc->nfindings; k++) {
		const struct finding *fd = &r->findings[inc->findings[k]];
		unsigned times = report_incident_repeats(r, inc, k);
		if (!times)
			continue;
		fprintf(f, "<li><span class=\"sev sev-%s\">%s</span> ", sev_class(fd->severity),
			report_severity_upper(fd->severity));
		html_text(f, fd->title);
		fputs(" <span class=\"rule\">rule ", f);
		html_text(f, fd->rule);
		if (times > 1)
			fprintf(f, ", found %u times", times);
		fputs("</span></li>", f);
	}
	fputs("</ol>\n", f);
	size_t total = 0;
	for (unsigned k = 0; k < inc->nfindings; k++)
		total += r->findings[inc->findings[k]].nevidence;
	const struct evidence **ev = xmalloc((total ? total : 1) * sizeof *ev);
	size_t n = report_incident_evidence(r, inc, ev, total);
	html_incident_paths(r, i, ev, n, f);
	write_evidence_table(r, ev, n, HTML_EVIDENCE_MAX, (long)i, f);
	free(ev);
	fputs("</section>\n", f);
}

/* ---- per-second charts ---- */

static void fmt_rate(uint64_t v, char *buf, size_t len)
{
	if (v >= 10000000)
		snprintf(buf, len, "%.0f MB", (double)v / 1e6);
	else if (v >= 1000000)
		snprintf(buf, len, "%.1f MB", (double)v / 1e6);
	else if (v >= 10000)
		snprintf(buf, len, "%.0f kB", (double)v / 1e3);
	else if (v >= 1000)
		snprintf(buf, len, "%.1f kB", (double)v / 1e3);
	else
		snprintf(buf, len, "%" PRIu64 " B", v);
}

static const struct { int metric; const char *name, *color; } bar_metrics[] = {
	{ SM_LOSS, "loss", "#c62828" },
	{ SM_REORDER, "reordering", "#6a1b9a" },
	{ SM_RETRANS, "retransmissions", "#dd8a00" },
	{ SM_RESETS, "resets", "#37474f" },
	{ SM_DROPS, "firewall drops", "#8d4004" },
};

static void write_chart(const struct report *r, size_t si, FILE *f)
{
	const struct series *se = r->series[si];
	unsigned nb = r->series_n;
	bool top = se->total[SM_PACKETS] > 0;
	uint64_t bar_total = 0;
	for (size_t m = 0; m < ARRAY_LEN(bar_metrics); m++)
		bar_total += se->total[bar_metrics[m].metric];
	int plot_w = CHART_W - CHART_LEFT - CHART_RIGHT;
	int top_y = 28, top_h = top ? CHART_TOP_H : 0;
	int bot_y = top_y + top_h + (top ? 18 : 0), bot_h = bar_total ? CHART_BOT_H : 0;
	int height = bot_y + bot_h + 44;
	double bw = (double)plot_w / nb;
	double secs = (double)r->series_width / NS_PER_SEC;
	char unit[32];
	if (r->series_width == NS_PER_SEC)
		snprintf(unit, sizeof unit, "per second");
	else
		snprintf(unit, sizeof unit, "per %.0f s", secs);

	fputs("<figure><svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" ", f);
	fprintf(f, "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", CHART_W, height,
		CHART_W, height);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", CHART_W, height);
	svg_text_attr(f, CHART_LEFT, 16, "start", "font-size=\"13\" font-weight=\"600\" fill=\"#1f2933\"");
	html_text(f, report_label(r, (uint16_t)si));
	fprintf(f, "</text>");
	svg_text_attr(f, CHART_W - CHART_RIGHT, 16, "end", "font-size=\"11.5\" fill=\"#616e7c\"");
	fprintf(f, "%s%s", top ? "bytes " : "", unit);
	if (bar_total)
		fputs("; below: ", f);
	for (size_t m = 0, k = 0; m < ARRAY_LEN(bar_metrics); m++) {
		if (!bar_total || !se->total[bar_metrics[m].metric])
			continue;
		fprintf(f, "%s<tspan fill=\"%s\">&#x25A0; %s (%" PRIu64 ")</tspan>", k++ ? "  " : "",
			bar_metrics[m].color, bar_metrics[m].name, se->total[bar_metrics[m].metric]);
	}
	fputs("</text>\n", f);
	/* incident spans, shaded behind both panels */
	int64_t span = (int64_t)nb * r->series_width;
	for (size_t i = 0; i < r->nincidents; i++) {
		const struct incident *inc = &r->incidents[i];
		double x1 = CHART_LEFT + (double)(inc->first_ts - r->series_t0) / (double)span * plot_w;
		double x2 = CHART_LEFT + (double)(inc->last_ts - r->series_t0) / (double)span * plot_w;
		if (x2 < CHART_LEFT || x1 > CHART_LEFT + plot_w)
			continue;
		if (x1 < CHART_LEFT)
			x1 = CHART_LEFT;
		if (x2 > CHART_LEFT + plot_w)
			x2 = CHART_LEFT + plot_w;
		if (x2 - x1 < 3)
			x2 = x1 + 3;
		fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#c62828\" "
			   "opacity=\"0.10\"/>", x1, top_y, x2 - x1, bot_y + bot_h - top_y);
		svg_text_attr(f, x1 + 2, top_y + 10, "start", "font-size=\"10\" fill=\"#c62828\"");
		fprintf(f, "#%zu</text>\n", i + 1);
	}
	if (top) {
		uint64_t max = 1;
		for (unsigned b = 0; b < nb; b++)
			if (se->v[SM_BYTES][b] > max)
				max = se->v[SM_BYTES][b];
		char lab[40];
		fmt_rate(max, lab, sizeof lab);
		if (r->series_width == NS_PER_SEC)
			strcat(lab, "/s");
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d9e2ec\"/>", CHART_LEFT,
			top_y, CHART_LEFT + plot_w, top_y);
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#9fb3c8\"/>", CHART_LEFT,
			top_y + top_h, CHART_LEFT + plot_w, top_y + top_h);
		svg_text_attr(f, CHART_LEFT - 6, top_y + 4, "end", "font-size=\"11\" fill=\"#616e7c\"");
		fprintf(f, "%s</text>", lab);
		svg_text_attr(f, CHART_LEFT - 6, top_y + top_h, "end", "font-size=\"11\" fill=\"#616e7c\"");
		fputs("0</text>\n", f);
		fprintf(f, "<path fill=\"#1f4e79\" fill-opacity=\"0.18\" stroke=\"#1f4e79\" "
			   "stroke-width=\"1.4\" d=\"M%d,%d", CHART_LEFT, top_y + top_h);
		for (unsigned b = 0; b < nb; b++) {
			double y = top_y + top_h - (double)se->v[SM_BYTES][b] / (double)max * top_h;
			fprintf(f, " L%.1f,%.1f L%.1f,%.1f", CHART_LEFT + b * bw, y, CHART_LEFT + (b + 1) * bw, y);
		}
		fprintf(f, " L%d,%d Z\"/>\n", CHART_LEFT + plot_w, top_y + top_h);
	}
	if (bar_total) {
		uint64_t max = 1;
		for (unsigned b = 0; b < nb; b++) {
			uint64_t s = 0;
			for (size_t m = 0; m < ARRAY_LEN(bar_metrics); m++)
				s += se->v[bar_metrics[m].metric][b];
			if (s > max)
				max = s;
		}
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#9fb3c8\"/>", CHART_LEFT,
			bot_y + bot_h, CHART_LEFT + plot_w, bot_y + bot_h);
		svg_text_attr(f, CHART_LEFT - 6, bot_y + 8, "end", "font-size=\"11\" fill=\"#616e7c\"");
		fprintf(f, "%" PRIu64 "</text>", max);
		svg_text_attr(f, CHART_LEFT - 6, bot_y + bot_h, "end", "font-size=\"11\" fill=\"#616e7c\"");
		fputs("0</text>\n", f);
		for (unsigned b = 0; b < nb; b++) {
			double y = bot_y + bot_h;
			for (size_t m = 0; m < ARRAY_LEN(bar_metrics); m++) {
				uint64_t v = se->v[bar_metrics[m].metric][b];
				if (!v)
					continue;
				double h = (double)v / (double)max * bot_h;
				y -= h;
				fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
					CHART_LEFT + b * bw + (bw > 3 ? 0.5 : 0), y, bw > 3 ? bw - 1 : bw, h,
					bar_metrics[m].color);
			}
		}
		fputc('\n', f);
	}
	/* time axis: start, middle, end */
	int axis_y = bot_y + bot_h + (bar_total ? 16 : -2);
	for (int k = 0; k <= 4; k++) {
		int64_t t = r->series_t0 + span * k / 4;
		char c[24];
		format_clock(t, c, sizeof c);
		c[8] = '\0';
		double x = CHART_LEFT + plot_w * k / 4.0;
		svg_text_attr(f, x, axis_y, k == 0 ? "start" : k == 4 ? "end" : "middle",
			      "font-size=\"11\" fill=\"#616e7c\"");
		fprintf(f, "%s</text>", c);
	}
	fputs("\n</svg></figure>\n", f);
}

/* Which sources get a chart: at most HTML_CHARTS, those cited by an incident
 * or with trouble (retransmissions, loss, ...) first, then by source order. */
#define HTML_CHARTS 12

static bool series_has_trouble(const struct series *se)
{
	for (size_t m = 0; m < ARRAY_LEN(bar_metrics); m++)
		if (se->total[bar_metrics[m].metric])
			return true;
	return false;
}

static bool source_cited(const struct report *r, size_t s)
{
	for (size_t i = 0; i < r->nfindings; i++)
		for (unsigned e = 0; e < r->findings[i].nevidence; e++)
			if (r->findings[i].evidence[e].source == s)
				return true;
	return false;
}

/* the charts section is written (its link in the navigation bar too) */
static bool have_charts(const struct report *r)
{
	if (r->series_n < 2)
		return false;
	for (size_t s = 0; s < r->nseries; s++)
		if (r->series[s])
			return true;
	return false;
}

static void write_charts(const struct report *r, FILE *f)
{
	size_t with = 0, shown = 0;
	if (!have_charts(r))
		return;
	for (size_t s = 0; s < r->nseries; s++)
		with += r->series[s] != NULL;
	char a[40];
	format_rfc3339(r->series_t0, a, sizeof a);
	fprintf(f, "<h2 id=\"charts\">Traffic and trouble over time</h2>\n<p class=\"muted\">"
		   "Per source, from %s (UTC). Shaded bands are the incidents.</p>\n", a);
	/* two passes: sources that matter first, then the others while room is left */
	for (int pass = 0; pass < 2; pass++)
		for (size_t s = 0; s < r->nseries && shown < HTML_CHARTS; s++) {
			if (!r->series[s])
				continue;
			bool matters = series_has_trouble(r->series[s]) || source_cited(r, s);
			if (matters != (pass == 0))
				continue;
			write_chart(r, s, f);
			shown++;
		}
	if (with > shown)
		fprintf(f, "<p class=\"muted\">%zu more sources not charted.</p>\n", with - shown);
}

/* ---- tables ---- */

static void write_sources(const struct report *r, FILE *f)
{
	fputs("<h2 id=\"sources\">Sources</h2><table><tr><th>label</th><th>format</th>"
	      "<th class=\"num\">read</th><th class=\"num\">used</th><th class=\"num\">skipped</th><th>clock offset</th>"
	      "<th>path</th><th>notes</th></tr>\n", f);
	for (size_t i = 0; i < r->run->nsources; i++) {
		const struct source *s = r->run->sources[i];
		char off[96];
		report_offset_str(s, off, sizeof off);
		fputs("<tr><td><b>", f);
		html_text(f, s->label);
		fputs("</b></td><td>", f);
		html_text(f, report_source_format(s));
		fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
			   "</td><td class=\"num\">%" PRIu64, s->events + s->skipped, s->events, s->skipped);
		for (unsigned k = 0; k < s->nskip_refs; k++)
			fprintf(f, "%s#%" PRIu64, k ? " " : "<br><span class=\"muted\">first: ", s->skip_refs[k]);
		if (s->nskip_refs)
			fputs("</span>", f);
		fprintf(f, "</td><td>%s</td><td class=\"mono\">", off);
		html_text(f, s->spec);
		fputs("</td><td>", f);
		if (s->nfiles > 1)
			fprintf(f, "%zu files, read in time order<br>", s->nfiles);
		if (s->warnings)
			fprintf(f, "%" PRIu64 " warnings (damaged but used records)<br>", s->warnings);
		for (unsigned k = 0; k < s->nnotes; k++) {
			html_text(f, s->notes[k]);
			fputs("<br>", f);
		}
		if (s->unreadable && s->error)
			html_text(f, s->error);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void write_findings(const struct report *r, FILE *f)
{
	if (!r->nfindings)
		return;
	fputs("<h2 id=\"findings\">Findings and their evidence</h2>\n", f);
	for (size_t o = 0; o < r->nfindings; o++) {
		const struct finding *fd = &r->findings[report_finding_order(r, o)];
		char ts[40];
		format_rfc3339(fd->ts, ts, sizeof ts);
		fprintf(f, "<h3><span class=\"sev sev-%s\">%s</span> ", sev_class(fd->severity),
			report_severity_upper(fd->severity));
		html_text(f, fd->title);
		fputs("</h3>\n<p><span class=\"rule\">rule ", f);
		html_text(f, fd->rule);
		if (fd->incident >= 0)
			fprintf(f, ", <a href=\"#incident-%d\">incident %d</a>", fd->incident + 1, fd->incident + 1);
		fprintf(f, ", %s</span><br>", ts);
		html_text(f, fd->message);
		fputs("</p>\n", f);
		const struct evidence **ev = xmalloc((fd->nevidence ? fd->nevidence : 1) * sizeof *ev);
		for (unsigned e = 0; e < fd->nevidence; e++)
			ev[e] = &fd->evidence[e];
		write_evidence_table(r, ev, fd->nevidence, HTML_EVIDENCE_MAX, -1, f);
		write_filters(r, ev, fd->nevidence, f);
		free(ev);
		if (fd->advice) {
			fputs("<p><b>What to do:</b> ", f);
			html_text(f, fd->advice);
			fputs("</p>\n", f);
		}
	}
}

static void write_analysis(const struct report *r, FILE *f)
{
	fputs("<h2 id=\"analysis\">Analysis events</h2>", f);
	bool any = false;
	for (size_t i = 0; i < r->ntypes; i++) {
		const struct type_count *t = &r->types[i];
		if (!t->analysis)
			continue;
		if (!any)
			fputs("<table><tr><th>type</th><th>source</th><th class=\"num\">count</th>"
			      "<th>first refs</th></tr>\n", f);
		any = true;
		fputs("<tr><td class=\"mono\">", f);
		html_text(f, t->type);
		fputs("</td><td>", f);
		html_text(f, report_label(r, t->source));
		fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"mono\">", t->count);
		for (unsigned k = 0; k < t->nrefs; k++)
			fprintf(f, "%s#%" PRIu64, k ? " " : "", t->refs[k]);
		if (t->count > t->nrefs)
			fputs(" ...", f);
		fputs("</td></tr>\n", f);
	}
	fputs(any ? "</table>\n" : "<p>None.</p>\n", f);
}

static void write_sessions(const struct report *r, FILE *f)
{
	if (!r->sessions)
		return;
	size_t n;
	const struct session_row *rows = sessions_rows(r->sessions, &n);
	fprintf(f, "<h2 id=\"sessions\">Sessions</h2><p class=\"muted\">%" PRIu64 " seen%s</p>"
		   "<table><tr><th class=\"num\">id</th><th>flow</th><th class=\"num\">packets</th>"
		   "<th class=\"num\">bytes</th><th>duration</th><th>seen at</th></tr>\n",
		sessions_total(r->sessions), n > HTML_SESSIONS ? "; the 50 with most packets" : "");
	for (size_t i = 0; i < n && i < HTML_SESSIONS; i++) {
		char fl[160], dur[48];
		flow_format(&rows[i].key, fl, sizeof fl);
		format_duration(rows[i].c.last - rows[i].c.first, dur, sizeof dur);
		fprintf(f, "<tr><td class=\"num\">%" PRIu64 "</td><td class=\"mono\">", rows[i].c.id);
		html_text(f, fl);
		fprintf(f, "</td><td class=\"num\">%" PRIu64 " / %" PRIu64 "</td><td class=\"num\">%" PRIu64
			   " / %" PRIu64 "</td><td>%s</td><td>",
			rows[i].c.pkts[0], rows[i].c.pkts[1], rows[i].c.bytes[0], rows[i].c.bytes[1], dur);
		for (unsigned k = 0; k < rows[i].c.nsources; k++) {
			if (k)
				fputs(", ", f);
			html_text(f, report_label(r, rows[i].c.sources[k]));
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* Every session's delay verdict (path.blame): where the client's wait went. */
static void write_blames(const struct report *r, FILE *f)
{
	if (!r->nblames)
		return;
	fputs("<h2 id=\"blame\">Delay verdicts</h2>\n<p class=\"muted\">Per session seen at two "
	      "vantage points, how each request/response wait splits into path delay, server think "
	      "time and client think time (path.blame; docs/path.md).</p>\n<table><tr><th>session</th>"
	      "<th>evidence</th><th>verdict</th><th>what</th></tr>\n", f);
	for (size_t i = 0; i < r->nblames; i++) {
		const struct report_blame *b = &r->blames[i];
		fprintf(f, "<tr><td class=\"num\">%" PRIu64 "</td><td class=\"mono\">", b->session);
		html_text(f, report_label(r, b->source));
		fprintf(f, "#%" PRIu64 "</td><td><b>", b->ref);
		html_text(f, b->verdict);
		fputs("</b></td><td>", f);
		html_text(f, b->msg);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

void report_write_html(const struct report *r, FILE *f)
{
	char a[40] = "-", b[40] = "-";
	if (r->first_ts <= r->last_ts) {
		format_rfc3339(r->first_ts, a, sizeof a);
		format_rfc3339(r->last_ts, b, sizeof b);
	}
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		   "<title>correlator report</title>\n<style>%s</style></head>\n<body>\n", css);
	fprintf(f, "<header class=\"top\"><h1>correlator report</h1><p>%zu source%s, %" PRIu64
		   " events, %s &ndash; %s. %zu incident%s from %zu finding%s.</p></header>\n",
		r->run->nsources, r->run->nsources == 1 ? "" : "s", r->events, a, b, r->nincidents,
		r->nincidents == 1 ? "" : "s", r->nfindings, r->nfindings == 1 ? "" : "s");
	/* the navigation bar: every section, every incident */
	fputs("<nav class=\"bar\"><a href=\"#incidents\">Incidents</a>", f);
	for (size_t i = 0; i < r->nincidents && i < 30; i++)
		fprintf(f, " <a class=\"inc\" href=\"#incident-%zu\">#%zu</a>", i + 1, i + 1);
	if (r->nblames)
		fputs(" <a href=\"#blame\">Delay verdicts</a>", f);
	if (have_charts(r))
		fputs(" <a href=\"#charts\">Charts</a>", f);
	if (r->nfindings)
		fputs(" <a href=\"#findings\">Findings</a>", f);
	fputs(" <a href=\"#sources\">Sources</a> <a href=\"#analysis\">Analysis events</a>", f);
	if (r->sessions)
		fputs(" <a href=\"#sessions\">Sessions</a>", f);
	fputs("</nav>\n<main>\n", f);
	fputs("<h2 id=\"incidents\">Incidents</h2>\n", f);
	if (!r->nincidents) {
		fputs("<p>No rule matched. The analysis events below are what the analyzers flagged.</p>\n", f);
	} else {
		fputs("<table><tr><th>#</th><th>severity</th><th>what happened</th><th>when (UTC)</th>"
		      "<th class=\"num\">findings</th></tr>\n", f);
		for (size_t i = 0; i < r->nincidents; i++) {
			const struct incident *inc = &r->incidents[i];
			char t[24];
			report_clock_ms(inc->first_ts, t, sizeof t);
			fprintf(f, "<tr><td>%zu</td><td><span class=\"sev sev-%s\">%s</span></td><td>"
				   "<a href=\"#incident-%zu\">", i + 1, sev_class(inc->severity),
				report_severity_upper(inc->severity), i + 1);
			html_text(f, inc->title);
			fprintf(f, "</a></td><td class=\"t\">%s</td><td class=\"num\">%u</td></tr>\n", t,
				inc->nfindings);
		}
		fputs("</table>\n", f);
		for (size_t i = 0; i < r->nincidents; i++)
			write_incident(r, i, f);
	}
	write_blames(r, f);
	write_charts(r, f);
	write_findings(r, f);
	write_sources(r, f);
	write_analysis(r, f);
	write_sessions(r, f);
	fputs("<footer>Written by correlator. Times are UTC after clock correction; refs are "
	      "1-based frame, line or record numbers in each source.</footer>\n</main></body></html>\n", f);
}
