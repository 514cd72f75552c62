/*
 * parsers/registry.c - the one list of input formats. Sniffing runs
 * every parser's sniff() on the first bytes of a file and takes the best score.
 */
#include "../correlator/core/parser.h"

#include <libxml/parser.h>
#include <string.h>

extern const struct parser parser_pcap;
extern const struct parser parser_pcapng;
extern const struct parser parser_netmon;
extern const struct parser parser_pfirewall;
extern const struct parser parser_tmg;
extern const struct parser parser_exchange;
extern const struct parser parser_msgtrk;
extern const struct parser parser_tshark;
extern const struct parser parser_nmtext;
extern const struct parser parser_iptables;
extern const struct parser parser_syslog;
extern const struct parser parser_asa;
extern const struct parser parser_checkpoint;
extern const struct parser parser_netstat;
extern const struct parser parser_tasklist;
extern const struct parser parser_cisco_flow;
extern const struct parser parser_evtx;
extern const struct parser parser_evtx_libevtx;
extern const struct parser parser_evtx_xml;
extern const struct parser parser_etw_text;
extern const struct parser parser_etw_csv;
extern const struct parser parser_jsonl;
extern const struct parser parser_etl;

const struct parser *const parser_table[] = {
	&parser_pcap,
	&parser_pcapng,
	&parser_netmon,
	&parser_pfirewall,
	&parser_tmg,
	&parser_exchange,
	&parser_msgtrk,
	&parser_tshark,
	&parser_nmtext,
	&parser_iptables,
	&parser_asa,
	&parser_checkpoint,
	&parser_netstat,
	&parser_tasklist,
	&parser_cisco_flow,
	&parser_evtx,
	&parser_evtx_libevtx,
	&parser_evtx_xml,
	&parser_etw_text,
	&parser_etw_csv,
	&parser_jsonl,
	&parser_etl,
	&parser_syslog,
	NULL,
};

const struct parser *parser_by_name(const char *name)
{
	for (size_t i = 0; parser_table[i]; i++)
		if (strcmp(parser_table[i]->name, name) == 0)
			return parser_table[i];
	return NULL;
}

const struct parser *parser_sniff(const uint8_t *head, size_t len, int *score)
{
	const struct parser *best = NULL;
	int best_score = 0;
	for (size_t i = 0; parser_table[i]; i++) {
		int s = parser_table[i]->sniff(head, len);
		if (s > best_score) {
			best_score = s;
			best = parser_table[i];
		}
	}
	if (score)
		*score = best_score;
	return best;
}

void parsers_init_threads(void)
{
	/* libxml2's own set-up is not safe to race: done once here, before threads */
	xmlInitParser();
}
