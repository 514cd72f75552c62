/*
 * parsers/evtx_binxml.h - the binary XML of one EVTX event record (tokens,
 * template instances and their substitution values, the chunk's name
 * strings) walked straight into the winevt mapping, without rendering text
 * XML: element/attribute/text callbacks with values rendered as libevtx
 * renders them (decimal integers, 0x%08x / 0x%016x hex, {GUID} upper case,
 * S-1-... SIDs, FILETIME as yyyy-mm-ddThh:mm:ss.fffffffffZ). Each template
 * definition is compiled once per chunk and replayed for the records using it
 * (evtx_template.c; both files share evtx_binxml_int.h).
 * Does not: read files or chunks (evtx.c), check CRCs, recover records.
 * Spec: libyal libevtx "Windows XML Event Log (EVTX)" format document;
 * ../shared/formats/windows-events.md (b).
 */
#ifndef CORRELATOR_EVTX_BINXML_H
#define CORRELATOR_EVTX_BINXML_H

#include <stddef.h>
#include <stdint.h>

#include "winevt.h"

struct binxml;

/* Caller owns the result; free with binxml_free(). */
struct binxml *binxml_new(void);
void binxml_free(struct binxml *bx);

/* A new chunk: forget names and templates cached from the previous one. */
void binxml_chunk(struct binxml *bx, const uint8_t *chunk, size_t len);

/* Walk the record's fragment at chunk offset off, len bytes, into w (between
 * winevt_begin and winevt_finish, which the caller calls). Returns 0, or -1
 * with a reason in bx's error text (binxml_error()). */
int binxml_record(struct binxml *bx, struct winevt *w, size_t off, size_t len);
const char *binxml_error(const struct binxml *bx);

#endif
