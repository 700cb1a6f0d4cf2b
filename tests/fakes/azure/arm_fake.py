#!/usr/bin/env python3
"""A stateful fake of Azure Resource Manager (Microsoft.Compute virtual machines, their
operations and resource SKUs) and of the Microsoft identity platform's v2.0 token endpoint,
served over HTTPS, for Styx's tests; the Azure SDK for Python accepts it.

  python3 arm_fake.py --port 8443 --cert server.pem --key server.key --admin-port 8080
        [--tenant T --client-id C --client-secret S --subscription SUB --location eastus]
        [--group styx-test ...] [--boot-seconds 0.5] [--op-seconds 0.2]
        [--token-lifetime 3599] [--writes 200:10 --reads 250:25 --deletes 200:10]

ARM:     https://127.0.0.1:PORT/subscriptions/SUB/...
Tokens:  https://127.0.0.1:PORT/TENANT/oauth2/v2.0/token  (client_credentials; the scope must
         be https://management.azure.com/.default), with the authority's OpenID metadata at
         /TENANT/v2.0/.well-known/openid-configuration and instance discovery at
         /common/discovery/instance
Admin (plain http on --admin-port, no auth; tests only):
  POST /fake/faults   {"zone": "1".."3" or "*", "capacity": N|null, "stockout": CODE,
                       "sku_unavailable": bool, "quota": bool, "throttle": N, "errors5xx": N}
  POST /fake/buckets  {"writes": [size, rate], ...}   (size 0: no limit)
  POST /fake/evict    {"names": [...]}                Spot VMs only
  POST /fake/revoke   every token issued so far is refused from now on
  POST /fake/reset    every VM, operation, fault and counter gone
  GET  /fake/stats    request counters, errors, VMs created, 429s, tokens granted
  GET  /fake/state    every VM: name, group, zone, size, priority, provisioningState, power, tags
"""

import argparse
import logging
import os
import secrets
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from flask import Flask, jsonify, request  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

import arm_vms  # noqa: E402
from arm_state import ApiError, Bucket, World  # noqa: E402

SCOPE = "https://management.azure.com/.default"


class Identity:
    """The token endpoint's one app registration and the tokens it issued."""

    def __init__(self, tenant, client_id, secret, lifetime):
        self.tenant, self.client_id, self.secret, self.lifetime = tenant, client_id, secret, lifetime
        self.tokens = {}  # token -> monotonic expiry
        self.lock = threading.Lock()

    def check(self, header):
        if not header.startswith("Bearer "):
            raise ApiError(401, "AuthenticationFailed",
                           "Authentication failed. The 'Authorization' header is missing.")
        with self.lock:
            expiry = self.tokens.get(header[7:])
        if expiry is None:
            raise ApiError(401, "InvalidAuthenticationToken",
                           "The access token is invalid.")
        if expiry < time.monotonic():
            raise ApiError(401, "ExpiredAuthenticationToken",
                           "The access token expiry UTC time is earlier than current UTC time.")


def aad_error(status, code, text):
    return jsonify({"error": code, "error_description": text, "error_codes": [7000215]}), status


def make_arm(world, ident, forbidden):
    app = Flask("azure_arm_fake")

    def answer(kind, fn):
        headers = {}
        try:
            ident.check(request.headers.get("Authorization", ""))
            if not request.args.get("api-version"):
                raise ApiError(400, "MissingApiVersionParameter",
                               "The api-version query parameter (?api-version=) is required "
                               "for all requests.")
            if request.view_args.get("sub", world.subscription) != world.subscription:
                raise ApiError(404, "SubscriptionNotFound", "The subscription '%s' could not "
                               "be found." % request.view_args.get("sub"))
            if forbidden["on"]:
                raise ApiError(403, "AuthorizationFailed", "The client '%s' does not have "
                               "authorization to perform action over scope '/subscriptions/%s'."
                               % (ident.client_id, world.subscription))
            with world.lock:
                world.throttle(kind)
                headers.update(world.rate_headers(kind))
            body, status, more = fn()
            headers.update(more)
        except ApiError as e:
            with world.lock:
                world.count("errors", e.code)
                headers.update(world.rate_headers(kind))
            headers.update(e.headers)
            return jsonify({"error": {"code": e.code, "message": e.message}}), e.status, headers
        headers["x-ms-request-id"] = secrets.token_hex(8)
        if body is None:
            return "", status, headers
        return jsonify(body), status, headers

    arm_vms.install(app, world, answer)

    @app.post("/<tenant>/oauth2/v2.0/token")
    def token(tenant):
        form = request.form
        if tenant != ident.tenant:
            return aad_error(400, "invalid_request", "AADSTS90002: Tenant '%s' not found." % tenant)
        if form.get("grant_type") != "client_credentials":
            return aad_error(400, "unsupported_grant_type", "AADSTS70003: unsupported grant.")
        if form.get("scope") != SCOPE:
            return aad_error(400, "invalid_scope", "AADSTS70011: The provided scope is invalid.")
        if form.get("client_id") != ident.client_id or form.get("client_secret") != ident.secret:
            return aad_error(401, "invalid_client", "AADSTS7000215: Invalid client secret "
                             "provided.")
        value = "aad-token-" + secrets.token_urlsafe(24)
        with ident.lock:
            ident.tokens[value] = time.monotonic() + ident.lifetime
        with world.lock:
            world.stats["tokens"] += 1
        return jsonify({"token_type": "Bearer", "expires_in": ident.lifetime,
                        "ext_expires_in": ident.lifetime, "access_token": value})

    @app.get("/<tenant>/v2.0/.well-known/openid-configuration")
    def openid(tenant):
        base = request.host_url.rstrip("/") + "/" + tenant
        return jsonify({"token_endpoint": base + "/oauth2/v2.0/token",
                        "authorization_endpoint": base + "/oauth2/v2.0/authorize",
                        "device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
                        "issuer": base + "/v2.0", "tenant_region_scope": "NA",
                        "token_endpoint_auth_methods_supported": ["client_secret_post"]})

    @app.get("/common/discovery/instance")
    def discovery():
        host = request.host
        return jsonify({"tenant_discovery_endpoint": "https://%s/%s/v2.0/.well-known/openid-"
                        "configuration" % (host, ident.tenant), "api-version": "1.1",
                        "metadata": [{"preferred_network": host, "preferred_cache": host,
                                      "aliases": [host]}]})

    @app.get("/metadata/endpoints")
    def endpoints():
        base = request.host_url
        return jsonify({"authentication": {"loginEndpoint": base,
                                           "audiences": ["https://management.azure.com/"]},
                        "resourceManager": base, "name": "StyxFake"})
    return app


def make_admin(world, ident, forbidden):
    app = Flask("azure_arm_fake_admin")

    def body():
        return request.get_json(force=True, silent=True) or {}

    @app.post("/fake/faults")
    def faults():
        changes = dict(body())
        return jsonify(world.set_faults(str(changes.pop("zone", "*")), **changes))

    @app.post("/fake/buckets")
    def buckets():
        with world.lock:
            for k, (size, rate) in body().items():
                world.bucket_sizes[k] = (size, rate)
                world.buckets[k] = Bucket(size, rate)
        return jsonify({k: [b.size, b.rate] for k, b in world.buckets.items()})

    @app.post("/fake/evict")
    def evict():
        return jsonify({"evicted": world.evict(set(body().get("names", [])))})

    @app.post("/fake/revoke")
    def revoke():
        with ident.lock:
            ident.tokens.clear()
        return jsonify({})

    @app.post("/fake/forbid")
    def forbid():
        forbidden["on"] = bool(body().get("on", True))
        return jsonify(forbidden)

    @app.post("/fake/reset")
    def reset():
        world.reset()
        return jsonify({})

    @app.get("/fake/stats")
    def stats():
        with world.lock:
            return jsonify(world.stats)

    @app.get("/fake/state")
    def state():
        with world.lock:
            world.advance()
            return jsonify({"vms": [{k: vm[k] for k in ("name", "group", "zone", "size",
                                                        "priority", "provisioningState",
                                                        "power", "tags")}
                                    for vm in world.vms.values()]})
    return app


def pair(text):
    size, rate = text.split(":")
    return (float(size), float(rate))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--admin-port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--tenant", default="00000000-0000-4000-8000-00000000a2e0")
    p.add_argument("--client-id", default="00000000-0000-4000-8000-0000000c11e7")
    p.add_argument("--client-secret", default="styx-test-secret")
    p.add_argument("--subscription", default="00000000-0000-4000-8000-000000005b5c")
    p.add_argument("--location", default="eastus")
    p.add_argument("--group", action="append", default=[])
    p.add_argument("--boot-seconds", type=float, default=0.5)
    p.add_argument("--op-seconds", type=float, default=0.2)
    p.add_argument("--token-lifetime", type=int, default=3599)
    p.add_argument("--writes", type=pair, default=(200, 10))
    p.add_argument("--reads", type=pair, default=(250, 25))
    p.add_argument("--deletes", type=pair, default=(200, 10))
    a = p.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    world = World(a.subscription, a.location, a.group or ["styx-test"], a.boot_seconds,
                  a.op_seconds, {"reads": a.reads, "writes": a.writes, "deletes": a.deletes})
    ident = Identity(a.tenant, a.client_id, a.client_secret, a.token_lifetime)
    forbidden = {"on": False}
    admin = make_server("127.0.0.1", a.admin_port, make_admin(world, ident, forbidden),
                        threaded=True)
    threading.Thread(target=admin.serve_forever, daemon=True).start()

    class KeepAlive(WSGIRequestHandler):
        protocol_version = "HTTP/1.1"  # connections reused, as ARM's are

    arm = make_server("127.0.0.1", a.port, make_arm(world, ident, forbidden), threaded=True,
                      request_handler=KeepAlive, ssl_context=(a.cert, a.key))
    arm.serve_forever()


if __name__ == "__main__":
    main()
