#!/usr/bin/env python3
"""What moto itself spends per EC2 call shape at N instances: the floor under every peer.

  python3 bench/peers/moto_costs.py [--count 1000] [--repeat 3] [--json]

Starts its own moto server (moto_stats_server.py) on a free loopback port and, one call at a
time (nothing concurrent, so no GIL queueing), times on the client the call shapes the peers and
Styx use, on a fresh moto each round. Prints the median seconds per call over --repeat rounds.
Shapes (N = --count):
  RunInstances N (no tags)                 one call of N, what Styx sends
  RunInstances N (3 tags, TagSpecifications)  one call of N with Styx's ownership tags inline
  RunInstances 1, xN (serial)              boto3/libcloud's shape, per call
  CreateTags 1 id (serial)                 Styx's per-instance tag call, per call
  DescribeInstances N ids                  Styx's and boto3's poll (boto3 over pages)
  DescribeInstances tag filter             Styx's list (adopt/reconcile) by its ownership tag
  DescribeInstanceStatus N ids, IncludeAllInstances   a state-only poll
  TerminateInstances N ids                 one call of N
  DescribeInstanceStatus N ids (terminated), and 100 ids per call   Styx's poll after it
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_peers  # noqa: E402  (the moto server wrapper)

import boto3  # noqa: E402


def timed(f):
    start = time.perf_counter()
    result = f()
    return time.perf_counter() - start, result


def one_round(server, n):
    c = boto3.client("ec2", endpoint_url=server.endpoint, region_name="us-east-1",
                     aws_access_key_id="testing", aws_secret_access_key="testing")
    image = "ami-760aaa0f"
    out = {}
    server.reset()
    out["RunInstances %d (no tags)" % n], _ = timed(
        lambda: c.run_instances(ImageId=image, MinCount=n, MaxCount=n))

    server.reset()
    engine, request = str(uuid.uuid4()), str(uuid.uuid4())
    spec = [{"ResourceType": "instance",
             "Tags": [{"Key": "styx:engine", "Value": engine},
                      {"Key": "styx:request", "Value": request},
                      {"Key": "styx:batch", "Value": str(uuid.uuid4())}]}]
    out["RunInstances %d (3 tags, TagSpecifications)" % n], reply = timed(
        lambda: c.run_instances(ImageId=image, MinCount=n, MaxCount=n, TagSpecifications=spec))
    ids = [i["InstanceId"] for i in reply["Instances"]]

    sample = ids[: min(200, n)]
    total, _ = timed(lambda: [c.create_tags(Resources=[i], Tags=[
        {"Key": "styx:instance", "Value": str(uuid.uuid4())}]) for i in sample])
    out["CreateTags 1 id (serial, per call)"] = total / len(sample)

    out["DescribeInstances %d ids" % n], _ = timed(lambda: c.describe_instances(InstanceIds=ids))
    live = ["pending", "running", "stopping", "stopped", "shutting-down"]
    out["DescribeInstances tag filter (list)"], _ = timed(lambda: c.describe_instances(
        Filters=[{"Name": "tag:styx:request", "Values": [request]},
                 {"Name": "instance-state-name", "Values": live}], MaxResults=1000))
    out["DescribeInstanceStatus %d ids, IncludeAllInstances" % n], _ = timed(
        lambda: c.describe_instance_status(InstanceIds=ids, IncludeAllInstances=True))
    out["TerminateInstances %d ids" % n], _ = timed(lambda: c.terminate_instances(InstanceIds=ids))
    out["DescribeInstanceStatus %d ids (terminated)" % n], _ = timed(
        lambda: c.describe_instance_status(InstanceIds=ids, IncludeAllInstances=True))
    # What Styx sends: EC2 takes at most 100 ids per DescribeInstanceStatus.
    out["DescribeInstanceStatus 100 ids x%d (terminated), all" % ((n + 99) // 100)], _ = timed(
        lambda: [c.describe_instance_status(InstanceIds=ids[k:k + 100], IncludeAllInstances=True)
                 for k in range(0, n, 100)])

    server.reset()
    k = min(200, n)
    total, _ = timed(lambda: [c.run_instances(ImageId=image, MinCount=1, MaxCount=1)
                              for _ in range(k)])
    out["RunInstances 1 (serial, per call)"] = total / k
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    server = run_peers.moto(os.path.join(tempfile.gettempdir(), "styx-moto-costs.log"))
    rounds = []
    try:
        for _ in range(args.repeat):
            rounds.append(one_round(server, args.count))
    finally:
        server.stop()
    medians = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    if args.json:
        print(json.dumps({"count": args.count, "repeat": args.repeat, "median_seconds": medians,
                          "rounds": rounds}, indent=1))
        return
    print("moto's time per call, one call at a time, median of %d round(s), %d cores, load %.2f"
          % (args.repeat, os.cpu_count(), os.getloadavg()[0]))
    for k, v in medians.items():
        print("  %-52s %8.4f s" % (k, v))


if __name__ == "__main__":
    main()
