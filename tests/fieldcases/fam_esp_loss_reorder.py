"""tests/fieldcases/fam_esp_loss_reorder.py - an IPsec SA (raw ESP or ESP in
UDP 4500) at a random rate and starting sequence number, captured at one
point: a few runs of numbers never arrive, some packets arrive a few packets
late (shallow reordering, inside the 64-packet anti-replay window), sometimes
one far beyond it, sometimes duplicates; the reverse SA is clean. Expected
counts come from replaying the arrival order (lost = never arrived,
late = highest number seen - its number), not from the analyzer.
A third of the incidents have only shallow reordering: esp_reordering alone
fires (nothing is lost). Near miss: the same traffic without loss,
reordering or duplicates, in two
SAs per direction (a rekey restarts the numbers under a new SPI) that
interleave on the wire.
"""
import os
import struct

import fieldlib as fl


FAMILY = "esp-loss-reorder"
RULES = ["esp_loss", "esp_reordering", "esp_duplicates", "esp_replay_window_exceeded",
         "esp_replay_drop_fw"]


def _frame(natt, src, dst, spi, seq, n, ip_id):
    if natt:
        return fl.pcapgen.udp(src, 4500, dst, 4500, payload=struct.pack("!II", spi, seq) + bytes(n),
                              ip_id=ip_id)
    return fl.pcapgen.esp(src, dst, spi, seq, payload_len=n, ip_id=ip_id)


def _spi(rng):
    return rng.randrange(0x100, 1 << 32)


def _arrivals(rng, base, count, near_miss, shallow_only):
    """Arrival order of sequence numbers base..base+count-1 (mod 2^32) with
    the damage drawn (shallow_only: a few packets late within the window,
    nothing lost, duplicated or beyond it)."""
    nums = list(range(count))
    if near_miss:
        return nums
    lost = set()
    for _ in range(0 if shallow_only else rng.randrange(1, 4)):
        at = rng.randrange(10, count - 80)
        lost.update(range(at, at + rng.randrange(1, 6)))
    order = [n for n in nums if n not in lost]
    moves = []
    for _ in range(rng.randrange(1, 5)):
        moves.append(rng.randrange(1, 40))
    if not shallow_only and rng.random() < 0.35:
        moves.append(rng.randrange(64, 200))
    for depth in moves:
        cands = [i for i, n in enumerate(order[:-(depth + 5)]) if i > 5]
        i = rng.choice(cands)
        n = order.pop(i)
        order.insert(i + depth, n)
    for _ in range(0 if shallow_only else rng.randrange(0, 3)):
        i = rng.randrange(5, len(order) - 5)
        order.insert(i + rng.randrange(0, 4), order[i])
    return order


def _account(order):
    """Replay the arrivals: lost, late list (index, late_by), duplicates..."""
    seen, mx = set(), None
    late, dups = [], []
    for i, n in enumerate(order):
        if mx is None or n > mx:
            mx = n
        elif n in seen:
            dups.append(i)
        else:
            late.append((i, mx - n))
        seen.add(n)
    span = range(order[0], mx + 1)
    never = [n for n in span if n not in seen]
    # numbers that did not arrive within the window: never, or 64+ late
    wl = sorted(never + [order[i] for i, d in late if d >= 64])
    first_lost_idx = None
    if wl:
        first_lost_idx = next(i for i, n in enumerate(order) if n > wl[0])
    return never, late, dups, first_lost_idx, mx - order[0] + 1


def build(rng, outdir, near_miss):
    a = rng.choice((fl.public_v4, fl.private_v4))(rng)
    b = fl.public_v4(rng, avoid={a})
    natt = rng.random() < 0.3
    spi = _spi(rng)
    rev = _spi(rng)
    base = rng.choice((1, rng.randrange(1, 1 << 31), (1 << 32) - rng.randrange(50, 400)))
    count = rng.randrange(300, 1200)
    gap = rng.randrange(200_000, 20_000_000)   # 50 to 5000 packets a second
    t0 = fl.epoch_us(rng)
    cap = fl.pcapgen.Capture()
    plen = rng.randrange(60, 1300)
    shallow_only = not near_miss and rng.random() < 0.3
    order = _arrivals(rng, base, count, near_miss, shallow_only)
    fwd_idx = []
    for i, n in enumerate(order):
        if near_miss and i == count // 2:   # rekey: a new SPI, numbers from 1
            spi2, base2 = _spi(rng), 1
        if near_miss and i >= count // 2:
            s, q = spi2, (base2 + n - count // 2) & 0xFFFFFFFF
        else:
            s, q = spi, (base + n) & 0xFFFFFFFF
        cap.add(t0 + i * gap // 1000 * 1000, _frame(natt, a, b, s, q, plen, i & 0xFFFF))
        fwd_idx.append(len(cap.frames) - 1)
    rgap = gap * rng.randrange(2, 10)
    rbase = rng.randrange(1, 1 << 20)
    for i in range(count * gap // rgap):
        s = rev if not near_miss or i < count * gap // rgap // 2 else rev ^ 0x5A5A5A5A
        q = rbase + i if s == rev else 1 + i - count * gap // rgap // 2
        cap.add(t0 + i * rgap // 1000 * 1000 + 7000, _frame(natt, b, a, s, q, rng.randrange(60, 200), i))
    name, _ = fl.write_capture(rng, cap, os.path.join(outdir, "tunnel"))
    label = rng.choice(("gw-in", "wan", "tunnel", "site-b"))
    src = ["%s=%s" % (label, name)]
    if near_miss:
        return fl.Case(src, quiet=RULES)
    r = fl.refs(cap)
    never, late, dups, fli, numbers = _account(order)
    ref = lambda i: "%s#%d" % (label, r[fwd_idx[i]])  # noqa: E731
    beyond = [i for i, d in late if d >= 64]
    shallow = [i for i, d in late if d < 64]
    sa = "0x%08x %s -> %s" % (spi, a, b)
    common = {"sa": sa, "lost": len(never), "reordered": len(late), "duplicates": len(dups),
              "max_late": max(d for _, d in late)}
    if shallow_only:   # still a finding, of its own (low) rule; nothing else fires
        hist = {}
        for _, d in late:
            hist[d] = hist.get(d, 0) + 1
        depths = ", ".join("%d (%d)" % (d, hist[d]) for d in sorted(hist))
        return fl.Case(src, expect=[fl.Expect(
            "esp_reordering", fields=dict(common, lost=0, shallow=len(late), depths=depths,
                                          first_reordered_ref=r[fwd_idx[late[0][0]]]),
            evidence=[ref(late[0][0])])],
            quiet=["esp_loss", "esp_duplicates", "esp_replay_window_exceeded"], note="shallow only")
    exp = [fl.Expect("esp_loss", fields=dict(common, numbers=numbers, packets=len(order),
                                             replay_window_exceeded=len(beyond),
                                             first_lost_ref=r[fwd_idx[fli]]),
                     evidence=[ref(fli), ref(late[0][0])] + ([ref(dups[0])] if dups else []),
                     message=[r"%d of %d sequence numbers never arrived" % (len(never), numbers)])]
    hist = {}
    for _, d in late:
        hist[d] = hist.get(d, 0) + 1
    depths = ", ".join("%d (%d)" % (d, hist[d]) for d in sorted(hist))
    if shallow:
        exp.append(fl.Expect("esp_reordering", fields=dict(common, shallow=len(shallow), depths=depths,
                                                           first_reordered_ref=r[fwd_idx[late[0][0]]]),
                             evidence=[ref(late[0][0])]))
    if dups:
        exp.append(fl.Expect("esp_duplicates", fields={"sa": sa, "duplicates": len(dups),
                                                       "first_duplicate_ref": r[fwd_idx[dups[0]]]},
                             evidence=[ref(dups[0])]))
    if beyond:
        exp.append(fl.Expect("esp_replay_window_exceeded", evidence=[ref(beyond[0])]))
    # loss and the replay window it overran are one cause: either may lead
    return fl.Case(src, expect=exp, headline=["esp_loss", "esp_replay_window_exceeded"],
                   note="natt %s base %d" % (natt, base))
