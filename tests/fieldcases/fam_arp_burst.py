"""tests/fieldcases/fam_arp_burst.py - a host on a LAN asks for 20 to 60
different addresses within a millisecond (captured at its switch port).
Either it then resets its own idle TCP sessions (idle 30 s to 20 min) to peers
it had just re-resolved, which all answered (the host tearing sessions down:
arp_burst_host_teardown, with the sessions, their idle times and services),
or it announced itself with gratuitous ARP first, most targets stay silent and
some sessions are reset (arp_burst_failover). Unrelated ARP and TCP around.
Near miss: the same sweep spread out (a request every 0.1 to 20 ms), or a
burst of fewer than 20 targets, followed by the same resets: no burst finding.
"""
import os

import fieldlib as fl

FAMILY = "arp-burst"
RULES = ["arp_burst_host_teardown", "arp_burst_failover", "arp_burst"]
SERVICES = {445: "smb", 1433: "mssql", 3389: "rdp", 443: "https", 22: "ssh", 389: "ldap", 5985: "winrm"}


def build(rng, outdir, near_miss):
    host = fl.private_v4(rng)
    cap = fl.pcapgen.Capture()
    mac = {}

    def mac_of(a):
        return mac.setdefault(a, len(mac) + 2)

    t_burst = fl.epoch_us(rng)
    mode = rng.choice(("teardown", "failover"))
    ntargets = rng.randrange(20, 61) if not near_miss or rng.random() < 0.6 else rng.randrange(12, 20)
    targets = []
    while len(targets) < ntargets:
        a = fl.same_24(rng, host, avoid=set(targets))
        targets.append(a)
    nsess = rng.randrange(2, 7)
    peers = rng.sample(targets, nsess)
    # sessions, idle before the burst
    sess = []
    for p in peers:
        port = rng.choice(sorted(SERVICES))
        host_is_client = rng.random() < 0.6
        idle = rng.randrange(30, 1200) * 10**9 + rng.randrange(0, 10**6) * 1000
        c = (fl.Tcp(cap, rng, host, fl.eph_port(rng), p, port) if host_is_client
             else fl.Tcp(cap, rng, p, fl.eph_port(rng), host, port))
        t = t_burst - idle - rng.randrange(1, 60) * 10**9
        _, t = c.handshake(t, rng.randrange(100, 2000) * 1000)
        c.data(t + 1000, True, rng.randrange(40, 400))
        last = t + 1000 + rng.randrange(100, 5000) * 1000
        c.data(last, False, rng.randrange(40, 1400))
        last += rng.randrange(100, 900) * 1000
        c.ack(last, True)
        sess.append((c, host_is_client, port, last))
    # unrelated ARP
    for _ in range(rng.randrange(0, 5)):
        a, b = fl.same_24(rng, host), fl.same_24(rng, host)
        t = t_burst - rng.randrange(1, 20) * 10**9
        cap.add(t, fl.pcapgen.arp(1, a, b, sender_mac_id=mac_of(a)))
        cap.add(t + 200_000, fl.pcapgen.arp(2, b, a, sender_mac_id=mac_of(b)))
    grat_idx = None
    if mode == "failover" and not near_miss:
        cap.add(t_burst - rng.randrange(10, 5000) * 10**6, fl.pcapgen.arp(1, host, host, sender_mac_id=mac_of(host)))
        grat_idx = len(cap.frames) - 1
    # the burst (or the spread-out sweep)
    spread = near_miss and ntargets >= 20
    span = rng.randrange(300, 950) * 1000
    req_idx, t = [], t_burst
    for i, a in enumerate(targets):
        cap.add(t, fl.pcapgen.arp(1, host, a, sender_mac_id=mac_of(host)))
        req_idx.append(len(cap.frames) - 1)
        t += (rng.randrange(100, 20_000) * 1000 if spread else span // (ntargets - 1) // 1000 * 1000)
    t_end = t
    answered = set(targets) if mode == "teardown" else set(rng.sample(targets, rng.randrange(0, ntargets // 2)))
    for p in peers:
        if mode == "teardown":
            answered.add(p)
    for a in targets:
        if a in answered:
            cap.add(t_end + rng.randrange(50, 3000) * 1000, fl.pcapgen.arp(2, a, host, sender_mac_id=mac_of(a)))
    # the resets
    t = t_end + rng.randrange(10, 3000) * 10**6
    rst_idx, idles = [], []
    for c, host_is_client, port, last in sess:
        by_host = mode == "teardown" or rng.random() < 0.5
        rst_idx.append(c.rst(t, host_is_client == by_host))
        idles.append(t - last)
        t += rng.randrange(100, 50_000) * 1000
    # unrelated traffic after
    for _ in range(rng.randrange(0, 3)):
        a, b = fl.private_v4(rng, avoid={host}), fl.private_v4(rng, avoid={host})
        c = fl.Tcp(cap, rng, a, fl.eph_port(rng), b, 80)
        c.handshake(t + rng.randrange(1, 5) * 10**9, 1_000_000)
    name, _ = fl.write_capture(rng, cap, os.path.join(outdir, "lan"))
    label = rng.choice(("switch-port", "lan", "host-span", "access"))
    src = ["%s=%s" % (label, name)]
    if near_miss:
        return fl.Case(src, quiet=RULES, note="spread" if spread else "small burst")
    r = fl.refs(cap)
    ref = lambda i: "%s#%d" % (label, r[i])  # noqa: E731
    common = {"arp.src.proto_ipv4": host, "count": ntargets, "targets": ntargets}
    ev = [ref(req_idx[0])] + [ref(i) for i in rst_idx]
    if mode == "teardown":
        msg = [r"\(%s/%d, idle" % (SERVICES[port], port) for _, _, port, _ in sess]
        return fl.Case(src, expect=[fl.Expect(
            "arp_burst_host_teardown",
            fields=dict(common, answered=ntargets, host_resets=nsess, max_idle=max(idles)),
            evidence=ev, message=msg)], note="teardown")
    ev.append(ref(grat_idx))
    return fl.Case(src, expect=[fl.Expect(
        "arp_burst_failover",
        fields=dict(common, gratuitous=True, unanswered=ntargets - len(answered), resets=nsess),
        evidence=ev)], note="failover")
