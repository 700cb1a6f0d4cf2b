#!/usr/bin/env python3
"""moto_server with a per-Action account, for the peer comparison (bench/peers/run_peers.py).

It is moto_server itself (moto.server's DomainDispatcherApplication behind werkzeug's threaded
run_simple, exactly what `moto_server -H HOST -p PORT` runs), wrapped in a WSGI middleware that
reads the EC2 Query API's Action (form body or query string) of every request and adds the time
moto took to answer it to that Action's total. Two extra routes, answered by the middleware:

  GET  /_peers/stats   {"actions": {Action: {"count": n, "seconds": s}}, "cpu_seconds": c,
                        "connections": k}  (c: this process's user+sys CPU so far; k: distinct
                       client ports since the last reset, i.e. TCP connections the client opened)
  GET  /_peers/timeline  [[start, seconds, Action], ...]: every request since the last reset,
                       start in seconds after that reset
  POST /_peers/reset   zero the account and the timeline (moto's own state is reset with
                       POST /moto-api/reset)

"seconds" is the time from the request reaching moto's app to its answer, queueing for the GIL
behind concurrent requests included.

Usage: moto_stats_server.py [-H 127.0.0.1] [-p PORT]   (needs moto, i.e. the image's python3)
"""

import argparse
import io
import json
import os
import resource
import threading
import time
from urllib.parse import parse_qs

from werkzeug.serving import run_simple

from moto.server import DomainDispatcherApplication, create_backend_app


class action_stats:
    """Per-Action call counts and seconds spent inside moto, shared by the server's threads."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.actions = {}
        self.timeline = []
        self.ports = set()
        self.epoch = time.perf_counter()

    def record(self, action, start, seconds, port):
        with self.lock:
            self.ports.add(port)
            self.timeline.append([round(start - self.epoch, 4), round(seconds, 4), action])
            entry = self.actions.setdefault(action, {"count": 0, "seconds": 0.0})
            entry["count"] += 1
            entry["seconds"] += seconds

    def snapshot(self):
        ru = resource.getrusage(resource.RUSAGE_SELF)
        with self.lock:
            actions = {k: dict(v) for k, v in self.actions.items()}
            connections = len(self.ports)
        return {"actions": actions, "cpu_seconds": ru.ru_utime + ru.ru_stime,
                "connections": connections}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/_peers/stats":
            body = json.dumps(self.snapshot()).encode()
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        if path == "/_peers/timeline":
            with self.lock:
                body = json.dumps(self.timeline).encode()
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        if path == "/_peers/reset":
            with self.lock:
                self.actions = {}
                self.timeline = []
                self.ports = set()
                self.epoch = time.perf_counter()
            start_response("200 OK", [("Content-Length", "0")])
            return [b""]

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        params = parse_qs(environ.get("QUERY_STRING", ""))
        if b"Action=" in body:
            params.update(parse_qs(body.decode("utf-8", "replace")))
        action = params.get("Action", [None])[0] or ("%s %s" % (environ.get("REQUEST_METHOD"), path))

        start = time.perf_counter()
        chunks = list(self.app(environ, start_response))
        self.record(action, start, time.perf_counter() - start, environ.get("REMOTE_PORT"))
        return chunks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, action_stats(app), threaded=True)


if __name__ == "__main__":
    main()
