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

print("\n## Heaviest functions, children included (inclusive time), top 30\n")
rows = []
for line in report("--children", "--sort", "symbol", "-g", "none", "--percent-limit", "2"):
    match = re.match(r"\s*([\d.]+%)\s+([\d.]+%)\s+\[[.k]\]\s+(.*)", line)
    if match:
        rows.append((match.group(1), match.group(2), match.group(3).strip()))
names = demangle([row[2] for row in rows[:30]])
for (children, self_time, _), name in zip(rows[:30], names):
    short = re.sub(r"\s+", " ", name)
    short = short if len(short) <= 140 else short[:137] + "..."
    print(f"{children:>8} {self_time:>7}  {short}")

print("\n## Heaviest functions by their own time (self), top 30\n")
rows = []
for line in report("--no-children", "--sort", "dso,symbol", "-g", "none", "--percent-limit", "0.5"):
    match = re.match(r"\s*([\d.]+%)\s+(\S+)\s+\[[.k]\]\s+(.*)", line)
    if match:
        rows.append((match.group(1), match.group(2), match.group(3).strip()))
names = demangle([row[2] for row in rows[:30]])
for (self_time, library, _), name in zip(rows[:30], names):
    short = re.sub(r"\s+", " ", name)
    short = short if len(short) <= 120 else short[:117] + "..."
    print(f"{self_time:>8}  {library[:24]:<24}  {short}")
