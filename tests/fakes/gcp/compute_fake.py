#!/usr/bin/env python3
"""A stateful fake of the Compute Engine API (REST v1) and of Google's OAuth2 token endpoint,
for Styx's tests; gcloud and Apache libcloud's GCE driver accept it too.

  python3 compute_fake.py --port 8080 --project styx-test [--token T ...] [--any-token]
        [--service-account key.json ...] [--user CLIENT_ID:SECRET:REFRESH ...]
        [--op-seconds 0.3] [--boot-seconds 0.6] [--stop-seconds 0.3] [--token-lifetime 3599]

Compute:  http://127.0.0.1:PORT/compute/v1/   (CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE)
Tokens:   http://127.0.0.1:PORT/token         (a service-account key's token_uri)
Admin (no auth; tests only):
  POST /fake/faults   {"zone": Z or "*", "capacity": N|null, "quota": bool, "throttle": N,
                       "errors5xx": N, "stockout": CODE, "forbidden": bool}
  POST /fake/quotas   {"mutations": N, "reads": N}     per minute, 0: none
  POST /fake/timing   {"op": s, "staging": s, "boot": s, "stop": s}
  POST /fake/preempt  {"zone": Z, "names": [...]}      SPOT instances only
  POST /fake/revoke   every token the endpoint issued is refused from now on
  POST /fake/reset    every instance, operation, fault and counter gone
  GET  /fake/stats    request counters by method, token grants
  GET  /fake/state    every instance: zone, name, status, labels, provisioningModel
"""

import argparse
import logging
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from flask import Flask, jsonify, request  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, run_simple  # noqa: E402

import fake_auth  # noqa: E402
import fake_batch  # noqa: E402
import fake_compute  # noqa: E402
import fake_instances  # noqa: E402
from fake_state import ApiError, Timing, World  # noqa: E402


def make_app(world, auth):
    app = Flask("gcp_compute_fake")
    fake_instances.install(app, fake_compute.install(app, world, auth.check))
    fake_auth.install(app, auth, world)
    fake_batch.install(app)

    def body():
        return request.get_json(force=True, silent=True) or {}

    @app.post("/fake/faults")
    def faults():
        changes = dict(body())
        zone = changes.pop("zone", "*")
        return jsonify(world.set_faults(zone, **changes))

    @app.post("/fake/quotas")
    def quotas():
        with world.lock:
            for k, v in body().items():
                if k not in world.per_minute:
                    raise ApiError(400, "invalid", "unknown quota %r" % k)
                world.per_minute[k] = int(v)
            return jsonify(world.per_minute)

    @app.post("/fake/timing")
    def timing():
        with world.lock:
            for k, v in body().items():
                setattr(world.timing, k, float(v))
            return jsonify(vars(world.timing))

    @app.post("/fake/preempt")
    def preempt():
        b = body()
        with world.lock:
            world.advance()
            done = [n for n in b.get("names", []) if world.preempt(b.get("zone"), n)]
            return jsonify({"preempted": done})

    @app.post("/fake/revoke")
    def revoke():
        with auth.lock:
            auth.issued.clear()
        return jsonify({"revoked": True})

    @app.post("/fake/reset")
    def reset():
        with world.lock:
            world.instances.clear()
            world.operations.clear()
            world.request_ids.clear()
            world.faults.clear()
            world.stats.clear()
            world.events.clear()
            return jsonify({"reset": True})

    @app.get("/fake/stats")
    def stats():
        with world.lock:
            return jsonify({"calls": dict(world.stats), "auth": dict(auth.stats)})

    @app.get("/fake/state")
    def state():
        with world.lock:
            world.advance()
            out = []
            for (zone, name), inst in sorted(world.instances.items()):
                out.append({"zone": zone, "name": name, "status": inst["status"],
                            "labels": inst["labels"],
                            "provisioningModel": inst["scheduling"].get("provisioningModel")})
            return jsonify({"instances": out})

    return app


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--project", default="styx-test")
    p.add_argument("--token", action="append", default=[], help="a static bearer token")
    p.add_argument("--any-token", action="store_true", help="accept any bearer token")
    p.add_argument("--service-account", action="append", default=[], help="a key JSON file")
    p.add_argument("--user", action="append", default=[], help="CLIENT_ID:SECRET:REFRESH_TOKEN")
    p.add_argument("--op-seconds", type=float, default=0.3)
    p.add_argument("--staging-seconds", type=float, default=0.2)
    p.add_argument("--boot-seconds", type=float, default=0.6)
    p.add_argument("--stop-seconds", type=float, default=0.3)
    p.add_argument("--token-lifetime", type=int, default=3599)
    p.add_argument("--link-base", default="https://www.googleapis.com/compute/v1/",
                   help="the base of selfLink and other resource URLs (Compute's own by default)")
    args = p.parse_args()

    world = World(args.project, args.link_base, Timing(args.op_seconds, args.staging_seconds,
                                              args.boot_seconds, args.stop_seconds))
    auth = fake_auth.Auth(args.token, args.any_token, args.token_lifetime)
    for path in args.service_account:
        auth.add_service_account(path)
    for user in args.user:
        auth.add_user(*user.split(":", 2))
    # STYX_FAKE_LOG=1: one line per request on stderr (never the bodies: they carry tokens)
    logging.getLogger("werkzeug").setLevel(
        logging.INFO if os.environ.get("STYX_FAKE_LOG") == "1" else logging.ERROR)
    WSGIRequestHandler.protocol_version = "HTTP/1.1"  # keep-alive, as Google's front ends
    run_simple(args.host, args.port, make_app(world, auth), threaded=True)


if __name__ == "__main__":
    main()
