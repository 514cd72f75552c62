/*
 * parsers/winevt.h - one Windows event (<Event> element of the
 * http://schemas.microsoft.com/win/2004/08/events/event schema) read from a
 * libxml2 xmlTextReader into a `win.event` timeline event. The one mapping
 * shared by the XML-export reader (evtx_xml.c) and the binary .evtx reader
 * (evtx.c, which renders each record to XML first).
 * Does not: open files, pick the ref (the caller numbers events), render
 * message templates or %%nnnn references.
 * Spec: Windows Event schema (learn.microsoft.com/windows/win32/wes/eventschema-schema),
 * ../shared/formats/windows-events.md (a).
 *
 * Fields: event.id event.qualifiers event.version event.provider event.level
 * event.task event.opcode event.keywords (hex text) event.time_created (text)
 * event.record_id event.activity_id event.process_id event.thread_id
 * event.channel event.computer event.user_id event.message (RenderingInfo)
 * and event.data.NAME for every <Data Name=NAME> (event.data.N, 1-based, for
 * unnamed Data; event.data.Binary) and every leaf element NAME under
 * <UserData>. Data values that are plain decimal numbers become integers,
 * IP address literals become addresses, everything else stays text.
 * Network events get a flow (see winevt_flow in winevt.c for which).
 */
#ifndef CORRELATOR_WINEVT_H
#define CORRELATOR_WINEVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/xmlreader.h>

#include "../correlator/core/arena.h"
#include "../correlator/core/event.h"

struct source;

/* Options every reader of event XML uses: no network, no DTD loading, no
 * entity substitution, no libxml2 printing (errors go through winevt_err). */
#define WINEVT_XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
			    XML_PARSE_NOCDATA | XML_PARSE_COMPACT)

struct winevt {
	struct source *src;
	struct arena scratch;   /* strings of the current event; reset per event */
	unsigned max_depth;     /* absolute XML depth refused beyond */
	char *text;             /* text of the current leaf element */
	size_t text_len, text_cap, text_max;
	char xml_err[256];      /* last libxml2 error, "line N: message" */
	int xml_err_line;       /* its line */
	bool xml_err_set;
	struct rec *rec;        /* the event being assembled (owned; its strings in scratch) */
};

/* Results of winevt_read(). */
enum winevt_status {
	WINEVT_OK,        /* *ev filled */
	WINEVT_BAD,       /* the Event was read to its end but is unusable: w->xml_err says why */
	WINEVT_XML_ERROR, /* the XML is broken here: the reader cannot go on (w->xml_err) */
	WINEVT_REFUSED,   /* hostile input (nesting too deep): w->xml_err says why */
};

void winevt_init(struct winevt *w, struct source *src);
void winevt_fini(struct winevt *w);

/* Route libxml2's errors for reader r into w->xml_err (no printing). */
void winevt_attach(struct winevt *w, xmlTextReaderPtr r);

/* The reader is on an <Event> start element: read through its end element and
 * fill ev (type, ts_raw, fields, flow). Strings are owned by w until the next
 * call. ev->ref is left to the caller. */
enum winevt_status winevt_read(struct winevt *w, xmlTextReaderPtr r, struct event *ev);

/* The element and attribute names the mapping looks at, as ids a reader
 * looks up once per distinct name (the binary reader: once per chunk) and
 * passes with each element and attribute; every other name is WN_OTHER. */
enum winevt_name {
	WN_OTHER, WN_ACTIVITYID, WN_BINARY, WN_CHANNEL, WN_COMPUTER, WN_CORRELATION, WN_DATA,
	WN_EVENTDATA, WN_EVENTID, WN_EVENTRECORDID, WN_EVENTSOURCENAME, WN_EXECUTION,
	WN_KEYWORDS, WN_LEVEL, WN_MESSAGE, WN_NAME, WN_OPCODE, WN_PROCESSID, WN_PROVIDER,
	WN_QUALIFIERS, WN_RENDERINGINFO, WN_SECURITY, WN_SYSTEM, WN_SYSTEMTIME, WN_TASK,
	WN_THREADID, WN_TIMECREATED, WN_USERDATA, WN_USERID, WN_VERSION,
	WN_COUNT /* not a name: how many ids there are */
};

/* The id of an element or attribute name (exact, case-sensitive). */
enum winevt_name winevt_name_id(const char *name);

/* The name of an id, or NULL for WN_OTHER and ids the table lacks (for tests
 * and diagnostics: a linear scan). */
const char *winevt_name_text(enum winevt_name id);

/* The same mapping driven by any tree walker (the binary EVTX reader):
 * winevt_begin() at <Event>; for each element below it winevt_elem() with its
 * depth relative to <Event> (1 = System/EventData/...) and name id, then
 * winevt_attr() for its attributes (by name id), winevt_text() for its character data, winevt_end() at
 * its end; winevt_finish() after </Event>. Names and values are copied. */
void winevt_begin(struct winevt *w);
bool winevt_elem(struct winevt *w, unsigned rd, const char *name, enum winevt_name id);
void winevt_attr(struct winevt *w, unsigned rd, enum winevt_name id, const char *val, size_t n);
void winevt_text(struct winevt *w, const char *s, size_t n);
void winevt_end(struct winevt *w, unsigned rd);
enum winevt_status winevt_finish(struct winevt *w, struct event *ev);

/* "2024-01-07T08:14:02.3117503Z" (0-9 fraction digits, Z/+00:00/none = UTC)
 * -> UTC ns. False if malformed. */
bool winevt_parse_time(const char *s, size_t n, int64_t *ns);

#endif
