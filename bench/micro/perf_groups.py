#!/usr/bin/env python3
"""Groups a flat perf profile of a Styx benchmark by where the time goes.

    perf record -e cpu-clock -F 999 -o prof.data ./styx_micro_lifecycle --benchmark_filter=/100000/
    perf report -i prof.data --no-children --sort dso,sym --stdio | python3 perf_groups.py

Groups: CAF's pending-response flat map (the two loops of Debian's libcaf_core 0.17.6 that
search and erase it; their addresses are this build's), the rest of CAF (mailboxes, scheduler,
messages), glibc's allocator, the rest of libc, the kernel, libstdc++, and Styx's own code by
source file (by the names in each symbol).
"""
import re
import sys
from collections import defaultdict

# libcaf_core.so.0.17.6 (Debian 12): unordered_flat_map<message_id, behavior> of
# scheduled_actor::multiplexed_responses_, erase (vector shift, inlined in categorize) and find.
CAF_FLAT_MAP = [(0x1B84B0, 0x1B84E4), (0x1B26C8, 0x1B26F4)]

ALLOC = re.compile(r"malloc|free|consolidate|unlink_chunk|_int_|realloc|calloc|tcache|sysmalloc")

# First match wins: the most specific names first.
OURS = [
    ("providers/sim (the simulated cloud)", r"sim_cloud|sim_api"),
    ("actors/provider.cpp", r"provider_behavior|provider_state|watch_entry|\bpoll\b|"
                            r"GLOBAL__N_14poll|pump|on_described|flush_batch|collect_due|"
                            r"on_done|send_call|waiter|GLOBAL__N_15watch|outgoing"),
    ("actors/supervisor.cpp", r"supervisor|tracked|on_changed|spawn_one|change_selected|"
                              r"start_request|request_entry"),
    ("actors/instance.cpp", r"instance_behavior|instance_data|request_change|transition|"
                            r"observe|on_created"),
    ("runtime/engine.cpp (event hub, bridge)", r"event_hub|bridge|request_handle"),
    ("messages (records, tag maps, message copies)",
     r"instance_record|cloud_instance|_Rb_tree<std::__cxx11::basic_string|tuple_vals|"
     r"make_message|mailbox_element_vals|instance_update|create_instance|launch_spec"),
    ("common (uuid, clocks)", r"uuid|clock_adapter|wall_ms"),
]

line_re = re.compile(r"^\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*)$")


def group_of(dso, sym):
    if dso.startswith("libcaf_core"):
        if sym.startswith("0x"):
            addr = int(sym, 16)
            if any(lo <= addr <= hi for lo, hi in CAF_FLAT_MAP):
                return "CAF: pending-response flat map (find + erase)"
        return "CAF: mailbox, scheduler, messages"
    if dso.startswith("libcaf"):
        return "CAF: other libraries"
    if dso.startswith("libc.so"):
        return "libc: malloc/free" if ALLOC.search(sym) else "libc: memmove, memcmp, other"
    if dso.startswith("[kernel"):
        return "kernel (wake-ups, page faults)"
    if dso.startswith("libstdc++"):
        return "libstdc++ (strings, hashing, dynamic_cast)"
    if dso.startswith("styx") or dso.startswith("test_"):
        for name, pattern in OURS:
            if re.search(pattern, sym):
                return "styx: " + name
        return "styx: other"
    return "other: " + dso


def main():
    totals = defaultdict(float)
    for line in sys.stdin:
        m = line_re.match(line)
        if not m:
            continue
        pct, dso, _, sym = m.groups()
        totals[group_of(dso, sym.strip())] += float(pct)
    for name, pct in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"{pct:6.2f}%  {name}")


if __name__ == "__main__":
    main()
