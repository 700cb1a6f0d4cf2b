"""The instance routes of the fake Compute API (insert, bulkInsert, list, aggregatedList, get,
stop, start, delete, setLabels), on the helpers of fake_compute.install (`r`: the World, the
request checks, paging, filters). Creates are all or nothing below minCount and answered by
an Operation; a requestId seen before answers its Operation again and does nothing else.
"""

import re

from flask import jsonify, request

from fake_compute import ApiError, invalid, check_labels, check_properties
from fake_state import NAME_RE

P = "/compute/v1/projects/<project>"


def install(app, r):
    world = r.world

    def create(project, zone, kind, make):
        """A create route: a requestId seen before answers its Operation again."""
        with world.lock:
            r.begin(project, zone, mutation=True, kind=kind)
            rid = request.args.get("requestId")
            op = world.repeated(rid) or make(zone, request.get_json(force=True) or {}, rid)
            return jsonify(op)

    def insert_one(zone, body, request_id):
        check_properties(zone, body, "resource")
        name = body.get("name", "")
        if not re.fullmatch(NAME_RE, name):
            raise invalid("resource.name", name, "Must be a match of regex "
                                                 "'(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'")
        if (zone, name) in world.instances:
            raise ApiError(409, "alreadyExists", "The resource 'projects/%s/zones/%s/instances/%s' "
                                                 "already exists" % (world.project, zone, name))
        op = world.new_operation(zone, "insert", r.instance_link(zone, name), request_id)
        err = world.capacity_error(zone, 1)
        if err is None:
            inst = world.make_instance(zone, name, body)
            op["targetId"] = inst["id"]
        else:
            world.count("create_errors_" + err[0])
        world.finish(op, world.timing.op, err)
        return op

    @app.post(P + "/zones/<zone>/instances")
    def instances_insert(project, zone):
        return create(project, zone, "instances.insert", insert_one)

    def bulk_insert(zone, body, request_id):
        try:
            count = int(body.get("count", 0))
            min_count = int(body.get("minCount", count))
        except (TypeError, ValueError):
            raise invalid("resource.count", body.get("count"), "Must be an integer.")
        if not 1 <= count <= 1000:
            raise invalid("resource.count", count, "Must be between 1 and 1000.")
        if not 1 <= min_count <= count:
            raise invalid("resource.minCount", min_count, "Must be between 1 and count.")
        per = body.get("perInstanceProperties") or {}
        pattern = body.get("namePattern")
        if per:
            names = sorted(per)
            if len(names) != count:
                raise invalid("resource.perInstanceProperties", len(names),
                              "Must name exactly count instances.")
        elif pattern and "#" in pattern:
            width = pattern.count("#")
            names = [pattern.replace("#" * width, str(i + 1).zfill(width)) for i in range(count)]
        else:
            raise invalid("resource.namePattern", pattern or "", "namePattern or "
                                                                  "perInstanceProperties is required.")
        props = dict(body.get("instanceProperties") or {})
        check_properties(zone, props, "resource.instanceProperties")
        for name in names:
            if not re.fullmatch(NAME_RE, name):
                raise invalid("resource.perInstanceProperties", name, "Invalid instance name.")
            if (zone, name) in world.instances:
                raise ApiError(409, "alreadyExists", "The resource 'projects/%s/zones/%s/instances/%s'"
                                                     " already exists" % (world.project, zone, name))
        op = world.new_operation(zone, "bulkInsert", "%s/instances/bulkInsert" % world.zone_link(zone),
                                 request_id)
        err = world.capacity_error(zone, min_count)
        created = 0
        if err is None:
            left = (world.faults.get(zone) or {}).get("capacity")
            n = count if left is None else min(count, left)
            props["machineType"] = world.type_link(zone, props["machineType"].rsplit("/", 1)[-1])
            for name in names[:n]:
                world.make_instance(zone, name, dict(props, name=name))
            created = n
        else:
            world.count("create_errors_" + err[0])
        op["instancesBulkInsertOperationMetadata"] = {"perLocationStatus": {"zones/" + zone: {
            "status": "DONE", "targetVmCount": count, "createdVmCount": created,
            "failedToCreateVmCount": 0 if err is None else count}}}
        world.finish(op, world.timing.op, err)
        return op

    @app.post(P + "/zones/<zone>/instances/bulkInsert")
    def instances_bulk_insert(project, zone):
        return create(project, zone, "instances.bulkInsert", bulk_insert)

    @app.get(P + "/zones/<zone>/instances")
    def instances_list(project, zone):
        with world.lock:
            r.begin(project, zone, kind="instances.list")
            items = [v for (z, _), v in sorted(world.instances.items()) if z == zone]
            body = r.page(r.matching(items))
            body.update(kind="compute#instanceList",
                        id="projects/%s/zones/%s/instances" % (project, zone),
                        selfLink="%s/instances" % world.zone_link(zone))
            return jsonify(body)

    @app.get(P + "/aggregated/instances")
    def instances_aggregated(project):
        with world.lock:
            r.begin(project, kind="instances.aggregatedList")
            return r.aggregated("compute#instanceAggregatedList", "instances",
                              lambda z: [v for (zz, _), v in sorted(world.instances.items())
                                         if zz == z])

    @app.get(P + "/zones/<zone>/instances/<name>")
    def instances_get(project, zone, name):
        with world.lock:
            r.begin(project, zone, kind="instances.get")
            return jsonify(r.existing(zone, name))

    def change(project, zone, name, verb):
        r.begin(project, zone, mutation=True, kind="instances." + verb)
        rid = request.args.get("requestId")
        op = world.repeated(rid)
        if op is not None:
            return op
        inst = r.existing(zone, name)
        op = world.new_operation(zone, verb, inst["selfLink"], rid)
        op["targetId"] = inst["id"]
        t = world.timing
        status = inst["status"]
        if verb == "stop":
            if status in ("TERMINATED", "STOPPING"):
                world.finish(op, 0.05)
            else:
                inst["status"] = "STOPPING"
                world.finish(op, t.stop, effect=lambda: world.set_status(zone, name, "TERMINATED"))
        elif verb == "start":
            if status != "TERMINATED":
                world.finish(op, 0.05)
            elif world.capacity_error(zone, 1) is not None:
                err = world.capacity_error(zone, 1)
                world.count("start_errors_" + err[0])
                world.finish(op, t.op, err)
            else:
                world.boot(zone, name, staging=False)
                world.finish(op, min(t.op, t.boot))
        else:
            inst["status"] = "STOPPING"
            world.finish(op, t.stop, effect=lambda: world.remove(zone, name))
        return op

    @app.post(P + "/zones/<zone>/instances/<name>/stop")
    def instances_stop(project, zone, name):
        with world.lock:
            return jsonify(change(project, zone, name, "stop"))

    @app.post(P + "/zones/<zone>/instances/<name>/start")
    def instances_start(project, zone, name):
        with world.lock:
            return jsonify(change(project, zone, name, "start"))

    @app.delete(P + "/zones/<zone>/instances/<name>")
    def instances_delete(project, zone, name):
        with world.lock:
            return jsonify(change(project, zone, name, "delete"))

    @app.post(P + "/zones/<zone>/instances/<name>/setLabels")
    def instances_set_labels(project, zone, name):
        with world.lock:
            r.begin(project, zone, mutation=True, kind="instances.setLabels")
            inst = r.existing(zone, name)
            body = request.get_json(force=True) or {}
            labels = body.get("labels") or {}
            check_labels(labels)
            inst["labels"] = dict(labels)
            op = world.new_operation(zone, "setLabels", inst["selfLink"], request.args.get("requestId"))
            world.finish(op, 0.05)
            return jsonify(op)
