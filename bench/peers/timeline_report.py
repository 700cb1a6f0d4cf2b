#!/usr/bin/env python3
"""Where a peer's wall time went, from a timeline run_peers.py --timelines DIR wrote.

  python3 bench/peers/timeline_report.py DIR/styx-*.json [...]
  python3 bench/peers/timeline_report.py --styx-phases DIR/styx-*.json

For each process step (styx up, styx down; the one script for boto3/libcloud) it prints the
step's wall time, then per Action in order of first use: calls, first start and last end
(seconds after the step started), the seconds of the step during which at least one call of
that Action was on moto ("busy"), mean and max seconds per call, and finally the seconds of the
step with no request on moto at all ("idle": the client's own work, its sleeps and its
start-up/shutdown).

--styx-phases cuts a Styx run (steps `styx up`, `styx down`) into its consecutive phases around
each step's main call (RunInstances, TerminateInstances): start-up (to the first request) |
the calls before the main one (catalog, reconcile list) | the main call(s) | calls alongside
them (e.g. a listing) | the wait for the first poll | the poll rounds (DescribeInstanceStatus) |
exit (last answer to the process's end).
"""

import json
import sys


def union_length(intervals):
    total, end = 0.0, None
    for a, b in sorted(intervals):
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def report(path):
    data = json.load(open(path))
    requests = data["requests"]
    print("==", path)
    for step in data["steps"]:
        t0, t1 = step["start"], step["start"] + step["wall_seconds"]
        mine = [r for r in requests if t0 <= r[0] < t1]
        print("step: %s" % " ".join(step["argv"][-6:]))
        print("  wall %.2f s, client CPU %.2f s, %d requests" % (step["wall_seconds"],
                                                              step["cpu_seconds"], len(mine)))
        order = []
        for r in mine:
            if r[2] not in order:
                order.append(r[2])
        print("  %-26s %6s %8s %8s %8s %9s %8s" % ("action", "calls", "first", "last end",
                                                "busy s", "mean s", "max s"))
        for action in order:
            rs = [r for r in mine if r[2] == action]
            spans = [(r[0], r[0] + r[1]) for r in rs]
            print("  %-26s %6d %8.2f %8.2f %8.2f %9.4f %8.3f" % (
                action, len(rs), min(a for a, _ in spans) - t0, max(b for _, b in spans) - t0,
                union_length(spans), sum(r[1] for r in rs) / len(rs), max(r[1] for r in rs)))
        busy = union_length([(r[0], r[0] + r[1]) for r in mine])
        print("  idle (no request on moto): %.2f s of %.2f s" % (step["wall_seconds"] - busy,
                                                                step["wall_seconds"]))


def styx_step_phases(name, step, requests, main_action):
    """One Styx process cut into consecutive phases around its main call (`main_action`)."""
    t0, t1 = step["start"], step["start"] + step["wall_seconds"]
    mine = sorted((r for r in requests if t0 <= r[0] < t1), key=lambda r: r[0])

    def end(r):
        return r[0] + r[1]

    main = [r for r in mine if r[2] == main_action]
    if not mine or not main:
        print("%-4s %6.2f s: no %s in this step" % (name, step["wall_seconds"], main_action))
        return
    main_start, main_end = min(r[0] for r in main), max(map(end, main))
    before = [r for r in mine if r[0] < main_start]
    polls = [r for r in mine if r[0] >= main_end
             and r[2] in ("DescribeInstanceStatus", "DescribeInstances")]
    during = [r for r in mine if r not in main and r not in before and r not in polls]
    rounds, last_end = 0, None
    for r in polls:  # a round: calls that start before the previous ones all ended
        if last_end is None or r[0] > last_end:
            rounds += 1
        last_end = end(r) if last_end is None else max(last_end, end(r))
    parts = ["start-up %.2f" % (mine[0][0] - t0)]
    if before:
        names = sorted({r[2] for r in before})
        parts.append("before %s (%s, %d calls) %.2f" % (main_action, " ".join(names),
                                                         len(before), main_start - mine[0][0]))
    parts.append("%s x%d %.2f" % (main_action, len(main), main_end - main_start))
    if during:
        parts.append("alongside: %s" % ", ".join("%s %.2f" % (r[2], r[1]) for r in during))
    if polls:
        parts.append("wait for the first poll %.2f" % (polls[0][0] - main_end))
        parts.append("%s x%d in %d round(s) %.2f" % (polls[0][2], len(polls), rounds,
                                                     max(map(end, polls)) - polls[0][0]))
    parts.append("exit %.2f" % (t1 - max(map(end, mine))))
    print("%-4s %6.2f s: %s" % (name, step["wall_seconds"], " | ".join(parts)))


def styx_phases(path):
    data = json.load(open(path))
    up, down = data["steps"][:2]
    print("== %s" % path)
    styx_step_phases("up", up, data["requests"], "RunInstances")
    styx_step_phases("down", down, data["requests"], "TerminateInstances")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--styx-phases"]:
        for p in sys.argv[2:]:
            styx_phases(p)
    else:
        for p in sys.argv[1:]:
            report(p)
