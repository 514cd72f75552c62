#!/usr/bin/env python3
"""samples/udp-cluster-reply/make.py - writes client.pcap and cluster.pcap.

A client (10.1.1.50) asks the SQL Server Browser on a cluster's virtual IP
(10.2.2.100, UDP 1434) for instance SQL01. The active node answers from its own
address (10.2.2.11); the firewall in between has no state for that address and
drops the reply. The client retries twice. A second, stand-alone server
(10.2.2.20) answers from the address it was asked on, for contrast.
cluster.pcap is taken on the cluster's switch, client.pcap on the client.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "tools"))
from pcapgen import Capture, udp  # noqa: E402

T0 = 1_700_000_000 * 10**9  # integer nanoseconds: exact timestamps
MS = 10**6
CLIENT, VIP, NODE, SOLO = "10.1.1.50", "10.2.2.100", "10.2.2.11", "10.2.2.20"
CPORT = 51234


def ssrp_query(instance):
    return b"\x04" + instance.encode() + b"\0"   # CLNT_UCAST_INST


def ssrp_reply(server, instance):
    text = ("ServerName;%s;InstanceName;%s;IsClustered;Yes;Version;15.0.2000.5;tcp;1433;;"
            % (server, instance)).encode()
    return b"\x05" + struct.pack("<H", len(text)) + text   # SVR_RESP


def main(out):
    client, cluster = Capture(), Capture()
    # the stand-alone server: asked and answered on the same address
    client.add(T0, udp(CLIENT, 51000, SOLO, 1434, ssrp_query("SALES")))
    client.add(T0 + 1200 * 1000, udp(SOLO, 1434, CLIENT, 51000, ssrp_reply("SOLO", "SALES")))
    # three tries to the virtual IP, 2.5 s apart
    for i in range(3):
        t = T0 + 1000 * MS + 2500 * MS * i
        client.add(t, udp(CLIENT, CPORT, VIP, 1434, ssrp_query("SQL01"), ip_id=100 + i))
        cluster.add(t + 400 * 1000, udp(CLIENT, CPORT, VIP, 1434, ssrp_query("SQL01"), ip_id=100 + i, ttl=63))
        cluster.add(t + 900 * 1000, udp(NODE, 1434, CLIENT, CPORT, ssrp_reply("NODE1", "SQL01"), ip_id=7000 + i))
    client.write(os.path.join(out, "client.pcap"))
    cluster.write(os.path.join(out, "cluster.pcap"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
