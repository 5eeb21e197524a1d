#!/usr/bin/env python3
"""Turns benchmarks/tftp/run.sh JSON lines into the markdown tables of benchmarks/RESULTS.md.

Usage: summarize.py results.jsonl
"""
import json
import sys


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    probes = [r for r in rows if r.get("memory_probe")]
    runs = [r for r in rows if not r.get("memory_probe")]
    servers = []
    for r in runs:
        if r["server"] not in servers:
            servers.append(r["server"])
    print("| server | C | W | transfers/s | MB/s | p50 s | p99 s | server CPU s | CPU ms/transfer | peak RSS MiB | notes |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in runs:
        per = (r["cpu_s"] * 1000 / r["transfers"]) if r["transfers"] else float("nan")
        notes = []
        if not r.get("server_survived", True):
            notes.append("server crashed")
        if r["failures"]:
            notes.append(f"{r['failures']} failed")
        if r["corrupt"]:
            notes.append(f"{r['corrupt']} CORRUPT")
        print(f"| {r['server']} | {r['clients']} | {r['windowsize']} | {r['transfers_per_s']:.1f} | "
              f"{r['mb_per_s']:.1f} | {r['p50_s']:.3f} | {r['p99_s']:.3f} | {r['cpu_s']:.2f} | "
              f"{per:.2f} | {r['peak_rss_kb'] / 1024:.1f} | {', '.join(notes)} |")
    print()
    # Targets: C=64 W=1 against the best peer; ferrum W=16 against each peer's best window.
    def get(server, c, w):
        for r in runs:
            if r["server"] == server and r["clients"] == c and r["windowsize"] == w:
                return r
        return None

    peers = [s for s in servers if not s.startswith("ferrum")]
    for mine in [s for s in servers if s.startswith("ferrum")]:
        for c in sorted({r["clients"] for r in runs}):
            m1, m16 = get(mine, c, 1), get(mine, c, 16)
            if not m1 or not m16 or not peers:
                continue
            best1 = max((get(p, c, 1) for p in peers if get(p, c, 1)), key=lambda r: r["transfers_per_s"])
            bestw = max((r for r in runs if r["server"] in peers and r["clients"] == c),
                        key=lambda r: r["transfers_per_s"])
            print(f"- {mine}, C={c}: W=1 {m1['transfers_per_s']:.1f}/s vs best peer {best1['server']} "
                  f"{best1['transfers_per_s']:.1f}/s = {m1['transfers_per_s'] / max(best1['transfers_per_s'], 1e-9):.2f}x; "
                  f"W=16 {m16['transfers_per_s']:.1f}/s vs best peer at its best window "
                  f"({bestw['server']} W={bestw['windowsize']}) {bestw['transfers_per_s']:.1f}/s = "
                  f"{m16['transfers_per_s'] / max(bestw['transfers_per_s'], 1e-9):.2f}x")
    for p in probes:
        per = (p["rss_during_kb"] - p["rss_before_kb"]) / max(p["stalled"], 1)
        print(f"- {p['server']} memory per active transfer: RSS {p['rss_before_kb']} KiB -> "
              f"{p['rss_during_kb']} KiB with {p['stalled']} transfers held open = {per:.2f} KiB per transfer")


if __name__ == "__main__":
    main(sys.argv[1])
