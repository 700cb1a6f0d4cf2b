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

--styx-phases cuts a Styx run (steps `styx up`, `styx down`) into its consecutive phases:
  up:   start -> RunInstances | RunInstances | CreateTags (end of RunInstances to the last tag) |
        poll wait (to the next DescribeInstances) | DescribeInstances | exit
  down: list (the adopt DescribeInstances by tag, from the start) | -> TerminateInstances |
        TerminateInstances | poll wait | DescribeInstances | exit
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


def styx_phases(path):
    data = json.load(open(path))
    requests = data["requests"]
    up, down = data["steps"][:2]

    def within(step):
        return [r for r in requests if step["start"] <= r[0] < step["start"] + step["wall_seconds"]]

    def end(r):
        return r[0] + r[1]

    u = within(up)
    run = [r for r in u if r[2] == "RunInstances"][0]
    tags = [r for r in u if r[2] == "CreateTags"]
    tags_end = max(map(end, tags)) if tags else end(run)
    poll = [r for r in u if r[2] == "DescribeInstances" and r[0] > run[0]][0]
    print("== %s" % path)
    print("up   %6.2f s: start->RunInstances %.2f | RunInstances %.2f | CreateTags x%d %.2f | "
          "poll wait %.2f | DescribeInstances %.2f | exit %.2f" % (
              up["wall_seconds"], run[0] - up["start"], run[1], len(tags), tags_end - end(run),
              poll[0] - tags_end, poll[1], up["start"] + up["wall_seconds"] - end(poll)))
    d = within(down)
    listing = [r for r in d if r[2] == "DescribeInstances"][0]
    terms = [r for r in d if r[2] == "TerminateInstances"]
    first_term = min(r[0] for r in terms)
    terms_end = max(map(end, terms))
    poll = [r for r in d if r[2] == "DescribeInstances" and r[0] > terms_end][0]
    print("down %6.2f s: list (adopt) %.2f | ->TerminateInstances %.2f | TerminateInstances x%d "
          "%.2f | poll wait %.2f | DescribeInstances %.2f | exit %.2f" % (
              down["wall_seconds"], end(listing) - down["start"], first_term - end(listing),
              len(terms), terms_end - first_term, poll[0] - terms_end, poll[1],
              down["start"] + down["wall_seconds"] - end(poll)))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--styx-phases"]:
        for p in sys.argv[2:]:
            styx_phases(p)
    else:
        for p in sys.argv[1:]:
            report(p)
