#!/usr/bin/env python3
"""Summarises one `perf record -g` of the server as text for bench/results/: where the CPU went by
library (kernel, Swift runtime, libc, SQLite, the server's own code), then the heaviest functions
of the server's own code with their children (inclusive), then the functions with the most
self time (where the CPU is actually spent), demangled and shortened.

Usage: bench/perf-summary.py perf.data TITLE > summary.txt
"""
import re
import subprocess
import sys

data, title = sys.argv[1], sys.argv[2]


def report(*args):
    out = subprocess.run(["perf", "report", "-i", data, "--stdio", *args], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.strip() and not line.startswith("#")]


def demangle(names):
    try:
        out = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(names), capture_output=True, text=True).stdout
        return out.splitlines()
    except OSError:
        return names


print(f"# perf: {title}")
print("\n## CPU by library (self time)\n")
for line in report("--no-children", "--sort", "dso", "-g", "none", "--percent-limit", "1"):
    parts = line.split()
    if len(parts) >= 2:
        print(f"{parts[0]:>8}  {' '.join(parts[1:])}")

def top_functions(args, pattern, width, line_of):
    """The first 30 rows of a `perf report` that match `pattern` (its last group is the symbol),
    demangled, each printed by `line_of(groups, shortened name)`."""
    rows = [m.groups() for m in (re.match(pattern, line) for line in report(*args)) if m]
    for groups, name in zip(rows[:30], demangle([row[-1].strip() for row in rows[:30]])):
        short = re.sub(r"\s+", " ", name)
        print(line_of(groups, short if len(short) <= width else short[: width - 3] + "..."))


print("\n## Heaviest functions, children included (inclusive time), top 30\n")
top_functions(("--children", "--sort", "symbol", "-g", "none", "--percent-limit", "2"),
              r"\s*([\d.]+%)\s+([\d.]+%)\s+\[[.k]\]\s+(.*)", 140,
              lambda groups, name: f"{groups[0]:>8} {groups[1]:>7}  {name}")

print("\n## Heaviest functions by their own time (self), top 30\n")
top_functions(("--no-children", "--sort", "dso,symbol", "-g", "none", "--percent-limit", "0.5"),
              r"\s*([\d.]+%)\s+(\S+)\s+\[[.k]\]\s+(.*)", 120,
              lambda groups, name: f"{groups[0]:>8}  {groups[1][:24]:<24}  {name}")
