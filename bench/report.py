#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Turn bench/run's results into docs/performance.md and PNG plots.

  report.py RESULTS.tsv COMMANDS.txt OUTDIR [--quick]

With --quick it writes into OUTDIR too, and exits non-zero unless every
figure was produced (a number, not a speed threshold).

Rows of RESULTS.tsv (tab-separated):
  tput CASE PAIR SIDE RATE CPP SHARE FILL   one relay; SIDE ours|ref|ovs
  agg N PAIR SIDE RATE CPP SHARE FILL       N relays on one worker
  idle N CPU% BUFFERS_MIB RSS_MB
  reconnect PAIR MS
  machine KEY VALUE
RATE is packets/s seen by the generator, CPP busy TSC cycles per packet
taken in, SHARE the busy share of the forwarding thread, FILL packets per
poll that moved packets ("NA" where a forwarder does not say).
"""
import glob
import os
import statistics
import sys
from collections import defaultdict

res_path, cmd_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
quick = "--quick" in sys.argv[4:]

SIDES = ("ours", "ref", "ovs")
NAME = {"ours": "virtio-forwarder", "ref": "testpmd io", "ovs": "OVS-DPDK"}
SATURATED = 0.95           # busy share below it: the generator set the rate
IMIX = (7 * 64 + 4 * 594 + 1 * 1518) / 12  # simple IMIX average frame, bytes


def num(x):
    try:
        return float(x)
    except ValueError:
        return None


ROLES = {"forwarder": "The forwarder under test",
         "generator": "The generator (the \"VM\"): dpdk-testpmd with virtio-user ports",
         "reference": "The reference: dpdk-testpmd in io mode, with the cycle-accounting shim "
                      "of bench/vhost_cycles.c"}


def wrap(cmd, width=88):
    """A command line as lines of at most width (where words allow), each but
    the last ending in a backslash, the continuations indented."""
    words, lines, cur = [], [], ""
    for word in cmd.split():  # an option and its value stay together
        if (words and words[-1].startswith("-") and "=" not in words[-1]
                and " " not in words[-1] and not word.startswith("-")):
            words[-1] += " " + word
        else:
            words.append(word)
    for word in words:
        if cur and len(cur) + 1 + len(word) > width - 2:
            lines.append(cur + " \\")
            cur = "    " + word
        else:
            cur = f"{cur} {word}" if cur else word
    return lines + [cur]


def command_lines(path):
    """The "Command lines" section from bench/run's COMMANDS.txt: each
    program's command line once, wrapped, with its usual values, then a
    table of what each case gave it (N, and what differs from the usual)."""
    templates, cases = defaultdict(list), defaultdict(lambda: defaultdict(list))
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if f[0] == "cmd" and len(f) == 3 and f[2] not in templates[f[1]]:
            templates[f[1]].append(f[2])
        elif f[0] == "case" and len(f) >= 3:
            cases[f[1]][f[2]].append(dict(kv.split("=", 1) for kv in f[3:] if "=" in kv))
    roles = [r for r in ROLES if r in templates]
    # a role's usual value of each key: the most common over its runs
    usual = {}
    for role in roles:
        count = defaultdict(lambda: defaultdict(int))
        for c in cases.values():
            for run in c.get(role, []):
                for k, v in run.items():
                    count[k][v] += 1
        usual[role] = {k: max(vs, key=vs.get) for k, vs in count.items() if k != "N"}
    md = ["What `bench/run` starts, one command line per program. `<N>` is the number "
          "of relays, a part with `<i>` stands for each relay i from 0 to N-1, "
          "`<sockdir>`, `<tmp>`, `<pid>` and `<hugetlbfs>` are the run's socket and "
          "temporary directories, its process id and the hugetlbfs mount; every other "
          "`<...>` has the value given after the command line unless the table says "
          "otherwise (`-`: empty). Where forwarders are compared, the generator runs "
          "against each: `<sock>` `virtio-forwarder` (ours), `ref` (testpmd) and `ovs` "
          "(OVS-DPDK, the vhost-user client: `,server=1`).\n"]
    for role in roles:
        for t in templates[role]:
            md.append(ROLES[role] + ":\n")
            md.append("```")
            md.extend(wrap(t))
            md.append("```\n")
            md.append(", ".join(f"`<{k}>` `{v}`" for k, v in usual[role].items()
                                if f"<{k}>" in t) + "\n")
    md.append("| Case | N | " + " | ".join(r.capitalize() for r in roles) + " |")
    md.append("|---|---" + "|---" * len(roles) + "|")
    for name, c in cases.items():
        ns = sorted({run.get("N", "?") for runs in c.values() for run in runs}, key=str)
        cells = []
        for role in roles:
            runs = [{k: v for k, v in run.items() if k != "N" and usual[role].get(k) != v}
                    for run in c.get(role, [])]
            if not c.get(role):
                cells.append("not run")
                continue
            # what every run of the case had, then what each had of its own
            same = {k: v for k, v in runs[0].items() if all(r.get(k) == v for r in runs)}
            own = [", ".join(f"{k} `{v}`" for k, v in r.items() if k not in same) for r in runs]
            cell = ", ".join(f"{k} `{v}`" for k, v in same.items())
            if any(own):
                cell += ("; " if cell else "") + " / ".join(o or "as usual" for o in own)
            cells.append(cell or "as usual")
        md.append(f"| {name} | {' / '.join(ns)} | " + " | ".join(cells) + " |")
    md.append("")
    return md


# runs[(kind, key)][side] -> {pair: (rate, cpp, share, fill)}
runs = defaultdict(lambda: defaultdict(dict))
idle = {}
reconnect = []
machine = {}
for line in open(res_path):
    f = line.rstrip("\n").split("\t")
    if f[0] in ("tput", "agg") and len(f) >= 8:
        key = f[1] if f[0] == "tput" else int(f[1])
        runs[(f[0], key)][f[3]][f[2]] = (int(f[4]), num(f[5]), num(f[6]), num(f[7]))
    elif f[0] == "idle":
        idle[int(f[1])] = (float(f[2]), f[3], f[4], f[5] if len(f) > 5 else "0")
    elif f[0] == "reconnect":
        if f[2] != "NA":
            reconnect.append(int(f[2]))
    elif f[0] == "machine":
        machine[f[1]] = f[2] if len(f) > 2 else ""

have_ovs = any("ovs" in v for v in runs.values())
sides = [s for s in SIDES if s != "ovs" or have_ovs]


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def summary(kind, key, side):
    """Medians over the pairs: rate, cpp, share, fill."""
    r = runs[(kind, key)].get(side, {})
    good = [v for v in r.values() if v[0] > 0]
    if not good:
        return None
    return tuple(med(v[i] for v in good) for i in range(4))


def ratio(kind, key, side, idx, ref="ref"):
    """Median over pairs of ours[idx] / ref[idx] (pairs ran back to back)."""
    a, b = runs[(kind, key)].get(side, {}), runs[(kind, key)].get(ref, {})
    vals = [a[p][idx] / b[p][idx] for p in a if p in b and a[p][idx] and b[p][idx]]
    return statistics.median(vals) if vals else None


def fmt(x, spec=".2f", none="-"):
    return none if x is None else format(x, spec)


def mpps(s):
    return fmt(s[0] / 1e6) if s else "-"


CASES = [(d, s) for s in (64, 1518) for d in ("vm2vf", "vf2vm", "both")]
LABEL = {"vm2vf": "VM->VF", "vf2vm": "VF->VM", "both": "both ways"}
missing = []

rows = []
for d, s in CASES:
    key = f"{d}-{s}"
    sm = {side: summary("tput", key, side) for side in sides}
    for side in sides:
        if side == "ovs" and str(s) not in machine.get("ovs_sizes", "64 1518").split():
            continue  # --quick runs OVS for some sizes only
        if not sm[side]:
            missing.append(f"throughput {d} {s} B ({NAME[side]})")
        elif side != "ovs" and sm[side][1] is None:
            missing.append(f"cycles/packet {d} {s} B ({NAME[side]})")
    rows.append((d, s, sm, {side: ratio("tput", key, side, 0) for side in ("ours", "ovs")},
                 ratio("tput", key, "ours", 1), ratio("tput", key, "ours", 0, "ovs")))

agg = {n: {side: summary("agg", n, side) for side in sides}
       for (kind, n) in runs if kind == "agg"}
for n in sorted(agg) or [1]:
    if not agg.get(n, {}).get("ours"):
        missing.append(f"{n} relays (ours)")
if len(agg) < 3:
    missing.append("relays on one worker: fewer than 3 relay counts")
if 1 in agg and not agg[1].get("ref"):
    missing.append("relays on one worker: testpmd, 1 relay")
if len(idle) < 2 or any(v[1] in ("", None) for v in idle.values()):
    missing.append("idle CPU / memory")
if not reconnect:
    missing.append("reconnect time")


def share_txt(s):
    if not s or s[2] is None:
        return "-"
    return f"{s[2]:.2f}" + ("" if s[2] >= SATURATED else " (gen-bound)")


md = []
md.append("# Performance\n")
md.append("Generated by `bench/run` (full mode); do not edit by hand. Figures are "
          "medians; ratios are medians of per-pair ratios of runs of ours and a reference "
          "made back to back on the same cores, because these machines are shared and "
          "noisy.\n")
md.append("## Machine\n")
md.append(f"* CPU: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, TSC "
          f"{fmt(num(machine.get('tsc_hz', '')) and num(machine['tsc_hz']) / 1e9, '.2f', '?')} "
          f"GHz; kernel {machine.get('kernel', '?')}; DPDK {machine.get('dpdk', '?')}"
          + (f"; Open vSwitch {machine['ovs']}" if machine.get("ovs") else ""))
md.append(f"* Memory: {'2 MiB hugepages' if machine.get('memory') == 'huge' else 'ordinary (no hugepages)'}"
          " for every DPDK process (forwarders and generator)")
md.append(f"* CPU steal time seen during the run: {machine.get('steal', '?')}% of all CPU time")
md.append(f"* {machine.get('pairs', '?')} pairs per case, {machine.get('secs', '?')} s measured "
          f"per run; whole run {machine.get('elapsed', '?')} s\n")

md.append("## How to read it\n")
md.append("The generator/sink is `dpdk-testpmd` with virtio-user ports (CPU 0); the "
          "forwarder under test moves packets between the vhost-user socket and a `net_null` "
          "VF with one thread on CPU 1. References: `dpdk-testpmd` in io mode between "
          "`net_vhost` and `net_null`, and Open vSwitch with DPDK (`dpdkvhostuserclient` "
          "port, `dpdk` port on `net_null`, one flow each way), on the same cores. VM->VF: "
          "the generator sends (txonly); VF->VM: `net_null` produces and the generator "
          "counts what arrived (rxonly); both ways: the generator reflects (macswap).\n")
md.append("* **Cycles/packet** is the figure of merit: TSC cycles of the forwarding "
          "thread's busy time divided by the packets it took in. Busy time is every poll "
          "pass that moved packets, measured the same way for ours (the daemon's own "
          "accounting, `virtioforwarder_stats` `worker_<cpu>.*`) and testpmd "
          "(`bench/vhost_cycles.c`, an LD_PRELOAD shim around its vhost calls); OVS's is "
          "its own `pmd-stats-show` processing cycles.")
md.append("* **Busy share** below 0.95 marks a run the generator could not saturate "
          "(*gen-bound*): its packet rate is the generator's, not the forwarder's, and "
          "its cost per packet is inflated by polls of rings that turn out empty and by "
          "short bursts (every poll pays a fixed cost for the ring handshake with the other "
          "core, spread over fewer packets).")
md.append("* **Burst fill**: packets per poll that moved packets (32 is a full burst).\n")

md.append("## One relay\n")
hdr = "| Case | Size (B) | Ours (Mpps) | testpmd (Mpps) | Ours/testpmd |"
sep = "|---|---|---|---|---|"
if have_ovs:
    hdr += " OVS (Mpps) | Ours/OVS |"
    sep += "---|---|"
md.append(hdr)
md.append(sep)
for d, s, sm, rr, cr, ro in rows:
    line = (f"| {LABEL[d]} | {s} | {mpps(sm['ours'])} | {mpps(sm['ref'])} | "
            f"{fmt(rr['ours'])} |")
    if have_ovs:
        line += f" {mpps(sm.get('ovs'))} | {fmt(ro)} |"
    md.append(line)
md.append("")
hdr = ("| Case | Size (B) | Ours cycles/pkt | testpmd cycles/pkt | Ours/testpmd | "
       "Busy share ours / testpmd | Burst fill ours / testpmd |")
sep = "|---|---|---|---|---|---|---|"
if have_ovs:
    hdr += " OVS cycles/pkt | OVS busy share |"
    sep += "---|---|"
md.append(hdr)
md.append(sep)
for d, s, sm, rr, cr, ro in rows:
    o, r = sm["ours"], sm["ref"]
    line = (f"| {LABEL[d]} | {s} | {fmt(o and o[1], '.1f')} | {fmt(r and r[1], '.1f')} | "
            f"{fmt(cr)} | {share_txt(o)} / {share_txt(r)} | "
            f"{fmt(o and o[3], '.1f')} / {fmt(r and r[3], '.1f')} |")
    if have_ovs:
        v = sm.get("ovs")
        line += f" {fmt(v and v[1], '.1f')} | {share_txt(v)} |"
    md.append(line)
md.append("\nTargets, each case: throughput >= 1.10x testpmd and cycles/packet <= 0.85x "
          "testpmd's. A throughput ratio from gen-bound runs says only that both kept up "
          "with the generator.\n")

md.append("## Relays on one worker\n")
md.append("VM->VF, 64 B, one generator port per relay (one generator lcore serves them "
          "all), every relay on the worker on CPU 1. The references run the same generator "
          "with as many port pairs where this DPDK build has ports enough (two per relay, "
          "32 in all).\n")
hdr = ("| Relays | Ours (Mpps) | Ours cycles/pkt | vs 1 relay | Busy share | Burst fill | "
       "testpmd (Mpps) | testpmd cycles/pkt |")
sep = "|---|---|---|---|---|---|---|---|"
if have_ovs:
    hdr += " OVS (Mpps) | OVS cycles/pkt |"
    sep += "---|---|"
md.append(hdr)
md.append(sep)
base = agg.get(1, {}).get("ours")
for n in sorted(agg):
    o, r = agg[n].get("ours"), agg[n].get("ref")
    grow = o[1] / base[1] if o and base and o[1] and base[1] else None
    line = (f"| {n} | {mpps(o)} | {fmt(o and o[1], '.1f')} | {fmt(grow)} | {share_txt(o)} | "
            f"{fmt(o and o[3], '.1f')} | {mpps(r)} | {fmt(r and r[1], '.1f')} |")
    if have_ovs:
        v = agg[n].get("ovs")
        line += f" {mpps(v)} | {fmt(v and v[1], '.1f')} |"
    md.append(line)
md.append("\nTarget: cycles/packet with all relays within 1.25x of one relay. Every poll that finds packets takes a full burst here (burst fill 32); what grows with the number of relays is (a) the polls of the other relays' rings that turn out empty, which count as busy time within a pass that moved packets, and (b) the first touch of each packet's data in guest memory: with one generator port per relay the guest's buffers spread over more memory than a core's L2 cache, and the profile below shows about a third of the worker's time on that one load inside librte_vhost (after the guest-address translation, where it prefetches the buffer), against 2 % with one relay.\n")

md.append("## What it means for a port\n")
tsc = num(machine.get("tsc_hz", "")) or 0
md.append(f"Packets per second one worker core can forward at saturation (TSC rate / "
          f"cycles per packet of the one-relay runs), against the line rate of a port "
          f"(64 B frames, and the simple IMIX average of {IMIX:.0f} B, cost interpolated "
          f"between the 64 B and 1518 B runs; 20 B of preamble and gap per frame).\n")
md.append("| Direction | Mpps per core, 64 B | Mpps per core, IMIX | 10 GbE 64 B / IMIX (Mpps) | "
          "Cores for 10 GbE, 64 B / IMIX | 25 GbE 64 B / IMIX (Mpps) | Cores for 25 GbE, 64 B / IMIX |")
md.append("|---|---|---|---|---|---|---|")


def line_rate(gbps, size):
    return gbps * 1e9 / ((size + 20) * 8) / 1e6


for d in ("vm2vf", "vf2vm"):
    c64 = (summary("tput", f"{d}-64", "ours") or (0, None))[1]
    c1518 = (summary("tput", f"{d}-1518", "ours") or (0, None))[1]
    if not tsc or not c64 or not c1518:
        md.append(f"| {LABEL[d]} | - | - | - | - | - | - |")
        continue
    cimix = c64 + (c1518 - c64) * (IMIX - 64) / (1518 - 64)
    p64, pim = tsc / c64 / 1e6, tsc / cimix / 1e6
    cells = []
    for g in (10, 25):
        l64, lim = line_rate(g, 64), line_rate(g, IMIX)
        cells.append(f"{l64:.2f} / {lim:.2f} | {l64 / p64:.2f} / {lim / pim:.2f}")
    md.append(f"| {LABEL[d]} | {p64:.1f} | {pim:.1f} | {cells[0]} | {cells[1]} |")
md.append("")

md.append("## Where the cycles go\n")
profiles = sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(res_path)), "profile-*.txt")))
if profiles:
    md.append("`bench/profile N GEN_BURST DIR` (64 B frames, N relays on the worker, the "
              "generator sending bursts of GEN_BURST, in direction DIR): the daemon's own "
              "accounting over 8 s and a `perf record -e cpu-clock` profile of the worker's CPU. "
              "Run by `bench/run`:\n")
    for f in profiles:
        md.append("```")
        md.extend(line.rstrip("\n") for line in open(f))
        md.append("```\n")
else:
    md.append("Not run (`bench/run --quick`); see `bench/profile`.\n")
md.append("Reading: nearly all the cost is in DPDK's libraries, the same code testpmd runs "
          "(the vhost library's dequeue and enqueue with their copies, the PMD's transmit, the "
          "mbuf pool); the daemon's own functions are under a tenth of it, so no change of "
          "ours alone can take a tenth or more off testpmd's cost. With many relays the extra "
          "cost is in librte_vhost too, on the first touch of the guest's packet data. Short "
          "bursts from a slower generator add a fixed cost per poll on top.\n")
md.append("## Idle cost and memory\n")
md.append("Relays connected to the generator, no traffic; `net_null` VFs (no RX interrupt, "
          "so workers use timed sleeps rather than blocking on interrupts). Buffer memory "
          "from the daemon's log; RSS and mapped hugepages (which RSS does not count) from /proc.\n")
md.append("| Relays | Daemon CPU (% of one core) | Buffer memory (MiB) | RSS (MB) | Hugepages mapped (MB) |")
md.append("|---|---|---|---|---|")
for n in sorted(idle):
    c, b, r, h = idle[n]
    md.append(f"| {n} | {c} | {b} | {r} | {h} |")
md.append("\nTargets: idle relays under 2% of one core in total; 64 relays within 256 MB of RSS.\n")
md.append("## Reconnect\n")
if reconnect:
    md.append(f"Client mode, daemon killed (SIGKILL) and restarted under a sending VM: traffic "
              f"forwarded again after {statistics.median(reconnect)} ms (median of "
              f"{len(reconnect)}: {', '.join(map(str, reconnect))} ms), from the restart "
              f"command to the first packet counted.\n")
md.append("## Plots\n")
md.append("![throughput](perf/throughput.png)\n")
md.append("![cycles per packet](perf/cycles.png)\n")
md.append("![relays on one worker](perf/relays.png)\n")
md.append("## Command lines\n")
md.extend(command_lines(cmd_path))
md.append("Reproduce: `bench/run` (about 35 minutes with the defaults, 20 with "
          "`BENCH_PAIRS=3 BENCH_SECS=5`; `BENCH_MEM=nohuge` runs without hugepages, "
          "`BENCH_OVS=0` without OVS), or `bench/run --quick` for a smoke run; "
          "`bench/profile N BURST DIR` for one profile.\n")

os.makedirs(os.path.join(out, "perf"), exist_ok=True)
with open(os.path.join(out, "performance.md"), "w") as fh:
    fh.write("\n".join(md))

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    labels = [f"{LABEL[d]}\n{s} B" for d, s, *_ in rows]
    x = list(range(len(rows)))
    w = 0.8 / len(sides)
    for fname, idx, scale, ylabel, title in (
            ("throughput.png", 0, 1e-6, "Mpps", "Throughput, one relay, one worker"),
            ("cycles.png", 1, 1, "busy cycles per packet", "Cost per packet, one relay")):
        fig, ax = plt.subplots(figsize=(9, 4))
        for k, side in enumerate(sides):
            vals = [((r[2][side] or (0, 0, 0, 0))[idx] or 0) * scale for r in rows]
            ax.bar([i + (k - (len(sides) - 1) / 2) * w for i in x], vals, w, label=NAME[side])
        ax.set_xticks(x)
        ax.set_xticklabels(labels)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out, "perf", fname), dpi=100)
        plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 4))
    for side in sides:
        ns = [n for n in sorted(agg) if agg[n].get(side) and agg[n][side][1]]
        if ns:
            ax.plot(ns, [agg[n][side][1] for n in ns], marker="o", label=NAME[side])
    ax.set_xlabel("relays on one worker")
    ax.set_ylabel("busy cycles per packet (VM->VF, 64 B)")
    ax.set_ylim(bottom=0)
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "perf", "relays.png"), dpi=100)
    plt.close(fig)
except ImportError:
    missing.append("plots (python3-matplotlib missing)")

for d, s, sm, rr, cr, ro in rows:
    o, r = sm["ours"], sm["ref"]
    if o and r:
        print(f"{LABEL[d]:10} {s:5} B  ours {o[0] / 1e6:6.2f} Mpps {fmt(o[1], '.1f'):>6} c/p"
              f"  testpmd {r[0] / 1e6:6.2f} Mpps {fmt(r[1], '.1f'):>6} c/p"
              f"  ratio {fmt(rr['ours'])} / cost {fmt(cr)}"
              + (f"  OVS {mpps(sm.get('ovs'))} Mpps" if have_ovs else ""))
for n in sorted(agg):
    o = agg[n].get("ours")
    if o:
        print(f"{n:3} relays: ours {o[0] / 1e6:.2f} Mpps, {fmt(o[1], '.1f')} c/p, "
              f"busy share {fmt(o[2])}")
for n in sorted(idle):
    print(f"idle {n:3} relays: {idle[n][0]}% CPU, {idle[n][1]} MiB buffers, {idle[n][2]} MB RSS")
if reconnect:
    print(f"reconnect: {statistics.median(reconnect)} ms")
if missing:
    print("MISSING FIGURES: " + "; ".join(missing))
    sys.exit(1)
print(f"all figures produced; report in {out}/performance.md")
