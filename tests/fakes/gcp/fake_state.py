"""The fake Compute Engine's state: zones, machine types, instances and zone operations of one
project, with their lifecycles driven by a queue of timed events (no threads: every request
first applies the events that are due, under one lock).

Lifecycles, as Compute documents them:
  insert       the instance is PROVISIONING at once, STAGING after `staging` s, RUNNING after
               `boot` s; its operation is PENDING, RUNNING, then DONE after `op` s.
  bulkInsert   all-or-nothing below minCount: with less capacity left in the zone than minCount
               nothing is created and the operation ends in ZONE_RESOURCE_POOL_EXHAUSTED.
  stop         STOPPING, then TERMINATED after `stop` s (the operation is DONE then).
  start        STAGING, then RUNNING after `boot` s; no capacity: the operation fails and the
               instance stays TERMINATED.
  delete       STOPPING, then gone after `stop` s.
  preemption   (admin) a SPOT instance gets a DONE `compute.instances.preempted` operation, goes
               STOPPING, TERMINATED, and is deleted when its instanceTerminationAction is DELETE.
Errors decided at acceptance (capacity, quota) show only in the operation, when it is DONE.
Thread rules: every public method takes the lock. Times: time.monotonic for the events,
wall time for the RFC 3339 timestamps.
"""

import datetime
import heapq
import itertools
import random
import threading
import time

NAME_RE = r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?"

ZONES = {
    "us-central1-a": "us-central1", "us-central1-b": "us-central1",
    "us-central1-c": "us-central1", "us-central1-f": "us-central1",
    "us-east1-b": "us-east1", "us-east1-c": "us-east1", "us-east1-d": "us-east1",
    "europe-west1-b": "europe-west1", "europe-west1-c": "europe-west1",
}

# name: (guestCpus, memoryMb, sharedCpu)
MACHINE_TYPES = {
    "e2-micro": (2, 1024, True), "e2-small": (2, 2048, True), "e2-medium": (2, 4096, True),
    "e2-standard-2": (2, 8192, False), "e2-standard-4": (4, 16384, False),
    "e2-standard-8": (8, 32768, False), "e2-highcpu-2": (2, 2048, False),
    "e2-highcpu-4": (4, 4096, False), "e2-highmem-2": (2, 16384, False),
    "n1-standard-1": (1, 3840, False), "n1-standard-2": (2, 7680, False),
    "n2-standard-2": (2, 8192, False), "n2-standard-4": (4, 16384, False),
    "n2-standard-8": (8, 32768, False), "c2-standard-4": (4, 16384, False),
    "g2-standard-4": (4, 16384, False),
}


def rfc3339(wall=None):
    t = datetime.datetime.fromtimestamp(wall if wall is not None else time.time(),
                                        datetime.timezone.utc)
    return t.isoformat(timespec="milliseconds").replace("+00:00", "-00:00")


class ApiError(Exception):
    """A synchronous error answer: HTTP status, reason, message."""

    def __init__(self, status, reason, message):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message


class Timing:
    def __init__(self, op=0.3, staging=0.2, boot=0.6, stop=0.3):
        self.op, self.staging, self.boot, self.stop = op, staging, boot, stop


class World:
    def __init__(self, project, base, timing=None, seed=1):
        self.project = project
        self.base = base.rstrip("/") + "/"          # ".../compute/v1/"
        self.timing = timing or Timing()
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.ids = itertools.count(4_000_000_000_000_000_000 + seed * 1000)
        self.seq = itertools.count()
        self.events = []
        self.instances = {}      # (zone, name) -> resource dict
        self.operations = {}     # (zone, name) -> resource dict
        self.request_ids = {}    # requestId -> (zone, operation name)
        self.faults = {}         # zone or "*" -> dict, see set_faults
        self.stats = {}          # counter name -> int
        self.per_minute = {"mutations": 0, "reads": 0}  # 0: no quota
        self.window = {"minute": None, "mutations": 0, "reads": 0}

    # -- links ---------------------------------------------------------------------------
    def zone_link(self, zone):
        return "%sprojects/%s/zones/%s" % (self.base, self.project, zone)

    def region_link(self, region):
        return "%sprojects/%s/regions/%s" % (self.base, self.project, region)

    def type_link(self, zone, mtype):
        return "%s/machineTypes/%s" % (self.zone_link(zone), mtype)

    # -- time and events -------------------------------------------------------------------
    def at(self, delay, fn):
        heapq.heappush(self.events, (time.monotonic() + delay, next(self.seq), fn))

    def advance(self):
        now = time.monotonic()
        while self.events and self.events[0][0] <= now:
            _, _, fn = heapq.heappop(self.events)
            fn()

    def count(self, name, n=1):
        self.stats[name] = self.stats.get(name, 0) + n

    # -- faults and quotas -----------------------------------------------------------------
    def fault(self, zone):
        return self.faults.setdefault(zone, {"capacity": None, "quota": False, "throttle": 0,
                                             "errors5xx": 0, "stockout": "ZONE_RESOURCE_POOL_EXHAUSTED",
                                             "forbidden": False})

    def set_faults(self, zone, **changes):
        with self.lock:
            f = self.fault(zone)
            for key, value in changes.items():
                if key not in f:
                    raise ApiError(400, "invalid", "unknown fault %r" % key)
                f[key] = value
            return dict(f)

    def admit(self, zone, mutation):
        """Synchronous faults and per-minute quotas of one request (raises ApiError)."""
        self.advance()
        for scope in (zone, "*"):
            f = self.faults.get(scope)
            if not f:
                continue
            if f["forbidden"]:
                raise ApiError(403, "forbidden", "Required 'compute.instances.list' permission "
                                                 "for 'projects/%s'" % self.project)
            if f["throttle"] > 0:
                f["throttle"] -= 1
                self.count("injected_throttle")
                raise ApiError(403, "rateLimitExceeded", "Rate Limit Exceeded")
            if f["errors5xx"] > 0:
                f["errors5xx"] -= 1
                self.count("injected_5xx")
                raise ApiError(503, "backendError", "Internal error. Please try again.")
        minute = int(time.time() // 60)
        if self.window["minute"] != minute:
            self.window = {"minute": minute, "mutations": 0, "reads": 0}
        kind = "mutations" if mutation else "reads"
        self.window[kind] += 1
        limit = self.per_minute[kind]
        if limit and self.window[kind] > limit:
            self.count("quota_throttle")
            raise ApiError(403, "rateLimitExceeded",
                           "Quota exceeded for quota metric '%s' and limit '%s per minute'"
                           % ("Queries" if mutation else "Read requests", kind))

    # -- operations ------------------------------------------------------------------------
    def new_operation(self, zone, op_type, target, request_id, user="styx-fake"):
        stamp = int(time.time() * 1000)
        name = "operation-%d-%012x-%08x-%08x" % (stamp, self.rng.getrandbits(48),
                                                self.rng.getrandbits(32), self.rng.getrandbits(32))
        op = {
            "kind": "compute#operation", "id": str(next(self.ids)), "name": name,
            "zone": self.zone_link(zone), "operationType": op_type,
            "targetLink": target, "status": "PENDING", "user": user, "progress": 0,
            "insertTime": rfc3339(), "selfLink": "%s/operations/%s" % (self.zone_link(zone), name),
        }
        if request_id:
            op["clientOperationId"] = request_id
            self.request_ids[request_id] = (zone, name)
        self.operations[(zone, name)] = op
        self.at(0.02, lambda: self._op_running(op))
        return op

    def _op_running(self, op):
        if op["status"] == "PENDING":
            op["status"] = "RUNNING"
            op["startTime"] = rfc3339()

    def finish(self, op, delay, error=None, effect=None):
        """Ends `op` after `delay` s: DONE, with `error` (code, message, http status) if any."""
        def done():
            if effect is not None:
                effect()
            self._op_running(op)
            op.update(status="DONE", progress=100, endTime=rfc3339())
            if error is not None:
                code, message, http = error
                op["error"] = {"errors": [{"code": code, "message": message}]}
                op["httpErrorStatusCode"] = http
                op["httpErrorMessage"] = {400: "BAD REQUEST", 403: "FORBIDDEN",
                                          503: "SERVICE UNAVAILABLE"}.get(http, "ERROR")
        self.at(delay, done)

    def repeated(self, request_id):
        """The operation a requestId already made (Compute answers it again), or None."""
        where = self.request_ids.get(request_id) if request_id else None
        if where is None:
            return None
        self.count("request_id_repeats")
        return self.operations.get(where)

    # -- instances ---------------------------------------------------------------------------
    def capacity_error(self, zone, wanted):
        f = self.faults.get(zone) or {}
        if f.get("quota"):
            region = ZONES[zone]
            return ("QUOTA_EXCEEDED", "Quota 'CPUS' exceeded.  Limit: 24.0 in region %s." % region,
                    403)
        left = f.get("capacity")
        if left is not None and left < wanted:
            code = f.get("stockout", "ZONE_RESOURCE_POOL_EXHAUSTED")
            return (code, "The zone 'projects/%s/zones/%s' does not have enough resources "
                          "available to fulfill the request.  Try a different zone, or try again "
                          "later." % (self.project, zone), 503)
        return None

    def take_capacity(self, zone, n):
        f = self.faults.get(zone)
        if f and f.get("capacity") is not None:
            f["capacity"] -= n

    def make_instance(self, zone, name, props):
        mtype = props["machineType"].rsplit("/", 1)[-1]
        scheduling = dict(props.get("scheduling") or {})
        scheduling.setdefault("provisioningModel", "STANDARD")
        scheduling.setdefault("automaticRestart", scheduling["provisioningModel"] != "SPOT")
        scheduling.setdefault("onHostMaintenance",
                              "TERMINATE" if scheduling["provisioningModel"] == "SPOT" else "MIGRATE")
        scheduling.setdefault("preemptible", False)
        link = "%s/instances/%s" % (self.zone_link(zone), name)
        disks = []
        for i, d in enumerate(props.get("disks") or [{"boot": True}]):
            disks.append({"kind": "compute#attachedDisk", "type": "PERSISTENT", "mode": "READ_WRITE",
                          "index": i, "boot": bool(d.get("boot", i == 0)),
                          "autoDelete": bool(d.get("autoDelete", True)),
                          "deviceName": "persistent-disk-%d" % i,
                          "source": "%s/disks/%s%s" % (self.zone_link(zone), name,
                                                       "" if i == 0 else "-%d" % i)})
        nics = []
        for i, n in enumerate(props.get("networkInterfaces") or [{}]):
            nics.append({"kind": "compute#networkInterface", "name": "nic%d" % i,
                         "network": "%sprojects/%s/global/networks/%s" % (
                             self.base, self.project,
                             (n.get("network") or "default").rsplit("/", 1)[-1]),
                         "networkIP": "10.128.%d.%d" % (self.rng.randrange(256), self.rng.randrange(2, 250))})
        inst = {
            "kind": "compute#instance", "id": str(next(self.ids)), "name": name,
            "creationTimestamp": rfc3339(), "zone": self.zone_link(zone),
            "machineType": self.type_link(zone, mtype), "status": "PROVISIONING",
            "labels": dict(props.get("labels") or {}),
            "labelFingerprint": "%016x" % self.rng.getrandbits(64),
            "scheduling": scheduling, "disks": disks, "networkInterfaces": nics,
            "cpuPlatform": "Unknown CPU Platform", "selfLink": link,
            "tags": {"items": list((props.get("tags") or {}).get("items") or []),
                     "fingerprint": "42WmSpB8rSM="},
            "description": props.get("description", ""),
            "fingerprint": "%016x" % self.rng.getrandbits(64),
        }
        if "metadata" in props:
            inst["metadata"] = props["metadata"]
        self.instances[(zone, name)] = inst
        self.take_capacity(zone, 1)
        self.count("instances_created")
        self.boot(zone, name, staging=True)
        return inst

    def set_status(self, zone, name, status, only_from=None):
        inst = self.instances.get((zone, name))
        if inst is None or (only_from is not None and inst["status"] not in only_from):
            return
        inst["status"] = status
        if status == "RUNNING":
            inst["lastStartTimestamp"] = rfc3339()
        if status == "TERMINATED":
            inst["lastStopTimestamp"] = rfc3339()

    def boot(self, zone, name, staging):
        t = self.timing
        if not staging:
            self.set_status(zone, name, "STAGING")
        else:
            self.at(t.staging, lambda: self.set_status(zone, name, "STAGING", ("PROVISIONING",)))
        self.at(t.boot, lambda: self.set_status(zone, name, "RUNNING", ("PROVISIONING", "STAGING")))

    def remove(self, zone, name):
        if self.instances.pop((zone, name), None) is not None:
            self.take_capacity(zone, -1)
            self.count("instances_deleted")

    def preempt(self, zone, name):
        inst = self.instances.get((zone, name))
        if inst is None or inst["scheduling"].get("provisioningModel") != "SPOT" \
                or inst["status"] != "RUNNING":
            return False
        op = self.new_operation(zone, "compute.instances.preempted", inst["selfLink"], None,
                                user="system")
        op["targetId"] = inst["id"]
        self.finish(op, 0)
        inst["status"] = "STOPPING"
        self.at(self.timing.stop, lambda: self.set_status(zone, name, "TERMINATED", ("STOPPING",)))
        if inst["scheduling"].get("instanceTerminationAction") == "DELETE":
            self.at(self.timing.stop * 1.5, lambda: self.remove(zone, name))
        self.count("preempted")
        return True
