"""The Compute Engine REST v1 routes of the fake (project, zones, regions, machine types,
disks, zone operations; the instances' are in fake_instances.py), on a World (fake_state.py).
Shapes follow the v1 reference: full-URL selfLink, zone and machineType; Operation objects
for every mutation; Google JSON error bodies
{"error": {"code", "message", "errors": [{"domain", "reason", "message"}], "status"}}.
Validation refuses what Compute refuses: instance names and labels outside Compute's syntax,
unknown machine types and zones, an existing name (409 alreadyExists), bulkInsert counts
outside 1..1000 or below minCount.
"""

import re
import time
import types

from flask import jsonify, request

import fake_filter
from fake_state import MACHINE_TYPES, ZONES, ApiError

LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")
STATUS_WORDS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                404: "NOT_FOUND", 409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED",
                503: "UNAVAILABLE"}


def error_response(status, reason, message):
    domain = "usageLimits" if reason in ("rateLimitExceeded", "quotaExceeded") else "global"
    body = {"error": {"code": status, "message": message,
                      "errors": [{"message": message, "domain": domain, "reason": reason}],
                      "status": STATUS_WORDS.get(status, "UNKNOWN")}}
    resp = jsonify(body)
    resp.status_code = status
    return resp


def invalid(field, value, why):
    return ApiError(400, "invalid", "Invalid value for field '%s': '%s'. %s" % (field, value, why))


def check_zone(zone):
    if zone not in ZONES:
        raise invalid("zone", zone, "Unknown zone.")


def check_labels(labels, field="resource.labels"):
    if not isinstance(labels, dict) or len(labels) > 64:
        raise invalid(field, labels, "At most 64 labels.")
    for k, v in labels.items():
        if not isinstance(k, str) or not LABEL_KEY.fullmatch(k):
            raise invalid(field, k, "Label keys must start with a lowercase letter and contain "
                                    "only lowercase letters, digits, '_' and '-' (at most 63).")
        if not isinstance(v, str) or not LABEL_VALUE.fullmatch(v):
            raise invalid(field, v, "Label values contain only lowercase letters, digits, '_' "
                                    "and '-' (at most 63).")


def check_properties(zone, props, field):
    mtype = (props.get("machineType") or "").rsplit("/", 1)[-1]
    if mtype not in MACHINE_TYPES:
        raise invalid(field + ".machineType", props.get("machineType", ""),
                      "Machine type with name '%s' does not exist in zone '%s'." % (mtype, zone))
    disks = props.get("disks") or []
    if not any(d.get("boot") and ((d.get("initializeParams") or {}).get("sourceImage")
                                  or d.get("source")) for d in disks):
        raise invalid(field + ".disks", "", "Boot disk must be specified.")
    if not props.get("networkInterfaces"):
        raise invalid(field + ".networkInterfaces", "", "At least one network interface is required.")
    check_labels(props.get("labels") or {}, field + ".labels")
    model = (props.get("scheduling") or {}).get("provisioningModel", "STANDARD")
    if model not in ("STANDARD", "SPOT"):
        raise invalid(field + ".scheduling.provisioningModel", model, "Must be STANDARD or SPOT.")


def install(app, world, check_auth):
    """Adds the /compute/v1 routes but the instances' to `app`; `check_auth()` raises ApiError
    when refused. Returns the helpers fake_instances.install takes."""
    P = "/compute/v1/projects/<project>"

    def begin(project, zone=None, mutation=False, kind="?"):
        check_auth()
        if project != world.project:
            raise ApiError(404, "notFound", "The resource 'projects/%s' was not found" % project)
        if zone is not None:
            check_zone(zone)
        world.count("requests")
        world.count(kind)
        world.admit(zone or "*", mutation)

    def page(items, key="items"):
        try:
            size = min(500, max(1, int(request.args.get("maxResults", 500))))
            start = int((request.args.get("pageToken") or "p0")[1:])
        except ValueError:
            raise ApiError(400, "invalid", "Invalid value for maxResults or pageToken")
        body = {}
        chunk = items[start:start + size]
        if chunk:
            body[key] = chunk
        if start + size < len(items):
            body["nextPageToken"] = "p%d" % (start + size)
        return body

    def matching(resources):
        try:
            pred = fake_filter.parse(request.args.get("filter"))
            return [r for r in resources if pred(r)]
        except fake_filter.FilterError as e:
            raise ApiError(400, "invalid", "Invalid value for field 'filter': %s" % e)

    def instance_link(zone, name):
        return "%s/instances/%s" % (world.zone_link(zone), name)

    def existing(zone, name):
        inst = world.instances.get((zone, name))
        if inst is None:
            raise ApiError(404, "notFound", "The resource 'projects/%s/zones/%s/instances/%s' was "
                                            "not found" % (world.project, zone, name))
        return inst

    @app.errorhandler(ApiError)
    def on_api_error(e):
        return error_response(e.status, e.reason, e.message)

    @app.errorhandler(404)
    def on_no_route(e):
        return error_response(404, "notFound", "The requested URL %s was not found on this "
                                               "server." % request.path)

    @app.errorhandler(405)
    def on_bad_method(e):
        return error_response(405, "httpMethodNotAllowed", "HTTP method %s is not supported by "
                                                           "this URL" % request.method)

    # -- project, regions, zones, machine types ---------------------------------------
    @app.get(P)
    def project_get(project):
        with world.lock:
            begin(project, kind="projects.get")
            return jsonify({"kind": "compute#project", "name": project, "id": "1234567890",
                            "selfLink": "%sprojects/%s" % (world.base, project),
                            "commonInstanceMetadata": {"kind": "compute#metadata"},
                            "quotas": [{"metric": "INSTANCES", "limit": 10000, "usage":
                                        len(world.instances)}]})

    def zone_view(z):
        return {"kind": "compute#zone", "id": str(abs(hash(z)) % 10**12), "name": z,
                "description": z, "status": "UP", "region": world.region_link(ZONES[z]),
                "selfLink": world.zone_link(z), "availableCpuPlatforms": ["Intel Broadwell"]}

    @app.get(P + "/zones")
    def zones_list(project):
        with world.lock:
            begin(project, kind="zones.list")
            body = page(matching([zone_view(z) for z in sorted(ZONES)]))
            body.update(kind="compute#zoneList", selfLink="%sprojects/%s/zones" % (world.base, project))
            return jsonify(body)

    @app.get(P + "/zones/<zone>")
    def zones_get(project, zone):
        with world.lock:
            begin(project, zone, kind="zones.get")
            return jsonify(zone_view(zone))

    def region_view(region):
        zones = [world.zone_link(z) for z, r in sorted(ZONES.items()) if r == region]
        if not zones:
            raise ApiError(404, "notFound", "The resource 'projects/%s/regions/%s' was not "
                                            "found" % (world.project, region))
        return {"kind": "compute#region", "id": str(abs(hash(region)) % 10**9), "name": region,
                "description": region, "status": "UP", "zones": zones,
                "selfLink": world.region_link(region),
                "quotas": [{"metric": "CPUS", "limit": 2400.0, "usage": 0.0}]}

    @app.get(P + "/regions")
    def regions_list(project):
        with world.lock:
            begin(project, kind="regions.list")
            body = page(matching([region_view(r) for r in sorted(set(ZONES.values()))]))
            body.update(kind="compute#regionList")
            return jsonify(body)

    @app.get(P + "/regions/<region>")
    def regions_get(project, region):
        with world.lock:
            begin(project, kind="regions.get")
            return jsonify(region_view(region))

    def disk_views(zone):
        out = []
        for (z, name), inst in sorted(world.instances.items()):
            if z != zone:
                continue
            for d in inst["disks"]:
                out.append({"kind": "compute#disk", "id": "%s%d" % (inst["id"], d["index"]),
                            "creationTimestamp": inst["creationTimestamp"],
                            "name": d["source"].rsplit("/", 1)[-1],
                            "zone": world.zone_link(zone), "sizeGb": "10", "status": "READY",
                            "type": "%s/diskTypes/pd-standard" % world.zone_link(zone),
                            "users": [inst["selfLink"]], "selfLink": d["source"]})
        return out

    @app.get(P + "/zones/<zone>/disks")
    def disks_list(project, zone):
        with world.lock:
            begin(project, zone, kind="disks.list")
            body = page(matching(disk_views(zone)))
            body.update(kind="compute#diskList")
            return jsonify(body)

    @app.get(P + "/zones/<zone>/disks/<name>")
    def disks_get(project, zone, name):
        with world.lock:
            begin(project, zone, kind="disks.get")
            for d in disk_views(zone):
                if d["name"] == name:
                    return jsonify(d)
            raise ApiError(404, "notFound", "The resource 'projects/%s/zones/%s/disks/%s' was not "
                                            "found" % (project, zone, name))

    def type_view(zone, name):
        cpus, mem, shared = MACHINE_TYPES[name]
        return {"kind": "compute#machineType", "id": str(abs(hash(name)) % 10**9), "name": name,
                "description": name, "guestCpus": cpus, "memoryMb": mem, "isSharedCpu": shared,
                "maximumPersistentDisks": 128, "maximumPersistentDisksSizeGb": "263168",
                "zone": zone, "selfLink": world.type_link(zone, name)}

    @app.get(P + "/zones/<zone>/machineTypes")
    def types_list(project, zone):
        with world.lock:
            begin(project, zone, kind="machineTypes.list")
            body = page(matching([type_view(zone, t) for t in sorted(MACHINE_TYPES)]))
            body.update(kind="compute#machineTypeList")
            return jsonify(body)

    @app.get(P + "/zones/<zone>/machineTypes/<name>")
    def types_get(project, zone, name):
        with world.lock:
            begin(project, zone, kind="machineTypes.get")
            if name not in MACHINE_TYPES:
                raise ApiError(404, "notFound", "The resource 'projects/%s/zones/%s/machineTypes/%s' "
                                                "was not found" % (project, zone, name))
            return jsonify(type_view(zone, name))

    def aggregated(kind, key, views_of_zone):
        everything = []
        for z in sorted(ZONES):
            everything.extend((z, v) for v in views_of_zone(z))
        pred_views = matching([v for _, v in everything])
        keep = set(id(v) for v in pred_views)
        chosen = [(z, v) for z, v in everything if id(v) in keep]
        body = page(chosen)
        items = {}
        for z in sorted(ZONES):
            in_page = [v for zz, v in body.get("items", []) if zz == z]
            scope = "zones/" + z
            if in_page:
                items[scope] = {key: in_page}
            else:
                items[scope] = {"warning": {"code": "NO_RESULTS_ON_PAGE", "message":
                                            "There are no results for scope '%s' on this page." % scope,
                                            "data": [{"key": "scope", "value": scope}]}}
        body["items"] = items
        body.update(kind=kind, id="projects/%s/aggregated/%s" % (world.project, key))
        return jsonify(body)

    @app.get(P + "/aggregated/disks")
    def disks_aggregated(project):
        with world.lock:
            begin(project, kind="disks.aggregatedList")
            return aggregated("compute#diskAggregatedList", "disks", disk_views)

    @app.get(P + "/aggregated/machineTypes")
    def types_aggregated(project):
        with world.lock:
            begin(project, kind="machineTypes.aggregatedList")
            return aggregated("compute#machineTypeAggregatedList", "machineTypes",
                              lambda z: [type_view(z, t) for t in sorted(MACHINE_TYPES)])

    # -- zone operations --------------------------------------------------------------------
    def operation(zone, name):
        op = world.operations.get((zone, name))
        if op is None:
            raise ApiError(404, "notFound", "The resource 'projects/%s/zones/%s/operations/%s' was "
                                            "not found" % (world.project, zone, name))
        return op

    @app.get(P + "/zones/<zone>/operations/<name>")
    def operations_get(project, zone, name):
        with world.lock:
            begin(project, zone, kind="zoneOperations.get")
            return jsonify(operation(zone, name))

    @app.post(P + "/zones/<zone>/operations/<name>/wait")
    def operations_wait(project, zone, name):
        deadline = time.monotonic() + 30
        with world.lock:
            begin(project, zone, kind="zoneOperations.wait")
            op = operation(zone, name)
        while time.monotonic() < deadline:
            with world.lock:
                world.advance()
                if op["status"] == "DONE":
                    break
            time.sleep(0.02)
        with world.lock:
            return jsonify(op)

    @app.get(P + "/zones/<zone>/operations")
    def operations_list(project, zone):
        with world.lock:
            begin(project, zone, kind="zoneOperations.list")
            items = [v for (z, _), v in sorted(world.operations.items()) if z == zone]
            body = page(matching(items))
            body.update(kind="compute#operationList", selfLink="%s/operations" % world.zone_link(zone))
            return jsonify(body)

    # What the instance routes (fake_instances.py) need of these.
    return types.SimpleNamespace(world=world, begin=begin, page=page, matching=matching,
                                 aggregated=aggregated, instance_link=instance_link,
                                 existing=existing)
