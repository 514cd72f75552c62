/*
 * parsers/tmg_codes.h - ISA Server / Forefront TMG result codes: the
 * FWX_E_* HRESULTs of wspfwerr.h, and the Win32/Winsock numbers the logs also
 * write in `status` / `sc-status`, each with its symbol and a one-line meaning.
 * Does not: parse logs (parsers/tmg.c does).
 * Spec: ../shared/formats/firewall-logs.md section (a), "Result codes".
 */
#ifndef PARSERS_TMG_CODES_H
#define PARSERS_TMG_CODES_H

#include <stdint.h>

struct tmg_code {
	uint32_t code;
	const char *name;
	const char *meaning;
};

/* The entry for code, or NULL. Entries are static. */
const struct tmg_code *tmg_code_find(uint32_t code);
/* The whole table, ending in { 0, NULL, NULL } (for tests and docs). */
extern const struct tmg_code tmg_codes[];

#endif
