"""tests/fieldcases/fam_udp_other_address.py - a UDP request to a cluster's
virtual address answered by one node from its own address in the same /24
(SQL Server Browser on 1434, or a generic service), captured at the client.
Near miss: the same exchange answered from the address that was asked.
"""
import os

import fieldlib as fl
import pcapgen


FAMILY = "udp-other-address"
RULES = ["udp_reply_other_address", "udp_reply_other_address_fw_drop"]


def build(rng, outdir, near_miss):
    client = fl.private_v4(rng)
    vip = fl.private_v4(rng, avoid={client})
    node = fl.same_24(rng, vip, avoid={client})
    sport = fl.eph_port(rng)
    dport = rng.choice((1434, rng.randrange(1024, 49151)))
    t0 = int(fl.epoch(rng) * 1e9)
    cap = pcapgen.Capture()
    # a few unrelated datagrams around, so refs are not always 1 and 2
    for i in range(rng.randrange(0, 6)):
        other = fl.private_v4(rng, avoid={client, vip, node})
        cap.add(t0 - rng.randrange(1, 10**9), pcapgen.udp(client, fl.eph_port(rng), other, 53,
                                                          payload=bytes(20), ip_id=i + 1))
    req = b"\x03" if dport == 1434 else bytes(rng.randrange(8, 64))
    cap.add(t0, pcapgen.udp(client, sport, vip, dport, payload=req, ip_id=100))
    delay = rng.randrange(200_000, 80_000_000)  # 0.2 to 80 ms
    answer_from = vip if near_miss else node
    cap.add(t0 + delay, pcapgen.udp(answer_from, dport, client, sport, payload=bytes(rng.randrange(30, 200)),
                                    ip_id=200, ttl=rng.choice((64, 128))))
    name, _ = fl.write_capture(rng, cap, os.path.join(outdir, "client"))
    reply_ref = fl.frame_ref(cap, lambda d: fl.frame_ips(d) == (answer_from, client))
    if near_miss:
        return fl.Case(["client=" + name], quiet=RULES)
    return fl.Case(["client=" + name], expect=[
        fl.Expect("udp_reply_other_address",
                  fields={"expected_addr": vip, "actual_addr": node},
                  evidence=["client#%d" % reply_ref],
                  message=[r"reply came from %s" % node.replace(".", r"\.")]),
    ])
