#!/usr/bin/env python3
"""A stateful fake of the Kubernetes API's pods (core/v1), for Styx's tests; kubectl and the
Python client (Debian python3-kubernetes) accept it too.

  python3 kube_fake.py --port 6443 --admin-port 6444 --cert server.pem --key server.key
        [--token T] [--boot-seconds 0.5] [--history 100000]

API (HTTPS; with --token, every request but /version needs "Authorization: Bearer T"):
  GET /version, /api, /apis, /api/v1                 discovery, as kubectl asks for it
  GET    /api/v1/namespaces/NS/pods                  list: labelSelector, limit, continue;
                                                     watch=true: resourceVersion,
                                                     allowWatchBookmarks, timeoutSeconds
  GET    /api/v1/pods                                every namespace
  POST   /api/v1/namespaces/NS/pods                  create (409 AlreadyExists)
  GET    /api/v1/namespaces/NS/pods/NAME
  DELETE /api/v1/namespaces/NS/pods/NAME             gracePeriodSeconds (query or body)
Errors are Status objects. Pods go Pending -> Running after --boot-seconds.
Admin (plain HTTP on --admin-port, no auth; tests only):
  POST /fake/faults  {"unschedulable_every": N, "unschedulable_class": C,
                      "throttle_every": N, "retry_after": S, "max_qps": Q}
  POST /fake/watches {"end": "expire"|"drop"}   ends every open watch (410 or a cut stream)
  POST /fake/history {"keep": N}                keeps only the last N events (older rv: 410)
  GET  /fake/state   every pod: namespace, name, phase, labels, deleting, unschedulable
  GET  /fake/stats   request counters by verb, pods created, watches opened
"""

import argparse
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kube_state import ApiError, World  # noqa: E402

RESOURCES = {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1", "resources": [
    {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
     "shortNames": ["po"], "verbs": ["create", "delete", "get", "list", "watch"]},
    {"name": "namespaces", "singularName": "namespace", "namespaced": False,
     "kind": "Namespace", "verbs": ["get", "list"]}]}


class Api(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    world = None
    token = None
    watches = 0

    def log_message(self, *args):
        pass

    def send_json(self, code, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def fail(self, err):
        headers = {"Retry-After": str(err.retry_after)} if err.retry_after else None
        self.send_json(err.code, err.status(), headers)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            raise ApiError(400, "BadRequest", "the body is not JSON")

    def route(self, method):
        url = urlparse(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        parts = [p for p in url.path.split("/") if p]
        try:
            if parts == ["version"]:
                return self.send_json(200, {"major": "1", "minor": "30", "gitVersion": "v1.30.0-fake"})
            if self.token and self.headers.get("Authorization") != "Bearer " + self.token:
                raise ApiError(401, "Unauthorized", "Unauthorized")
            if parts == ["api"]:
                return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"],
                                            "serverAddressByClientCIDRs": []})
            if parts == ["apis"]:
                return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
            if parts == ["api", "v1"]:
                return self.send_json(200, RESOURCES)
            if parts[:2] != ["api", "v1"]:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            rest = parts[2:]
            if rest == ["pods"] and method == "GET":
                return self.list_or_watch(None, q)
            if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] == "pods":
                ns = rest[1]
                if len(rest) == 3 and method == "GET":
                    return self.list_or_watch(ns, q)
                if len(rest) == 3 and method == "POST":
                    self.world.admit("create")
                    return self.send_json(201, self.world.create(ns, self.body()))
                if len(rest) == 4 and method == "GET":
                    self.world.admit("get")
                    return self.send_json(200, self.world.get(ns, rest[3]))
                if len(rest) == 4 and method == "DELETE":
                    self.world.admit("delete")
                    grace = q.get("gracePeriodSeconds", self.body().get("gracePeriodSeconds"))
                    return self.send_json(200, self.world.delete(ns, rest[3], grace))
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        except ApiError as e:
            self.fail(e)

    def list_or_watch(self, ns, q):
        if q.get("watch") in ("true", "1"):
            self.world.admit("watch")
            return self.watch(ns, q)
        self.world.admit("list")
        items, rv, more = self.world.list(ns, q.get("labelSelector", ""),
                                          int(q.get("limit") or 0), q.get("continue", ""))
        self.send_json(200, {"kind": "PodList", "apiVersion": "v1",
                             "metadata": {"resourceVersion": rv, "continue": more},
                             "items": items})

    def chunk(self, obj):
        data = (json.dumps(obj) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, ns, q):
        from kube_state import parse_selector
        w = self.world
        match = parse_selector(q.get("labelSelector", ""))
        rv = int(q.get("resourceVersion") or 0) or int(w.rv)
        deadline = time.monotonic() + float(q.get("timeoutSeconds") or 1800)
        bookmarks = q.get("allowWatchBookmarks") in ("true", "1")
        with w.lock:
            Api.watches += 1
            w.counters["watches_opened"] = w.counters.get("watches_opened", 0) + 1
            generation = w.watch_generation
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        last_bookmark = time.monotonic()
        try:
            while time.monotonic() < deadline:
                with w.lock:
                    events = w.events_since(rv)
                    if events == [] and w.watch_generation == generation:
                        w.changed.wait(0.5)
                        events = w.events_since(rv)
                    ended = w.watch_generation != generation
                    how = w.watch_end
                if ended and how == "drop":
                    self.close_connection = True
                    return  # cut: no terminating chunk
                if events is None or (ended and how == "expire"):
                    self.chunk({"type": "ERROR", "object": {
                        "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 410,
                        "reason": "Expired", "message": "too old resource version"}})
                    break
                for erv, kind, pod in events:
                    rv = erv
                    if (ns is None or pod["metadata"]["namespace"] == ns) and \
                       match(pod["metadata"].get("labels") or {}):
                        self.chunk({"type": kind, "object": pod})
                if bookmarks and time.monotonic() - last_bookmark > 1:
                    last_bookmark = time.monotonic()
                    self.chunk({"type": "BOOKMARK", "object": {
                        "kind": "Pod", "apiVersion": "v1",
                        "metadata": {"resourceVersion": str(rv)}}})
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_DELETE(self):
        self.route("DELETE")


class Admin(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    world = None

    def log_message(self, *args):
        pass

    def reply(self, obj):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        w = self.world
        with w.lock:
            if self.path == "/fake/state":
                out = []
                for (ns, name), pod in sorted(w.pods.items()):
                    conds = pod["status"].get("conditions") or []
                    out.append({"namespace": ns, "name": name, "phase": pod["status"]["phase"],
                                "labels": pod["metadata"].get("labels") or {},
                                "deleting": "deletionTimestamp" in pod["metadata"],
                                "unschedulable": any(c.get("reason") == "Unschedulable"
                                                     for c in conds)})
                return self.reply(out)
            if self.path == "/fake/stats":
                return self.reply(dict(w.counters, created=w.created, requests=w.requests,
                                       pods=len(w.pods)))
        self.send_error(404)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"{}")
        w = self.world
        with w.lock:
            if self.path == "/fake/faults":
                w.faults.update(body)
                return self.reply(w.faults)
            if self.path == "/fake/watches":
                w.watch_end = body.get("end", "drop")
                w.watch_generation += 1
                w.changed.notify_all()
                return self.reply({"ended": True})
            if self.path == "/fake/history":
                keep = int(body.get("keep", 0))
                del w.events[: max(0, len(w.events) - keep)]
                w.history = max(keep, 1)
                return self.reply({"kept": len(w.events)})
        self.send_error(404)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--admin-port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--token")
    ap.add_argument("--boot-seconds", type=float, default=0.5)
    ap.add_argument("--history", type=int, default=100000)
    args = ap.parse_args()
    world = World(args.boot_seconds, args.history)
    Api.world, Api.token, Admin.world = world, args.token, world
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 128
    api = ThreadingHTTPServer(("127.0.0.1", args.port), Api)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    api.socket = ctx.wrap_socket(api.socket, server_side=True, do_handshake_on_connect=False)
    admin = ThreadingHTTPServer(("127.0.0.1", args.admin_port), Admin)
    threading.Thread(target=admin.serve_forever, daemon=True).start()
    print(f"kube fake on https://127.0.0.1:{args.port}, admin on {args.admin_port}", flush=True)
    api.serve_forever()


if __name__ == "__main__":
    main()
