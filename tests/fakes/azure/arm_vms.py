"""The Microsoft.Compute routes of the fake Resource Manager: virtual machines (PUT, GET, list
with statusOnly, instanceView, deallocate, start, DELETE), their asynchronous operations and the
resource SKUs, with ARM's request and answer shapes: api-version required, 201/202 with
Azure-AsyncOperation and Location for long-running work, {"error": {"code", "message"}} bodies,
and the x-ms-ratelimit-remaining-* headers on every answer.
"""

from flask import jsonify, request

from arm_state import BAD_TAG_CHARS, SKUS, ZONES, ApiError

PROVIDER = "/subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.Compute"
PAGE = 50


def vm_id(world, vm):
    return ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/virtualMachines/%s"
            % (world.subscription, vm["group"], vm["name"]))


def instance_view(vm):
    prov = vm["provisioningState"]
    return {"computerName": vm["name"],
            "statuses": [{"code": "ProvisioningState/" + prov.lower(), "level": "Info",
                          "displayStatus": "Provisioning " + prov.lower()},
                         {"code": "PowerState/" + vm["power"], "level": "Info",
                          "displayStatus": "VM " + vm["power"]}]}


def model(world, vm, with_view=False):
    props = {"vmId": vm["vmId"], "hardwareProfile": {"vmSize": vm["size"]},
             "storageProfile": {"imageReference": vm["image"]},
             "networkProfile": vm["network"], "provisioningState": vm["provisioningState"],
             "timeCreated": vm["timeCreated"], "priority": vm["priority"]}
    if vm["priority"] == "Spot":
        props["evictionPolicy"] = vm["evictionPolicy"]
        props["billingProfile"] = {"maxPrice": vm["maxPrice"]}
    if with_view:
        props["instanceView"] = instance_view(vm)
    return {"id": vm_id(world, vm), "name": vm["name"],
            "type": "Microsoft.Compute/virtualMachines", "location": world.location,
            "zones": [vm["zone"]], "tags": vm["tags"], "properties": props}


def invalid(message, target=None):
    return ApiError(400, "InvalidParameter", message)


def validator(world):
    def validate(body, name):
        if len(name) > 64:
            raise invalid("The VM name '%s' is longer than 64 characters." % name)
        if (body.get("location") or "").lower() != world.location:
            raise ApiError(400, "LocationRequired" if not body.get("location") else
                           "InvalidParameter", "The location must be '%s'." % world.location)
        tags = body.get("tags") or {}
        if len(tags) > 50:
            raise invalid("A resource can have at most 50 tags.")
        for k, v in tags.items():
            if not k or len(k) > 512 or set(k) & BAD_TAG_CHARS or len(str(v)) > 256:
                raise ApiError(400, "InvalidTagNameCharacters",
                               "The tag name '%s' has characters that are not allowed." % k)
        props = body.get("properties") or {}
        size = (props.get("hardwareProfile") or {}).get("vmSize")
        if size not in SKUS:
            raise invalid("The value '%s' of parameter 'vmSize' is not allowed." % size)
        image = (props.get("storageProfile") or {}).get("imageReference") or {}
        if not image.get("id") and not all(image.get(k) for k in ("publisher", "offer", "sku")):
            raise invalid("The imageReference needs an id or publisher, offer and sku.")
        osp = props.get("osProfile") or {}
        if not osp.get("computerName") or not osp.get("adminUsername"):
            raise invalid("Required parameter 'osProfile' is missing (null).")
        net = props.get("networkProfile") or {}
        configs = net.get("networkInterfaceConfigurations")
        if not configs and not net.get("networkInterfaces"):
            raise invalid("The networkProfile needs networkInterfaces or "
                          "networkInterfaceConfigurations.")
        if configs and not net.get("networkApiVersion"):
            raise invalid("networkApiVersion is required with networkInterfaceConfigurations.")
        for c in configs or []:
            for ip in (c.get("properties") or {}).get("ipConfigurations") or []:
                subnet = ((ip.get("properties") or {}).get("subnet") or {}).get("id", "")
                if "/providers/Microsoft.Network/virtualNetworks/" not in subnet:
                    raise invalid("The subnet id '%s' is not a subnet's resource id." % subnet)
        zones = body.get("zones") or []
        if len(zones) != 1 or zones[0] not in ZONES:
            raise invalid("The zones must be one of %s." % (list(ZONES),))
        priority = props.get("priority") or "Regular"
        spec = {"size": size, "image": image, "network": net, "zone": zones[0],
                "priority": priority}
        if priority == "Spot":
            policy = props.get("evictionPolicy")
            if policy not in ("Delete", "Deallocate"):
                raise invalid("A Spot VM needs evictionPolicy Delete or Deallocate.")
            spec["evictionPolicy"] = policy
            spec["maxPrice"] = (props.get("billingProfile") or {}).get("maxPrice", -1)
        elif priority != "Regular":
            raise invalid("The priority '%s' is not allowed." % priority)
        return spec
    return validate


def install(app, world, answer):
    """`answer(kind, fn)` runs fn under the token check and the `kind` bucket, and renders."""
    validate = validator(world)

    def op_headers(sub, op_id):
        base = request.host_url.rstrip("/")
        url = ("%s/subscriptions/%s/providers/Microsoft.Compute/locations/%s/operations/%s"
               "?api-version=%s" % (base, sub, world.location, op_id,
                                    request.args.get("api-version")))
        return {"Azure-AsyncOperation": url, "Location": url + "&monitor=true",
                "Retry-After": "1"}

    @app.put(PROVIDER + "/virtualMachines/<name>")
    def put_vm(sub, group, name):
        def go():
            world.count("calls", "virtualMachines.createOrUpdate")
            body = request.get_json(force=True, silent=True)
            if not isinstance(body, dict):
                raise invalid("The request body is not a JSON object.")
            vm, created, op_id = world.put(group, name, body, validate)
            if not created:
                return model(world, vm), 200, {}
            return model(world, vm), 201, op_headers(sub, op_id)
        return answer("writes", go)

    @app.get(PROVIDER + "/virtualMachines/<name>")
    def get_vm(sub, group, name):
        def go():
            world.count("calls", "virtualMachines.get")
            with world.lock:
                world.advance()
                world.check_group(group)
                expand = request.args.get("$expand") == "instanceView"
                return model(world, world.get(group, name), expand), 200, {}
        return answer("reads", go)

    @app.get(PROVIDER + "/virtualMachines/<name>/instanceView")
    def view_vm(sub, group, name):
        def go():
            world.count("calls", "virtualMachines.instanceView")
            with world.lock:
                world.advance()
                world.check_group(group)
                return instance_view(world.get(group, name)), 200, {}
        return answer("reads", go)

    @app.get(PROVIDER + "/virtualMachines")
    def list_vms(sub, group):
        def go():
            status_only = request.args.get("statusOnly", "").lower() == "true"
            world.count("calls", "virtualMachines.list" + (".statusOnly" if status_only else ""))
            vms = world.listing(group)
            skip = int(request.args.get("$skiptoken", "0") or 0)
            page = vms[skip:skip + PAGE]
            out = {"value": [model(world, v, status_only) for v in page]}
            if skip + PAGE < len(vms):
                args = {k: v for k, v in request.args.items() if k != "$skiptoken"}
                query = "&".join("%s=%s" % kv for kv in args.items())
                out["nextLink"] = "%s?%s&$skiptoken=%d" % (request.base_url, query, skip + PAGE)
            return out, 200, {}
        return answer("reads", go)

    def action(kind, verb):
        def handler(sub, group, name):
            def go():
                world.count("calls", "virtualMachines." + verb)
                op_id = world.change(group, name, verb)
                if op_id is None:
                    return None, 204, {}
                return None, 202, op_headers(sub, op_id)
            return answer(kind, go)
        return handler

    app.add_url_rule(PROVIDER + "/virtualMachines/<name>/deallocate", "deallocate",
                     action("writes", "deallocate"), methods=["POST"])
    app.add_url_rule(PROVIDER + "/virtualMachines/<name>/start", "start",
                     action("writes", "start"), methods=["POST"])
    app.add_url_rule(PROVIDER + "/virtualMachines/<name>", "delete",
                     action("deletes", "delete"), methods=["DELETE"])

    @app.get("/subscriptions/<sub>/providers/Microsoft.Compute/locations/<loc>/operations/<op>")
    def operation(sub, loc, op):
        def go():
            world.count("calls", "operations.get")
            return world.operation(op), 200, {}
        return answer("reads", go)

    @app.get("/subscriptions/<sub>/providers/Microsoft.Compute/skus")
    def skus(sub):
        def go():
            world.count("calls", "resourceSkus.list")
            out = []
            for size, (cpus, mem, gpus, family) in sorted(SKUS.items()):
                caps = [{"name": "vCPUs", "value": str(cpus)},
                        {"name": "MemoryGB", "value": str(mem)}]
                if gpus:
                    caps.append({"name": "GPUs", "value": str(gpus)})
                restricted = [z for z in ZONES if world.fault(z).get("sku_unavailable")]
                restrictions = []
                if restricted:
                    restrictions.append({"type": "Zone", "values": [world.location],
                                         "restrictionInfo": {"locations": [world.location],
                                                             "zones": restricted},
                                         "reasonCode": "NotAvailableForSubscription"})
                out.append({"resourceType": "virtualMachines", "name": size,
                            "tier": "Standard", "size": size.split("_", 1)[1],
                            "family": family, "locations": [world.location],
                            "locationInfo": [{"location": world.location,
                                              "zones": list(ZONES)}],
                            "capabilities": caps, "restrictions": restrictions})
            out.append({"resourceType": "disks", "name": "Premium_LRS", "tier": "Premium",
                        "locations": [world.location], "capabilities": [],
                        "restrictions": []})
            return {"value": out}, 200, {}
        return answer("reads", go)

    @app.get("/subscriptions/<sub>/resourceGroups/<group>")
    def group(sub, group):
        def go():
            world.check_group(group)
            return {"id": "/subscriptions/%s/resourceGroups/%s" % (sub, group), "name": group,
                    "location": world.location,
                    "properties": {"provisioningState": "Succeeded"}}, 200, {}
        return answer("reads", go)

    return jsonify
