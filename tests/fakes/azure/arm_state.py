"""The fake Resource Manager's state: the virtual machines of one subscription's resource
groups in one location, their asynchronous operations, the subscription's regional throttling
buckets and the injected faults. Lifecycles are driven by a queue of timed events (no threads:
every request first applies the events that are due, under one lock).

Lifecycles, as Microsoft.Compute documents them:
  create (PUT)    provisioningState Creating, PowerState/starting at once; after `boot` s
                  Succeeded and PowerState/running, and the operation Succeeded. A zone out of
                  capacity: after `op` s the operation Failed (AllocationFailed,
                  ZonalAllocationFailed or OverconstrainedAllocationRequest) and the VM stays,
                  provisioningState Failed, as Azure leaves it.
  PUT again       an existing VM of that name is updated in place (200): no second VM.
  deallocate      PowerState/deallocating, then deallocated after `op` s.
  start           PowerState/starting, then running after `op` s.
  delete          provisioningState Deleting, then gone after `op` s; a VM that is not there
                  answers 204.
  eviction        (admin) a Spot VM with evictionPolicy Delete is deleted, one with Deallocate
                  is deallocated.
Thread rules: every public method takes the lock. Times: time.monotonic for events, wall time
for the timestamps.
"""

import datetime
import heapq
import itertools
import threading
import time
import uuid

ZONES = ("1", "2", "3")

# size: (vCPUs, MemoryGB, GPUs, family)
SKUS = {
    "Standard_B1s": (1, 1, 0, "standardBSFamily"),
    "Standard_B2s": (2, 4, 0, "standardBSFamily"),
    "Standard_D2s_v5": (2, 8, 0, "standardDSv5Family"),
    "Standard_D4s_v5": (4, 16, 0, "standardDSv5Family"),
    "Standard_D8s_v5": (8, 32, 0, "standardDSv5Family"),
    "Standard_E2s_v5": (2, 16, 0, "standardESv5Family"),
    "Standard_E4s_v5": (4, 32, 0, "standardESv5Family"),
    "Standard_F2s_v2": (2, 4, 0, "standardFSv2Family"),
    "Standard_F4s_v2": (4, 8, 0, "standardFSv2Family"),
    "Standard_NC4as_T4_v3": (4, 28, 1, "standardNCASv3_T4Family"),
}

BAD_TAG_CHARS = set('<>%&\\?/')


class ApiError(Exception):
    """An ARM error answer: {"error": {"code", "message"}} with its HTTP status."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def utc(wall=None):
    t = datetime.datetime.fromtimestamp(wall if wall is not None else time.time(),
                                        datetime.timezone.utc)
    return t.isoformat().replace("+00:00", "Z")


class Bucket:
    """A regional token bucket of ARM: `size` tokens refilling `rate` a second."""

    def __init__(self, size, rate):
        self.size, self.rate, self.tokens, self.at = size, rate, float(size), time.monotonic()

    def refill(self):
        now = time.monotonic()
        self.tokens = min(self.size, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def take(self):
        """True with a token taken; else the seconds until one is there."""
        if self.size <= 0:
            return True
        self.refill()
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return max(1, int((1 - self.tokens) / self.rate + 0.999))

    def left(self):
        if self.size <= 0:
            return 11999
        self.refill()
        return int(self.tokens)


class World:
    def __init__(self, subscription, location, groups, boot=0.5, op=0.2, buckets=None):
        self.lock = threading.RLock()
        self.subscription, self.location = subscription, location
        self.groups = set(groups)
        self.boot, self.op = boot, op
        self.bucket_sizes = buckets or {"reads": (250, 25), "writes": (200, 10),
                                        "deletes": (200, 10)}
        self.reset()

    def reset(self):
        with self.lock:
            self.vms = {}          # (group, name) -> vm dict
            self.ops = {}          # id -> operation dict
            self.events = []       # (due, seq, fn)
            self.seq = itertools.count()
            self.faults = {}       # zone or "*" -> dict
            self.stats = {"calls": {}, "errors": {}, "created": 0, "throttled": 0,
                          "tokens": 0, "refused": 0}
            self.buckets = {k: Bucket(*v) for k, v in self.bucket_sizes.items()}

    # -- time -------------------------------------------------------------------------------
    def later(self, seconds, fn):
        heapq.heappush(self.events, (time.monotonic() + seconds, next(self.seq), fn))

    def advance(self):
        now = time.monotonic()
        while self.events and self.events[0][0] <= now:
            _, _, fn = heapq.heappop(self.events)
            fn()

    # -- bookkeeping --------------------------------------------------------------------------
    def count(self, group, name):
        self.stats[group][name] = self.stats[group].get(name, 0) + 1

    def fault(self, zone):
        merged = dict(self.faults.get("*", {}))
        merged.update(self.faults.get(zone, {}))
        return merged

    def set_faults(self, zone, **changes):
        with self.lock:
            f = self.faults.setdefault(zone, {})
            for k, v in changes.items():
                if v is None:
                    f.pop(k, None)
                else:
                    f[k] = v
            return dict(f)

    def take_fault(self, zone, key):
        """Counts down an injected N-times fault of `zone` (or "*"); True when it fires."""
        for z in (zone, "*"):
            f = self.faults.get(z, {})
            if f.get(key, 0) > 0:
                f[key] -= 1
                return True
        return False

    def throttle(self, kind):
        """Takes a token of the `kind` bucket (reads, writes, deletes) or raises 429."""
        got = self.buckets[kind].take()
        if got is not True:
            self.stats["throttled"] += 1
            raise ApiError(429, "SubscriptionRequestsThrottled",
                           "Number of '%s' requests for subscription '%s' exceeded the limit "
                           "of this region. Please try again after '%d' seconds."
                           % (kind, self.subscription, got), {"Retry-After": str(got)})

    def rate_headers(self, kind):
        left = self.buckets[kind].left()
        h = {"x-ms-ratelimit-remaining-subscription-" + kind: str(left)}
        if kind == "writes":
            h["x-ms-ratelimit-remaining-resource"] = "Microsoft.Compute/PutVM3Min;%d" % left
        elif kind == "reads":
            h["x-ms-ratelimit-remaining-resource"] = "Microsoft.Compute/GetVM3Min;%d" % left
        return h

    # -- operations -------------------------------------------------------------------------------
    def new_op(self, kind, group, name):
        op_id = str(uuid.uuid4())
        self.ops[op_id] = {"name": op_id, "status": "InProgress", "startTime": utc(),
                           "kind": kind, "vm": (group, name)}
        return op_id

    def end_op(self, op_id, error=None):
        op = self.ops[op_id]
        op["status"] = "Failed" if error else "Succeeded"
        op["endTime"] = utc()
        if error:
            op["error"] = {"code": error[0], "message": error[1]}

    def operation(self, op_id):
        with self.lock:
            self.advance()
            op = self.ops.get(op_id)
            if op is None:
                raise ApiError(404, "ResourceNotFound", "The operation '%s' was not found." % op_id)
            return {k: v for k, v in op.items() if k not in ("kind", "vm")}

    # -- virtual machines ----------------------------------------------------------------------
    def check_group(self, group):
        if group.lower() not in {g.lower() for g in self.groups}:
            raise ApiError(404, "ResourceGroupNotFound",
                           "Resource group '%s' could not be found." % group)

    def get(self, group, name):
        vm = self.vms.get((group.lower(), name.lower()))
        if vm is None:
            raise ApiError(404, "ResourceNotFound",
                           "The Resource 'Microsoft.Compute/virtualMachines/%s' under resource "
                           "group '%s' was not found." % (name, group))
        return vm

    def put(self, group, name, body, validate):
        """Creates or updates; returns (vm, created, op_id)."""
        with self.lock:
            self.advance()
            self.check_group(group)
            key = (group.lower(), name.lower())
            if key in self.vms:
                vm = self.vms[key]
                if vm["provisioningState"] in ("Deleting",):
                    raise ApiError(409, "OperationNotAllowed",
                                   "The VM '%s' is being deleted." % name)
                vm["tags"] = dict(body.get("tags") or {})
                return vm, False, None
            spec = validate(body, name)
            zone = spec["zone"]
            f = self.fault(zone)
            if self.take_fault(zone, "errors5xx"):
                raise ApiError(500, "InternalServerError", "An internal error occurred.")
            if self.take_fault(zone, "throttle"):
                self.stats["throttled"] += 1
                raise ApiError(429, "SubscriptionRequestsThrottled",
                               "Number of write requests exceeded the limit of this region.",
                               {"Retry-After": "1"})
            if f.get("quota"):
                raise ApiError(409, "OperationNotAllowed",
                               "Operation could not be completed as it results in exceeding "
                               "approved %s Cores quota." % SKUS[spec["size"]][3])
            if f.get("sku_unavailable"):
                raise ApiError(409, "SkuNotAvailable",
                               "The requested size for resource '%s' is currently not available "
                               "in location '%s' zones '%s'." % (name, self.location, zone))
            vm = dict(spec, name=name, group=group, provisioningState="Creating", allocated=False,
                      power="starting", vmId=str(uuid.uuid4()), timeCreated=utc(),
                      tags=dict(body.get("tags") or {}))
            self.vms[key] = vm
            op_id = self.new_op("create", group, name)
            capacity = f.get("capacity")
            in_zone = sum(1 for v in self.vms.values() if v["zone"] == zone and v.get("allocated"))
            if capacity is not None and in_zone >= capacity:
                code = f.get("stockout", "ZonalAllocationFailed")
                self.later(self.op, lambda: self._failed(key, op_id, code, zone))
            else:
                vm["allocated"] = True
                self.stats["created"] += 1
                self.later(self.boot, lambda: self._booted(key, op_id))
            return vm, True, op_id

    def _failed(self, key, op_id, code, zone):
        vm = self.vms.get(key)
        if vm is not None:
            vm["provisioningState"], vm["power"] = "Failed", "stopped"
        self.count("errors", "create_" + code)
        self.end_op(op_id, (code, "Allocation failed. We do not have sufficient capacity for "
                                  "the requested VM size in zone '%s' of this region." % zone))

    def _booted(self, key, op_id):
        vm = self.vms.get(key)
        if vm is not None and vm["provisioningState"] == "Creating":
            vm["provisioningState"], vm["power"] = "Succeeded", "running"
        self.end_op(op_id)

    def change(self, group, name, action):
        """deallocate, start or delete; returns the operation id (None: nothing to do)."""
        with self.lock:
            self.advance()
            self.check_group(group)
            key = (group.lower(), name.lower())
            if action == "delete" and key not in self.vms:
                return None
            vm = self.get(group, name)
            if self.take_fault(vm["zone"], "errors5xx"):
                raise ApiError(503, "ServiceUnavailable", "The service is unavailable.")
            if vm["provisioningState"] == "Deleting":
                raise ApiError(409, "OperationNotAllowed", "The VM '%s' is being deleted." % name)
            op_id = self.new_op(action, group, name)
            if action == "delete":
                vm["provisioningState"] = "Deleting"

                def gone():
                    self.vms.pop(key, None)
                    self.end_op(op_id)
            else:
                vm["power"] = "deallocating" if action == "deallocate" else "starting"
                final = "deallocated" if action == "deallocate" else "running"

                def gone():
                    if key in self.vms:
                        self.vms[key]["power"] = final
                    self.end_op(op_id)
            self.later(self.op, gone)
            return op_id

    def evict(self, names):
        with self.lock:
            self.advance()
            n = 0
            for key, vm in list(self.vms.items()):
                if vm["name"] in names and vm["priority"] == "Spot":
                    if vm.get("evictionPolicy") == "Delete":
                        self.vms.pop(key)
                    else:
                        vm["power"] = "deallocated"
                    n += 1
            return n

    def listing(self, group):
        with self.lock:
            self.advance()
            self.check_group(group)
            return sorted((v for (g, _), v in self.vms.items() if g == group.lower()),
                          key=lambda v: v["name"])
