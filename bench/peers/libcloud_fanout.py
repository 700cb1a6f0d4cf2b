#!/usr/bin/python3
"""The same fan-out with Apache libcloud's EC2 driver (Debian's python3-libcloud).

  /usr/bin/python3 libcloud_fanout.py --endpoint http://127.0.0.1:PORT [--count 1000]
                  [--threads 16] [--poll 1.0]

Debian's python3-libcloud serves /usr/bin/python3 (not the image's default python3, which has
boto3 and moto). Against moto the driver needs two things:
  - signature_version='4' (the driver's default for a custom host is SigV2, which moto rejects),
    and host/port/secure=False to point it at http://127.0.0.1:PORT;
  - moto's XML namespace: moto answers xmlns="http://ec2.amazonaws.com/doc/2016-11-15" while
    the driver looks elements up under ".../2016-11-15/" (trailing slash), so it would find
    nothing. moto_response rewrites the namespace before the body is parsed.

1. `count` create_node calls (one RunInstances each, with a Name tag), on a concurrent.futures
   pool of `threads` threads, one driver (one HTTP connection) per thread;
2. list_nodes(ex_node_ids=...) (DescribeInstances + libcloud's DescribeAddresses) until all are
   running: at once again while a call makes progress (list_nodes reads only the first page),
   else after `poll` seconds;
3. destroy_node for each (one TerminateInstances each) on the same pool;
4. list_nodes until all are terminated.
Prints one JSON line like boto3_fanout.py's.
"""

import argparse
import concurrent.futures
import json
import os
import re
import sys
import threading
import time
from urllib.parse import urlparse

from libcloud.compute.base import NodeImage, NodeSize
from libcloud.compute.drivers import ec2
from libcloud.compute.types import NodeState

from peer_common import call_counter, chunks, cpu_seconds

MOTO_NAMESPACE = re.compile(r'xmlns="http://ec2\.amazonaws\.com/doc/([0-9-]+)"')


class moto_response(ec2.EC2Response):
    """EC2Response that accepts moto's namespace (no trailing slash)."""

    def parse_body(self):
        if self.body:
            body = self.body if isinstance(self.body, str) else self.body.decode("utf-8")
            self.body = MOTO_NAMESPACE.sub(r'xmlns="http://ec2.amazonaws.com/doc/\1/"', body)
        return super().parse_body()

    def parse_error(self):
        if self.body:
            body = self.body if isinstance(self.body, str) else self.body.decode("utf-8")
            self.body = MOTO_NAMESPACE.sub(r'xmlns="http://ec2.amazonaws.com/doc/\1/"', body)
        return super().parse_error()


class moto_connection(ec2.EC2Connection):
    responseCls = moto_response


class moto_driver(ec2.EC2NodeDriver):
    connectionCls = moto_connection


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL_EC2")
                        or os.environ.get("AWS_ENDPOINT_URL"))
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between describes")
    parser.add_argument("--image", default="ami-760aaa0f")
    parser.add_argument("--instance-type", default="t2.micro")
    args = parser.parse_args()
    if not args.endpoint:
        sys.exit("libcloud_fanout: give --endpoint (or set AWS_ENDPOINT_URL_EC2)")
    url = urlparse(args.endpoint)
    key = os.environ.get("AWS_ACCESS_KEY_ID", "testing")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "testing")

    local = threading.local()

    def driver():
        if not hasattr(local, "driver"):
            local.driver = moto_driver(key, secret, secure=url.scheme == "https",
                                       host=url.hostname, port=url.port, region=args.region,
                                       signature_version="4")
        return local.driver

    calls = call_counter()
    main_driver = driver()
    image = NodeImage(id=args.image, name=None, driver=main_driver)
    size = NodeSize(id=args.instance_type, name=args.instance_type, ram=None, disk=None,
                    bandwidth=None, price=None, driver=main_driver)

    def create(i):
        calls.add("RunInstances")
        return driver().create_node(name="libcloud-%d" % i, size=size, image=image)

    def destroy(node):
        calls.add("TerminateInstances")
        if not driver().destroy_node(node):
            raise RuntimeError("destroy_node(%s) returned False" % node.id)

    def wait_for_state(ids, state):
        # list_nodes reads one page: moto answers 100 reservations a page even when given ids,
        # so a poll that made progress is repeated at once with the ids still pending.
        pending = set(ids)
        while True:
            left = len(pending)
            for part in chunks(sorted(pending), 1000):
                calls.add("DescribeInstances")
                calls.add("DescribeAddresses")  # list_nodes adds it
                for node in main_driver.list_nodes(ex_node_ids=part):
                    if node.state == state:
                        pending.discard(node.id)
            if not pending:
                return
            if len(pending) == left:
                time.sleep(args.poll)

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as pool:
        nodes = list(pool.map(create, range(args.count)))
        created = time.monotonic()
        ids = [n.id for n in nodes]
        wait_for_state(ids, NodeState.RUNNING)
        running = time.monotonic()
        list(pool.map(destroy, nodes))
        terminating = time.monotonic()
        wait_for_state(ids, NodeState.TERMINATED)
    end = time.monotonic()

    print(json.dumps({
        "peer": "libcloud", "count": args.count, "threads": args.threads,
        "wall_seconds": round(end - start, 3), "cpu_seconds": round(cpu_seconds(), 3),
        "phases": {"create": round(created - start, 3), "until_running": round(running - start, 3),
                   "terminate_calls": round(terminating - running, 3),
                   "until_terminated": round(end - running, 3)},
        "api_calls": calls.calls}))


if __name__ == "__main__":
    main()
