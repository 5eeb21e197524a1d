#!/usr/bin/python3
"""Checks for tests/integration/conformance/daemons.sh (Debian's python3 with
python3-prometheus-client). Each subcommand prints what is wrong and exits 1, or exits 0.

  help FILE            --help output (libs/common/src/flags.cpp's format): every flag has an
                       explanation and its FERRUM_<FLAG> variable; prints, as JSON, one flag of
                       each type to try bad values on and a near-miss of a real flag name.
  metrics FILE         /metrics body: strict text-format parse, TYPE and HELP on every family,
                       naming rules, the process metrics.
  logs FILE...         every line is a JSON object with time, level and msg.
  field FILE MSG NAME  the NAME field of the first log line whose msg is MSG (or nothing).
"""
import json
import re
import sys


def check_help(path):
    text = open(path, encoding="utf-8").read()
    problems = []
    if not text.startswith("Usage: "):
        problems.append("does not start with 'Usage: '")
    lines = text.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith("Flags"))
    except StopIteration:
        print("no 'Flags' section")
        return 1
    flags = []  # (name, hint, explanation words, env)
    for line in lines[start + 1:]:
        m = re.fullmatch(r"  --([a-z0-9][a-z0-9-]*)(?: (\S+))?", line)
        if m:
            flags.append({"name": m.group(1), "hint": m.group(2) or "", "words": [], "env": None})
            continue
        if not flags or not line.startswith("      "):
            problems.append(f"unexpected line in the flag list: {line!r}")
            continue
        d = re.fullmatch(r"      default: (.*)   env: (\S+)", line)
        if d:
            flags[-1]["env"] = d.group(2)
        else:
            flags[-1]["words"] += line.split()
    names = {f["name"] for f in flags}
    for f in flags:
        # Two words at least: a one-word "explanation" ("Port.") explains nothing.
        if len(f["words"]) < 2:
            problems.append(f"--{f['name']}: no explanation ({' '.join(f['words'])!r})")
        if f["name"] in ("help", "version"):
            continue
        want = "FERRUM_" + f["name"].upper().replace("-", "_")
        if f["env"] != want:
            problems.append(f"--{f['name']}: env {f['env']!r}, want {want}")
    for must in ("help", "version"):
        if must not in names:
            problems.append(f"--{must} not listed")
    if problems:
        print("\n".join(problems))
        return 1
    common = {"admin-listen", "log-format", "log-level", "shutdown-timeout", "help", "version"}
    own = [f for f in flags if f["name"] not in common] + [f for f in flags if f["name"] in common]
    picks = {}
    for f in own:
        kind = f["hint"] if f["hint"] in ("int", "duration", "bool") else (
            "choice" if "|" in f["hint"] else None)
        if kind and kind not in picks:
            picks[kind] = f["name"]
    # A near miss: the daemon's first own flag with its last letter dropped, unless that is
    # itself a flag.
    for f in own:
        miss = f["name"][:-1]
        if len(f["name"]) >= 5 and miss not in names:
            picks["near_miss"] = miss
            picks["near_miss_of"] = f["name"]
            break
    print(json.dumps(picks))
    return 0


def check_metrics(path):
    from prometheus_client.parser import text_string_to_metric_families

    text = open(path, encoding="utf-8").read()
    problems = []
    declared = {}  # family -> {"type":..., "help":...}
    for line in text.splitlines():
        m = re.match(r"# (TYPE|HELP) (\S+) ?(.*)", line)
        if m:
            declared.setdefault(m.group(2), {})[m.group(1)] = m.group(3)
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # the parser raises ValueError (and others) on malformed input
        print(f"does not parse: {e!r}")
        return 1
    seen = set()
    for fam in families:
        decl = declared.get(fam.name) or declared.get(fam.name + "_total") or {}
        if fam.type == "unknown" or "TYPE" not in decl:
            problems.append(f"{fam.name}: no # TYPE")
        if not decl.get("HELP"):
            problems.append(f"{fam.name}: no # HELP text")
        if fam.name in seen:
            problems.append(f"{fam.name}: family exposed twice")
        seen.add(fam.name)
        # Prometheus naming: `_total` is for counters only (promtool check metrics).
        if fam.type != "counter" and fam.name.endswith("_total"):
            problems.append(f"{fam.name}: a {fam.type} named _total (only counters end in _total)")
        for s in fam.samples:
            if s.value != s.value and fam.type != "gauge":  # NaN
                problems.append(f"{s.name}: NaN")
    # text_string_to_metric_families strips _total from counter family names.
    have = seen | {n + "_total" for n in seen}
    for want in ("process_cpu_seconds_total", "process_resident_memory_bytes",
                 "process_open_fds", "process_start_time_seconds"):
        if want not in have:
            problems.append(f"no {want}")
    if problems:
        print("\n".join(problems))
        return 1
    return 0


def check_logs(paths):
    problems = []
    count = 0
    for path in paths:
        for n, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
            line = line.rstrip("\n")
            count += 1
            try:
                obj = json.loads(line)
            except ValueError:
                problems.append(f"{path}:{n}: not JSON: {line[:200]}")
                continue
            if not isinstance(obj, dict):
                problems.append(f"{path}:{n}: not an object: {line[:200]}")
                continue
            for key in ("time", "level", "msg"):
                if not isinstance(obj.get(key), str) or not obj[key]:
                    problems.append(f"{path}:{n}: no {key}: {line[:200]}")
    if count == 0:
        problems.append("no log lines at all")
    if problems:
        print("\n".join(problems[:20]))
        return 1
    return 0


def log_field(path, msg, name):
    for line in open(path, encoding="utf-8", errors="replace"):
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("msg") == msg and name in obj:
            print(obj[name])
            return 0
    return 1


def main(argv):
    if argv[1] == "help":
        return check_help(argv[2])
    if argv[1] == "metrics":
        return check_metrics(argv[2])
    if argv[1] == "logs":
        return check_logs(argv[2:])
    if argv[1] == "field":
        return log_field(argv[2], argv[3], argv[4])
    print(f"unknown subcommand {argv[1]}")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
