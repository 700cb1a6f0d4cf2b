#!/usr/bin/env python3
"""Peers side by side on one moto server: boto3, libcloud and Styx each provision and then
terminate N instances (bench/peers/README.md).

  python3 bench/peers/run_peers.py [--count 1000] [--rounds 3] [--styx build-peers/styx]
                                   [--peers boto3,libcloud,styx] [--json]

Starts ONE moto server (moto_stats_server.py: moto_server plus a per-Action account) on a free
loopback port and, for each round, runs the peers one after another. Before each run moto is
reset (POST /moto-api/reset) and warmed up (one DescribeInstances, which builds the EC2
backend), so every peer starts from an empty, warm moto. Each run is one or more child
processes; the runner measures each child's wall time (monotonic, spawn to exit) and its CPU
time (os.wait4's rusage: user + sys of that process and its threads):
  boto3     python3 boto3_fanout.py     (the image's python3: boto3 and moto live there)
  libcloud  /usr/bin/python3 libcloud_fanout.py   (Debian's python3-libcloud; installed with
            apt-get when missing, with sudo when not root)
  styx      styx up --provider aws --region us-east-1 --count N, then styx down --all (waits
            until all are terminated), with a fresh --state-dir, dummy credentials and
            AWS_ENDPOINT_URL_EC2 pointing at moto; the figures are the sum of both processes.
After each run the runner checks on moto that exactly N instances exist and all are terminated,
and records the API calls moto answered by Action, the seconds moto spent in them and moto's
own CPU time (--timelines DIR: every request's start, duration and Action, per run), per step
too (so Styx's up and down each have their API calls per instance). Each round ends with the
floor (unless --no-floor): on the same moto, one bare RunInstances of N (Styx's two ownership
tags in TagSpecifications) and one bare TerminateInstances of the N ids, raw signed-less HTTP
timed on the client, no parsing. Prints a table of medians over the rounds and the ratios
Styx/boto3 and Styx/libcloud against the targets of issue #10 (Styx <= 0.25x boto3's wall time,
<= 0.05x its client CPU, `styx down` <= 3x the bare TerminateInstances); --json prints every
run as well.
"""

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LIBCLOUD_PYTHON = "/usr/bin/python3"
TARGET_WALL = 0.25
TARGET_CPU = 0.05
TARGET_DOWN = 3.0  # styx down against one bare TerminateInstances of N


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url, data=None, headers=None, timeout=30):
    req = urllib.request.Request(url, data=data, headers=headers or {},
                                 method="POST" if data is not None else "GET")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


class moto:
    """One moto_stats_server.py child on a free loopback port."""

    def __init__(self, log_path):
        self.port = free_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "moto_stats_server.py"), "-p", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.stats()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_stats_server did not start (see %s)" % log_path)
                time.sleep(0.2)

    def ec2(self, body):
        # moto routes by the Authorization header's credential scope (service ec2).
        auth = ("AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, "
                "SignedHeaders=host, Signature=0")
        return http(self.endpoint + "/", data=body.encode(),
                    headers={"Authorization": auth,
                             "Content-Type": "application/x-www-form-urlencoded"})

    def reset(self):
        http(self.endpoint + "/moto-api/reset", data=b"")
        self.ec2("Action=DescribeInstances&Version=2016-11-15")  # builds the EC2 backend
        http(self.endpoint + "/_peers/reset", data=b"")

    def stats(self):
        return json.loads(http(self.endpoint + "/_peers/stats"))

    def timeline(self):
        return json.loads(http(self.endpoint + "/_peers/timeline"))

    def instance_states(self):
        """state name -> count of every instance moto holds (DescribeInstances, all pages)."""
        import boto3  # the image's python3 has it
        client = boto3.client("ec2", endpoint_url=self.endpoint, region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        states = {}
        for page in client.get_paginator("describe_instances").paginate():
            for reservation in page["Reservations"]:
                for inst in reservation["Instances"]:
                    name = inst["State"]["Name"]
                    states[name] = states.get(name, 0) + 1
        return states

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def run_child(argv, env, out):
    """Runs argv; returns (wall seconds, cpu seconds, exit status, stdout text)."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=out)
    text = proc.stdout.read().decode("utf-8", "replace")
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, proc.returncode, text


def ensure_libcloud():
    """Installs Debian's python3-libcloud when /usr/bin/python3 cannot import libcloud."""
    probe = [LIBCLOUD_PYTHON, "-c", "import libcloud; print(libcloud.__version__)"]
    done = subprocess.run(probe, capture_output=True, text=True)
    if done.returncode == 0:
        return done.stdout.strip(), False
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("run_peers: installing python3-libcloud with apt-get", file=sys.stderr)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "install", "-y", "python3-libcloud"], check=True, env=env,
                   stdout=sys.stderr)
    done = subprocess.run(probe, capture_output=True, text=True, check=True)
    return done.stdout.strip(), True


def find_styx(given):
    if given:
        return os.path.abspath(given)
    for d in ("build-peers", "build"):
        path = os.path.join(REPO, d, "styx")
        if os.access(path, os.X_OK):
            return path
    found = shutil.which("styx")
    if not found:
        sys.exit("run_peers: no styx binary; build it or pass --styx")
    return found


def peer_env(endpoint):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k != "STYX_STATE_DIR"}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
               AWS_ENDPOINT_URL_EC2=endpoint, AWS_ENDPOINT_URL=endpoint,
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    return env


def run_peer(name, args, server, styx, log):
    env = peer_env(server.endpoint)
    count = str(args.count)
    if name == "boto3":
        steps = [[sys.executable, os.path.join(HERE, "boto3_fanout.py"), "--endpoint",
                  server.endpoint, "--count", count, "--threads", str(args.threads),
                  "--terminate-batch", str(args.boto3_terminate_batch)]]
    elif name == "libcloud":
        steps = [[LIBCLOUD_PYTHON, os.path.join(HERE, "libcloud_fanout.py"), "--endpoint",
                  server.endpoint, "--count", count, "--threads", str(args.threads)]]
    else:
        state = tempfile.mkdtemp(prefix="styx-peers-")
        prefix = args.styx_prefix.split() if args.styx_prefix else []
        steps = [prefix + [styx, "--state-dir", state, "up", "--provider", "aws", "--region",
                           "us-east-1", "--count", count],
                 prefix + [styx, "--state-dir", state, "down", "--all"]]

    server.reset()
    epoch = time.monotonic()
    before = server.stats()["cpu_seconds"]
    result = {"peer": name, "wall_seconds": 0.0, "cpu_seconds": 0.0, "steps": []}
    for argv in steps:
        log.write("$ %s\n" % " ".join(argv))
        log.flush()
        began = time.monotonic() - epoch
        calls_before = server.stats()["actions"]
        wall, cpu, rc, text = run_child(argv, env, log)
        log.write(text[-4000:] + "\n")
        log.flush()
        step = {"argv": argv, "start": round(began, 3), "wall_seconds": round(wall, 3),
                "cpu_seconds": round(cpu, 3), "exit": rc,
                "moto_actions": action_diff(calls_before, server.stats()["actions"])}
        if name != "styx" and text.strip():
            step["self_report"] = json.loads(text.strip().splitlines()[-1])
        result["steps"].append(step)
        result["wall_seconds"] += wall
        result["cpu_seconds"] += cpu
        if rc != 0:
            result["error"] = "%s exited with %d (see the log)" % (os.path.basename(argv[0]), rc)
            break
    stats = server.stats()
    result["wall_seconds"] = round(result["wall_seconds"], 3)
    result["cpu_seconds"] = round(result["cpu_seconds"], 3)
    result["moto_cpu_seconds"] = round(stats["cpu_seconds"] - before, 3)
    result["tcp_connections"] = stats["connections"]
    result["moto_actions"] = {k: {"count": v["count"], "seconds": round(v["seconds"], 3)}
                              for k, v in sorted(stats["actions"].items())}
    timeline = server.timeline() if args.timelines else None
    result["instances_on_moto"] = server.instance_states()
    if args.timelines:
        os.makedirs(args.timelines, exist_ok=True)
        path = os.path.join(args.timelines, "%s-%d.json" % (name, int(time.time())))
        with open(path, "w") as f:
            json.dump({"steps": result["steps"], "requests": timeline}, f)
        result["timeline_file"] = path
    if name == "styx":
        shutil.rmtree(state, ignore_errors=True)
    return result


def action_diff(before, after):
    """Action -> calls made between two /_peers/stats answers."""
    out = {}
    for k, v in after.items():
        n = v["count"] - before.get(k, {}).get("count", 0)
        if n:
            out[k] = n
    return dict(sorted(out.items()))


def run_floor(server, count):
    """One bare RunInstances of `count` (Styx's two ownership tags inline, a ClientToken) and
    one bare TerminateInstances of its ids, each timed on the client (raw HTTP, no parsing)."""
    server.reset()
    body = ["Action=RunInstances", "Version=2016-11-15", "ImageId=ami-760aaa0f",
            "InstanceType=t3.micro", "MinCount=%d" % count, "MaxCount=%d" % count,
            "ClientToken=floor-%d" % time.time_ns(),
            "TagSpecification.1.ResourceType=instance",
            "TagSpecification.1.Tag.1.Key=styx%3Aengine", "TagSpecification.1.Tag.1.Value=floor",
            "TagSpecification.1.Tag.2.Key=styx%3Arequest",
            "TagSpecification.1.Tag.2.Value=floor-request"]
    start = time.perf_counter()
    reply = server.ec2("&".join(body)).decode()
    run_s = time.perf_counter() - start
    ids = re.findall(r"<instanceId>(i-[0-9a-f]+)</instanceId>", reply)
    if len(ids) != count:
        raise RuntimeError("floor: RunInstances made %d instances, not %d" % (len(ids), count))
    body = ["Action=TerminateInstances", "Version=2016-11-15"] + [
        "InstanceId.%d=%s" % (k + 1, i) for k, i in enumerate(ids)]
    start = time.perf_counter()
    server.ec2("&".join(body))
    terminate_s = time.perf_counter() - start
    return {"peer": "floor", "run_instances_seconds": round(run_s, 3),
            "terminate_instances_seconds": round(terminate_s, 3)}


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def ratio(a, b):
    return a / b if b else float("nan")


def summarize(results, peers):
    summary = {}
    for name in peers:
        runs = [r for r in results if r["peer"] == name and "error" not in r]
        if runs:
            summary[name] = {"runs": len(runs), "wall_seconds": median(runs, "wall_seconds"),
                             "cpu_seconds": median(runs, "cpu_seconds"),
                             "moto_cpu_seconds": median(runs, "moto_cpu_seconds"),
                             "api_calls": runs[len(runs) // 2]["moto_actions"]}
    # Styx's two processes on their own, and the floor under them.
    styx_runs = [r for r in results if r["peer"] == "styx" and "error" not in r]
    floors = [r for r in results if r["peer"] == "floor"]
    if styx_runs:
        for k, name in enumerate(("up", "down")):
            steps = [r["steps"][k] for r in styx_runs]
            calls = steps[len(steps) // 2]["moto_actions"]
            summary["styx " + name] = {
                "wall_seconds": statistics.median(st["wall_seconds"] for st in steps),
                "cpu_seconds": statistics.median(st["cpu_seconds"] for st in steps),
                "api_calls": calls,
                "calls_per_instance": round(sum(calls.values()) / args_count(results), 4)}
    if floors:
        summary["floor"] = {k: statistics.median(f[k] for f in floors)
                            for k in ("run_instances_seconds", "terminate_instances_seconds")}
    # Ratios of the medians, and the median of each round's own ratio (the runs of one round
    # are minutes apart, so the latter is less exposed to a shared machine's drifting load).
    ratios = {}
    if "styx" in summary:
        for peer in ("boto3", "libcloud"):
            if peer not in summary:
                continue
            paired = {"wall": [], "cpu": []}
            for rnd in sorted({r["round"] for r in results}):
                mine = [r for r in results if r["round"] == rnd and "error" not in r]
                s = [r for r in mine if r["peer"] == "styx"]
                p = [r for r in mine if r["peer"] == peer]
                if s and p:
                    paired["wall"].append(ratio(s[0]["wall_seconds"], p[0]["wall_seconds"]))
                    paired["cpu"].append(ratio(s[0]["cpu_seconds"], p[0]["cpu_seconds"]))
            ratios["styx/" + peer] = {
                "wall": round(ratio(summary["styx"]["wall_seconds"],
                                    summary[peer]["wall_seconds"]), 3),
                "cpu": round(ratio(summary["styx"]["cpu_seconds"],
                                   summary[peer]["cpu_seconds"]), 3),
                "wall_per_round": [round(x, 3) for x in paired["wall"]],
                "cpu_per_round": [round(x, 3) for x in paired["cpu"]]}
    if styx_runs and floors:
        per_round = {"up": [], "down": []}
        for rnd in sorted({r["round"] for r in results}):
            s = [r for r in styx_runs if r["round"] == rnd]
            f = [r for r in floors if r["round"] == rnd]
            if s and f:
                per_round["up"].append(ratio(s[0]["steps"][0]["wall_seconds"],
                                             f[0]["run_instances_seconds"]))
                per_round["down"].append(ratio(s[0]["steps"][1]["wall_seconds"],
                                               f[0]["terminate_instances_seconds"]))
        ratios["styx up/RunInstances"] = {
            "wall": round(ratio(summary["styx up"]["wall_seconds"],
                                summary["floor"]["run_instances_seconds"]), 3),
            "wall_per_round": [round(x, 3) for x in per_round["up"]]}
        ratios["styx down/TerminateInstances"] = {
            "wall": round(ratio(summary["styx down"]["wall_seconds"],
                                summary["floor"]["terminate_instances_seconds"]), 3),
            "wall_per_round": [round(x, 3) for x in per_round["down"]]}
    return summary, ratios


def args_count(results):
    return max(1, results[0]["count"]) if results else 1


def print_table(args, summary, ratios, meta):
    print("peers on one moto server: %d instances provisioned then terminated, median of %d "
          "round(s)" % (args.count, args.rounds))
    print("machine: %d cores, load average %.2f before / %.2f after (shared machine)"
          % (os.cpu_count(), meta["load_before"], meta["load_after"]))
    print()
    print("%-9s %9s %12s %10s  %s" % ("peer", "wall s", "client CPU s", "moto CPU s",
                                       "API calls (moto's count)"))
    for name, s in summary.items():
        if name.startswith("styx ") or name == "floor":
            continue
        calls = ", ".join("%s %d" % (k, v["count"]) for k, v in s["api_calls"].items())
        print("%-9s %9.2f %12.2f %10.2f  %s" % (name, s["wall_seconds"], s["cpu_seconds"],
                                               s["moto_cpu_seconds"], calls))
    for name in ("styx up", "styx down"):
        if name in summary:
            s = summary[name]
            calls = ", ".join("%s %d" % kv for kv in s["api_calls"].items())
            print("  %-10s wall %6.2f s, client CPU %5.2f s, %.4f API calls per instance (%s)"
                  % (name, s["wall_seconds"], s["cpu_seconds"], s["calls_per_instance"], calls))
    if "floor" in summary:
        f = summary["floor"]
        print("  floor      one bare RunInstances of %d %.2f s, one bare TerminateInstances of "
              "%d %.2f s" % (args.count, f["run_instances_seconds"], args.count,
                             f["terminate_instances_seconds"]))
    print()
    for key, r in ratios.items():
        if "cpu" not in r:
            line = "%-29s wall %.3fx" % (key, r["wall"])
        else:
            line = "%-29s wall %.3fx  client CPU %.3fx" % (key, r["wall"], r["cpu"])
        if len(r["wall_per_round"]) > 1:
            line += "  (per round: wall %s" % " ".join("%.2f" % x for x in r["wall_per_round"])
            if "cpu" in r:
                line += ", CPU %s" % " ".join("%.3f" % x for x in r["cpu_per_round"])
            line += ")"
        if key == "styx/boto3":
            line += "   (targets: wall <= %.2fx %s, CPU <= %.2fx %s)" % (
                TARGET_WALL, "met" if r["wall"] <= TARGET_WALL else "MISSED",
                TARGET_CPU, "met" if r["cpu"] <= TARGET_CPU else "MISSED")
        if key == "styx down/TerminateInstances":
            line += "   (target: <= %.0fx %s)" % (
                TARGET_DOWN, "met" if r["wall"] <= TARGET_DOWN else "MISSED")
        print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--threads", type=int, default=16, help="boto3/libcloud pool size")
    parser.add_argument("--boto3-terminate-batch", type=int, default=1,
                        help="ids per TerminateInstances in boto3_fanout.py (default 1)")
    parser.add_argument("--peers", default="boto3,libcloud,styx")
    parser.add_argument("--styx", help="styx binary (default: build-peers/styx, build/styx)")
    parser.add_argument("--styx-prefix", help="command to run styx under, e.g. 'perf record -g'")
    parser.add_argument("--log", default=os.path.join(tempfile.gettempdir(), "styx-peers.log"))
    parser.add_argument("--timelines", metavar="DIR",
                        help="write every run's moto request timeline (start, seconds, Action) here")
    parser.add_argument("--no-floor", action="store_true",
                        help="skip the bare RunInstances/TerminateInstances at each round's end")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args()
    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = set(peers) - {"boto3", "libcloud", "styx"}
    if unknown:
        sys.exit("run_peers: unknown peer(s) %s" % ", ".join(sorted(unknown)))

    meta = {"count": args.count, "rounds": args.rounds, "threads": args.threads,
            "cores": os.cpu_count(), "load_before": os.getloadavg()[0]}
    styx = find_styx(args.styx) if "styx" in peers else None
    if "libcloud" in peers:
        meta["libcloud"], meta["libcloud_installed_now"] = ensure_libcloud()
    meta["styx"] = styx
    results = []
    with open(args.log, "w") as log:
        server = moto(args.log + ".moto")
        meta["moto_endpoint"] = server.endpoint
        try:
            for rnd in range(args.rounds):
                for name in peers:
                    r = run_peer(name, args, server, styx, log)
                    r["round"] = rnd + 1
                    r["count"] = args.count
                    results.append(r)
                    print("round %d %-8s wall %7.2f s  cpu %6.2f s  moto cpu %6.2f s%s"
                          % (rnd + 1, name, r["wall_seconds"], r["cpu_seconds"],
                             r["moto_cpu_seconds"],
                             "  ERROR: " + r["error"] if "error" in r else ""),
                          file=sys.stderr, flush=True)
                if not args.no_floor:
                    f = run_floor(server, args.count)
                    f["round"] = rnd + 1
                    f["count"] = args.count
                    results.append(f)
                    print("round %d floor    RunInstances %.2f s  TerminateInstances %.2f s"
                          % (rnd + 1, f["run_instances_seconds"],
                             f["terminate_instances_seconds"]), file=sys.stderr, flush=True)
        finally:
            server.stop()
    meta["load_after"] = os.getloadavg()[0]
    summary, ratios = summarize(results, peers)
    if args.json:
        print(json.dumps({"meta": meta, "median": summary, "ratios": ratios, "runs": results},
                         indent=1))
    else:
        print_table(args, summary, ratios, meta)
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
