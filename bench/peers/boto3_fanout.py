#!/usr/bin/env python3
"""What a user writes by hand with boto3: a thread pool, one instance per RunInstances call.

  boto3_fanout.py --endpoint http://127.0.0.1:PORT [--count 1000] [--threads 16] [--poll 1.0]
                  [--terminate-batch 1]

1. `count` RunInstances calls (MinCount = MaxCount = 1, a Name tag in TagSpecifications), on a
   concurrent.futures pool of `threads` threads sharing one client (max_pool_connections =
   threads);
2. DescribeInstances by ids (at most 1000 per call, NextToken followed) every `poll` seconds
   until all are running;
3. TerminateInstances on the same pool, `terminate-batch` ids per call (default 1: the same
   one-per-call pattern as the creates);
4. DescribeInstances until all are terminated.

Prints one JSON line: wall time of 1-4 (after imports and client setup), this process's CPU
time (getrusage RUSAGE_SELF, user + sys, imports included), the time of each phase and the
API calls made, by Action. Needs boto3 (the image's default python3). Credentials: the
environment's, else dummy ones (moto accepts any).
"""

import argparse
import concurrent.futures
import json
import os
import sys
import time

import boto3
from botocore.config import Config

from peer_common import call_counter, chunks, cpu_seconds


def wait_for_state(client, ids, state, poll, calls):
    """DescribeInstances (<= 1000 ids a call) until every id is in `state`."""
    pending = set(ids)
    paginator = client.get_paginator("describe_instances")
    while True:
        for part in chunks(sorted(pending), 1000):
            # moto pages by reservation (100 a page) even when given ids: follow NextToken.
            for page in paginator.paginate(InstanceIds=part):
                calls.add("DescribeInstances")
                for reservation in page["Reservations"]:
                    for inst in reservation["Instances"]:
                        if inst["State"]["Name"] == state:
                            pending.discard(inst["InstanceId"])
        if not pending:
            return
        time.sleep(poll)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL_EC2")
                        or os.environ.get("AWS_ENDPOINT_URL"))
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between describes")
    parser.add_argument("--terminate-batch", type=int, default=1)
    parser.add_argument("--image", default="ami-760aaa0f")
    parser.add_argument("--instance-type", default="t2.micro")
    args = parser.parse_args()
    if not args.endpoint:
        sys.exit("boto3_fanout: give --endpoint (or set AWS_ENDPOINT_URL_EC2)")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

    client = boto3.client("ec2", endpoint_url=args.endpoint, region_name=args.region,
                          config=Config(max_pool_connections=args.threads))
    calls = call_counter()

    def create(i):
        calls.add("RunInstances")
        reply = client.run_instances(
            ImageId=args.image, InstanceType=args.instance_type, MinCount=1, MaxCount=1,
            TagSpecifications=[{"ResourceType": "instance",
                                "Tags": [{"Key": "Name", "Value": "boto3-%d" % i}]}])
        return reply["Instances"][0]["InstanceId"]

    def terminate(part):
        calls.add("TerminateInstances")
        client.terminate_instances(InstanceIds=part)

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as pool:
        ids = list(pool.map(create, range(args.count)))
        created = time.monotonic()
        wait_for_state(client, ids, "running", args.poll, calls)
        running = time.monotonic()
        list(pool.map(terminate, chunks(ids, args.terminate_batch)))
        terminating = time.monotonic()
        wait_for_state(client, ids, "terminated", args.poll, calls)
    end = time.monotonic()

    print(json.dumps({
        "peer": "boto3", "count": args.count, "threads": args.threads,
        "wall_seconds": round(end - start, 3), "cpu_seconds": round(cpu_seconds(), 3),
        "phases": {"create": round(created - start, 3), "until_running": round(running - start, 3),
                   "terminate_calls": round(terminating - running, 3),
                   "until_terminated": round(end - running, 3)},
        "api_calls": calls.calls}))


if __name__ == "__main__":
    main()
