/*
 * correlator/json.c - JSON/CSV/terminal escaping (see json.h).
 */
#include "json.h"

#include <inttypes.h>
#include <string.h>

/* Length of a valid UTF-8 sequence at s (max n), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void json_str(FILE *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': fputs("\\n", f); break;
			case '\r': fputs("\\r", f); break;
			case '\t': fputs("\\t", f); break;
			default: fprintf(f, "\\u%04x", c); break;
			}
			i++;
		} else if (c < 0x80) {
			fputc(c, f);
			i++;
		} else {
			size_t l = utf8_len(u + i, n - i);
			if (l) {
				fwrite(u + i, 1, l, f);
				i += l;
			} else {
				fputs("\\ufffd", f);
				i++;
			}
		}
	}
	fputc('"', f);
}

void json_cstr(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	json_str(f, s, strlen(s));
}

void json_value(FILE *f, const struct value *v)
{
	char buf[128];
	switch (v->type) {
	case V_INT:
		fprintf(f, "%" PRId64, v->u.i);
		return;
	case V_BOOL:
		fputs(v->u.i ? "true" : "false", f);
		return;
	case V_REAL:
		fprintf(f, "%.9g", v->u.r);
		return;
	case V_DUR:
		/* nanoseconds as a number: machines compute with it */
		fprintf(f, "%" PRId64, v->u.i);
		return;
	case V_STR:
		json_str(f, v->u.s.p, v->u.s.n);
		return;
	case V_ADDR:
		addr_format(&v->u.a, buf, sizeof buf);
		json_cstr(f, buf);
		return;
	case V_NONE:
		break;
	}
	fputs("null", f);
}

void json_fields(FILE *f, const struct event *ev)
{
	fputc('{', f);
	for (unsigned i = 0; i < ev->nfields; i++) {
		/* a repeated name (several DNS answers) keeps its first value in JSON
		 * objects; the rest get an index suffix so nothing is lost */
		unsigned dup = 0;
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(ev->fields[j].name, ev->fields[i].name))
				dup++;
		if (i)
			fputc(',', f);
		if (dup) {
			char nb[128];
			snprintf(nb, sizeof nb, "%s#%u", ev->fields[i].name, dup + 1);
			json_cstr(f, nb);
		} else {
			json_cstr(f, ev->fields[i].name);
		}
		fputc(':', f);
		json_value(f, &ev->fields[i].v);
	}
	fputc('}', f);
}

void json_flow(FILE *f, const struct event *ev)
{
	if (!(ev->flags & EV_HAS_FLOW)) {
		fputs("null", f);
		return;
	}
	char a[64], b[64];
	addr_format(&ev->flow.src, a, sizeof a);
	addr_format(&ev->flow.dst, b, sizeof b);
	const char *pn = ip_proto_name(ev->flow.proto);
	fprintf(f, "{\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u,\"proto\":", a,
		ev->flow.sport, b, ev->flow.dport);
	if (pn)
		fprintf(f, "\"%s\"", pn);
	else
		fprintf(f, "%u", ev->flow.proto);
	if (ev->session)
		fprintf(f, ",\"session\":%" PRIu64, ev->session);
	fputc('}', f);
}

void csv_cell(FILE *f, const char *s, size_t n)
{
	bool quote = false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') {
			quote = true;
			break;
		}
	if (!quote) {
		fwrite(s, 1, n, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

void text_safe(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}
