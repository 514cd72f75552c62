/*
 * parsers/evtx_binxml_int.h - what the two halves of the EVTX binary-XML
 * reader share: evtx_binxml.c (the token walk, value rendering, names) and
 * evtx_template.c (template bodies compiled once per chunk, and their steps
 * run with each instance's values). Holds the reader's state, the
 * substitution values, the value buffer's append, and the walk's helpers
 * that compiling and running steps reuse so both give the same text and the
 * same errors.
 * Does not: serve any other file; evtx.c uses evtx_binxml.h only.
 */
#ifndef CORRELATOR_EVTX_BINXML_INT_H
#define CORRELATOR_EVTX_BINXML_INT_H

#include "evtx_binxml.h"
#include "../correlator/core/br.h"
#include "../correlator/core/util.h"

#include <stdbool.h>
#include <string.h>

#define BX_MAX_VALUES 512
#define BX_MAX_LEVEL 12        /* template / embedded-fragment nesting */
#define BX_MAX_DEPTH 200       /* element nesting, whatever the caller allows */
#define BX_NAME_CACHE 512
#define BX_NAME_MAX 96

struct bx_name {
	uint32_t off;          /* chunk offset + 1; 0 = empty */
	uint8_t n;
	uint8_t id;            /* enum winevt_name of s */
	char s[BX_NAME_MAX];
};

struct subst {
	br data;               /* the value's bytes */
	uint8_t type;
};

/* A template instance's substitution values. */
struct values {
	struct subst v[BX_MAX_VALUES];
	unsigned n;
};

struct bx_templates;           /* evtx_template.c */

struct binxml {
	br chunk;              /* the whole chunk; offsets are relative to it */
	struct winevt *w;
	char err[160];
	char *vb;              /* rendered value */
	size_t vn, vcap;
	char nbuf[4 * 256 + 4];
	struct bx_name names[BX_NAME_CACHE];
	struct values *vals[BX_MAX_LEVEL]; /* of the instance at each nesting level */
	struct bx_templates *tm; /* this chunk's templates */
};

/* --- evtx_binxml.c --------------------------------------------------------- */

/* Sets bx's error text (the first one of a record wins) quoting chunk
 * offset at; returns -1. */
int bx_fail_at(struct binxml *bx, size_t at, const char *what);

/* r's reading position as a chunk offset. */
static inline size_t bx_pos(const struct binxml *bx, const br *r)
{
	return br_pos(r, &bx->chunk);
}

/* Room for n more bytes and a NUL in the value buffer. */
static inline void bx_need(struct binxml *bx, size_t n)
{
	if (bx->vn + n + 1 > bx->vcap) {
		while (bx->vn + n + 1 > bx->vcap)
			bx->vcap *= 2;
		bx->vb = xrealloc(bx->vb, bx->vcap);
	}
}

/* s[0..n) appended to the value buffer, kept NUL-terminated. */
static inline void bx_put(struct binxml *bx, const char *s, size_t n)
{
	bx_need(bx, n);
	memcpy(bx->vb + bx->vn, s, n);
	bx->vn += n;
	bx->vb[bx->vn] = '\0';
}

/* The value buffer from vb[from] with line ends made LF and, in attribute
 * values (attr), tab/CR/LF made spaces, as an XML parser would. */
void bx_normalize(struct binxml *bx, size_t from, bool attr);

/* A CDATA section (0x07 u16:count UTF-16[count]) at r appended to the value
 * buffer, normalized as content. 0, or -1 with bx's error set. */
int bx_cdata(struct binxml *bx, br *r);

/* Skip a processing instruction's target (0x0A) or data (0x0B) at r. */
void bx_skip_pi(struct binxml *bx, br *r);

/* The name stored at chunk offset off, as UTF-8 (borrowed until the next
 * call), its winevt name id in *id; NULL if it does not fit the chunk. */
const char *bx_name_at(struct binxml *bx, uint32_t off, enum winevt_name *id);

/* Skip a name stored inline at the reading position (its offset is off). */
void bx_skip_inline_name(struct binxml *bx, br *r, uint32_t off);

/* Whether token t is a value token (text, substitution, char/entity ref). */
static inline bool bx_is_value_token(uint8_t t)
{
	t &= 0xBF;
	return t == 0x05 || t == 0x0D || t == 0x0E || t == 0x08 || t == 0x09;
}

/* The value token at r appended to the value buffer; vals may be NULL (a
 * substitution is then an error). 1 = rendered (even empty), 0 = an
 * optional NULL substitution, -1 = error. Not embedded binary XML. */
int bx_value_token(struct binxml *bx, br *r, const struct values *vals);

/* Substitution idx of vals as text appended to the value buffer; at: the
 * chunk offset an error quotes. 1 = rendered, 0 = an optional NULL,
 * -1 = error (embedded binary XML is one). */
int bx_subst_text(struct binxml *bx, const struct values *vals, unsigned idx, bool optional,
		  size_t at);

/* Content / fragment tokens at r until 0x04 (in_element) or 0x00 / the end,
 * into bx->w; vals: the enclosing instance's values (NULL outside one), rd:
 * element depth, level: template / embedded-fragment nesting. 0 or -1. */
int bx_walk(struct binxml *bx, br *r, const struct values *vals, unsigned rd, unsigned level,
	    bool in_element);

/* --- evtx_template.c ------------------------------------------------------- */

/* Caller owns the result; free with bx_templates_free(). */
struct bx_templates *bx_templates_new(void);
void bx_templates_free(struct bx_templates *tm);

/* A new chunk: forget every template of the previous one. */
void bx_templates_clear(struct bx_templates *tm);

/* The body of the template defined at chunk offset def, rendered into bx->w
 * with vals at element depth rd, nesting level: by its compiled steps
 * (compiled at its second use in the chunk), or by bx_walk() when it is
 * used the first time or its steps cannot follow it. 0, or -1 with bx's
 * error set. */
int bx_template_body(struct binxml *bx, uint32_t def, br body, const struct values *vals,
		     unsigned rd, unsigned level);

#endif
