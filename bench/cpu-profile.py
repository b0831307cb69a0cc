#!/usr/bin/env python3
"""Where a traced portal spent its CPU: bench/cpu-profile.py TRACE.speedscope.json [--match REGEX] [--top N] [--callers REGEX]

Reads a speedscope file written by dotnet-trace's sampled thread time (see bench/README.md, PLATFORM_BENCH_TRACE) and
keeps only the time threads were running managed code (the CPU_TIME leaf), leaving out waits and idle threads. Prints
methods by inclusive share (and own share), or with --callers the call chains that lead to the matching method.
"""
import argparse
import collections
import json
import re

parser = argparse.ArgumentParser()
parser.add_argument("trace")
parser.add_argument("--match", default=None, help="only methods whose name matches")
parser.add_argument("--top", type=int, default=60)
parser.add_argument("--callers", default=None, help="the call chains (5 deep) into methods matching this")
args = parser.parse_args()

with open(args.trace, encoding="utf-8") as f:
    data = json.load(f)
frames = [frame["name"] for frame in data["shared"]["frames"]]
inclusive, own, chains = collections.Counter(), collections.Counter(), collections.Counter()
busy = 0.0
callers = re.compile(args.callers) if args.callers else None


def short(name):
    return re.sub(r"\(.*", "", name).split("!")[-1][-80:]


for profile in data["profiles"]:
    stack, last = [], None
    for event in profile["events"]:
        at = event["at"]
        if last is not None and len(stack) > 1 and frames[stack[-1]] == "CPU_TIME":
            spent = at - last
            busy += spent
            own[frames[stack[-2]]] += spent
            for frame in set(stack[:-1]):
                inclusive[frames[frame]] += spent
            if callers:
                names = [frames[i] for i in stack[:-1]]
                for i in range(len(names) - 1, -1, -1):
                    if callers.search(names[i]):
                        chains[" <- ".join(short(n) for n in names[max(0, i - 5):i + 1][::-1])] += spent
                        break
        last = at
        if event["type"] == "O":
            stack.append(event["frame"])
        elif stack:
            stack.pop()

print(f"on CPU: {busy / 1000:.1f} s of samples")
if callers:
    for chain, spent in chains.most_common(args.top):
        print(f"{100 * spent / busy:6.2f}%  {chain}")
else:
    match = re.compile(args.match) if args.match else None
    shown = 0
    for name, spent in inclusive.most_common():
        if match and not match.search(name):
            continue
        print(f"{100 * spent / busy:6.2f}% {100 * own[name] / busy:6.2f}%  {name[:160]}")
        shown += 1
        if shown >= args.top:
            break
