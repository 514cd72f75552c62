/*
 * parsers/tmg_codes.c - the ISA/TMG result-code table (see tmg_codes.h).
 * Meanings are paraphrased from the SDK error-code pages; phrased so that a
 * rule can match the words an engineer would use ("not SYN", "no connection",
 * "rate", "quota", "flood").
 */
#include "tmg_codes.h"

#include <stddef.h>

const struct tmg_code tmg_codes[] = {
	{ 0x00000000, "ERROR_SUCCESS", "OK: allowed, normal" },
	{ 0x80074e20, "FWX_E_GRACEFUL_SHUTDOWN", "connection closed normally (FIN)" },
	{ 0x80074e21, "FWX_E_ABORTIVE_SHUTDOWN", "connection closed by a reset (abortive shutdown; meaning not verified)" },
	{ 0x80074e24, "FWX_E_CONNECTION_KILLED", "connection killed (reset) by ISA/TMG" },
	{ 0xc004000d, "FWX_E_POLICY_RULES_DENIED", "blocked by firewall policy: no allow rule, or a deny rule" },
	{ 0xc0040011, "FWX_E_IS_BUSY", "dropped: too many pending connection requests (flood mitigation)" },
	{ 0xc0040012, "FWX_E_NETWORK_RULES_DENIED", "no network rule (route/NAT) between the source and destination networks" },
	{ 0xc0040013, "FWX_E_FRAGMENT_PACKET_DROPPED", "IP fragment blocked" },
	{ 0xc0040014, "FWX_E_FWE_SPOOFING_PACKET_DROPPED", "source address looks spoofed: packet arrived on the wrong network" },
	{ 0xc0040015, "FWX_E_TCPIPDROP_PACKET_DROPPED", "dropped by the TCP/IP stack" },
	{ 0xc0040016, "FWX_E_NO_BACKLOG_PACKET_DROPPED", "incoming connection request rate too high (flood mitigation)" },
	{ 0xc0040017, "FWX_E_TCP_NOT_SYN_PACKET_DROPPED", "TCP packet is not SYN and no connection matches it: state lost, asymmetric routing, or a late packet after close" },
	{ 0xc0040018, "FWX_E_BAD_LENGTH_PACKET_DROPPED", "bad or inconsistent IP length" },
	{ 0xc0040019, "FWX_E_PING_OF_DEATH_PACKET_DROPPED", "ping of death" },
	{ 0xc004001a, "FWX_E_OUT_OF_BAND_PACKET_DROPPED", "out-of-band data (WinNuke)" },
	{ 0xc004001b, "FWX_E_IP_HALF_SCAN_PACKET_DROPPED", "half-open scan detected" },
	{ 0xc004001c, "FWX_E_LAND_ATTACK_DROPPED", "land attack (source equals destination)" },
	{ 0xc004001d, "FWX_E_UDP_BOMB_DROPPED", "UDP bomb" },
	{ 0xc004001e, "FWX_E_FULLDENY_DROPPED", "lockdown mode: everything denied" },
	{ 0xc004001f, "FWX_E_IPOPTIONS_DROPPED", "blocked IP options" },
	{ 0xc0040024, "FWX_E_OUT_OF_RESOURCES", "dropped for lack of resources" },
	{ 0xc0040025, "FWX_E_BROADCAST_PACKET_DROPPED", "broadcast dropped by policy" },
	{ 0xc0040028, "FWX_E_INVALID_PROTCOL_PACKET_DROPPED", "IP protocol 255 or address 0.0.0.0" },
	{ 0xc0040029, "FWX_E_PORT_ZERO_PACKET_DROPPED", "port 0" },
	{ 0xc004002a, "FWX_E_SYN_ATTACK_START", "SYN attack (flood) detected" },
	{ 0xc004002b, "FWX_E_SYN_ATTACK_END", "SYN attack (flood) ended" },
	{ 0xc004002d, "FWX_E_UNREACHABLE_ADDRESS", "destination unreachable" },
	{ 0xc004002e, "FWX_E_ADDRESS_NOT_ALLOWED", "secondary connection of an application filter came from a source outside the allowed range" },
	{ 0xc0040030, "FWX_E_OUTBOUND_PATH_THROUGH_DROPPED", "locally generated packet: source on one adapter, destination reachable through another" },
	{ 0xc0040031, "FWX_E_BAD_TCP_CHECKSUM_DROPPED", "TCP checksum failed" },
	{ 0xc0040033, "FWX_E_RULE_QUOTA_EXCEEDED_DROPPED", "a rule's connections-per-second limit exceeded (rate quota, flood mitigation)" },
	{ 0xc0040034, "FWX_E_SEQ_ACK_MISMATCH", "TCP packet rejected for an invalid sequence or acknowledgement number" },
	{ 0xc0040035, "FWX_E_THREAD_QUOTA_EXCEEDED", "thread limit for a blocking operation reached (quota)" },
	{ 0xc0040036, "FWX_E_DNS_QUOTA_EXCEEDED", "DNS query limit reached (quota)" },
	{ 0xc0040037, "FWX_E_TCP_RATE_QUOTA_EXCEEDED_DROPPED", "per-client TCP connection rate limit exceeded (rate quota, flood mitigation)" },
	{ 0xc0040038, "FWX_E_TCP_NO_SERVER_REPLY", "closed: the server never answered the SYN with SYN/ACK" },
	{ 0xc0040039, "FWX_E_POLICY_CONNECTION_CLOSED", "existing connection closed because policy no longer allows it" },
	{ 0xc004003a, "FWX_E_NAT_ADDRESS_NOT_AVAILABLE", "no local IP address available for the configured NAT address" },
	{ 0xc004003b, "FWX_E_IPS_BLOCKED", "blocked by the intrusion prevention system (NIS)" },
	{ 0xc004003c, "FWX_E_IPS_DETECTED", "detected by the intrusion prevention system (NIS)" },
	{ 0xc004003d, "FWX_E_CONNECTION_QUARANTINED", "client quarantined" },
	{ 0xc0040048, "FWX_E_TCPIP_DROP_FIREWALL_POLICY", "the TCP/IP stack's filtering returned block" },
	{ 0xc004004c, "FWX_E_TCPIP_DROP_INET_HEADER_INVALID", "stack drop: invalid transport header" },
	{ 0xc004004d, "FWX_E_TCPIP_DROP_INET_CHECKSUM_INVALID", "stack drop: invalid transport checksum" },
	{ 0xc004004e, "FWX_E_TCPIP_DROP_INET_ENDPOINT_NOT_FOUND", "stack drop: no endpoint (no listener or connection)" },
	{ 0xc004004f, "FWX_E_TCPIP_DROP_IP_BAD_SOURCE_ADDRESS", "stack drop: bad source address" },
	{ 0xc0040050, "FWX_E_TCPIP_DROP_IP_NOT_LOCALLY_DESTINED", "stack drop: not destined to this host" },
	{ 0xc0040051, "FWX_E_TCPIP_DROP_IP_PROTOCOL_UNREACHABLE", "stack drop: protocol unreachable" },
	{ 0xc0040052, "FWX_E_TCPIP_DROP_IP_PORT_UNREACHABLE", "stack drop: port unreachable" },
	{ 0xc0040053, "FWX_E_TCPIP_DROP_IP_BAD_LENGTH", "stack drop: bad IP length" },
	{ 0xc0040054, "FWX_E_TCPIP_DROP_IP_MALFORMED_HEADER", "stack drop: malformed IP header" },
	{ 0xc0040055, "FWX_E_TCPIP_DROP_IP_NO_ROUTE", "stack drop: no route" },
	{ 0xc0040056, "FWX_E_TCPIP_DROP_IP_BEYOND_SCOPE", "stack drop: address beyond scope" },
	{ 0xc0040059, "FWX_E_TCPIP_DROP_IP_ADMINISTRATIVELY_PROHIBITED", "stack drop: administratively prohibited" },
	{ 0xc004005a, "FWX_E_TCPIP_DROP_IP_HOP_LIMIT_EXCEEDED", "stack drop: hop limit (TTL) exceeded" },
	{ 0xc004005b, "FWX_E_TCPIP_DROP_IP_ADDRESS_UNREACHABLE", "stack drop: address unreachable" },
	{ 0xc004005e, "FWX_E_BLOCKED_COMPUTER_ACCESS", "source is in the Blocked Computers set" },
	{ 0xc004005f, "FWX_E_IP_NOT_GENERATED_BY_TCPIP", "dropped: packet not generated by the TCP/IP stack" },
	/* Win32 / Winsock numbers written as decimal status values */
	{ 10004, "WSAEINTR", "call interrupted" },
	{ 10013, "WSAEACCES", "permission denied" },
	{ 10048, "WSAEADDRINUSE", "address already in use" },
	{ 10050, "WSAENETDOWN", "network is down" },
	{ 10051, "WSAENETUNREACH", "network unreachable" },
	{ 10053, "WSAECONNABORTED", "connection aborted by the local host" },
	{ 10054, "WSAECONNRESET", "connection reset by the peer" },
	{ 10055, "WSAENOBUFS", "no buffer space" },
	{ 10060, "WSAETIMEDOUT", "connection timed out" },
	{ 10061, "WSAECONNREFUSED", "connection refused" },
	{ 10064, "WSAEHOSTDOWN", "host is down" },
	{ 10065, "WSAEHOSTUNREACH", "no route to host" },
	{ 11001, "WSAHOST_NOT_FOUND", "host not found" },
	{ 11002, "WSATRY_AGAIN", "name lookup failed temporarily" },
	{ 11004, "WSANO_DATA", "name has no address of the requested type" },
	{ 12202, "ISA_URL_DENIED", "Web Proxy: URL denied by ISA/TMG policy" },
	{ 12209, "ISA_ACCESS_DENIED", "Web Proxy: access denied" },
	{ 0, NULL, NULL },
};

const struct tmg_code *tmg_code_find(uint32_t code)
{
	for (size_t i = 0; tmg_codes[i].name; i++)
		if (tmg_codes[i].code == code)
			return &tmg_codes[i];
	return NULL;
}
