"""The state of the fake Kubernetes API (kube_fake.py): pods by namespace, the event log that
watches read, resource versions, label selectors and the injectable faults.

Thread rules: every method takes `lock`; watchers wait on `changed`. Lifetimes: one World
per process.
"""

import random
import re
import threading
import time
import uuid
from datetime import datetime, timezone

SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")


class ApiError(Exception):
    def __init__(self, code, reason, message, retry_after=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.retry_after = code, reason, message, retry_after

    def status(self):
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "code": self.code}


def valid_label_key(key):
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not SUBDOMAIN.match(prefix)):
        return False
    return 0 < len(name) <= 63 and bool(LABEL_NAME.match(name))


def valid_label_value(value):
    return value == "" or (len(value) <= 63 and bool(LABEL_NAME.match(value)))


def parse_selector(text):
    """A label selector as a list of predicates on a labels dict (=, ==, !=, in, notin,
    exists, !exists)."""
    preds = []
    for part in re.findall(r"[^,(]+(?:\([^)]*\))?", text or ""):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$", part)
        if m:
            key, op, vals = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
            if op == "in":
                preds.append(lambda l, k=key, vs=vals: l.get(k) in vs)
            else:
                preds.append(lambda l, k=key, vs=vals: l.get(k) not in vs)
            continue
        m = re.match(r"^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$", part)
        if m:
            key, op, val = m.groups()
            if op == "!=":
                preds.append(lambda l, k=key, v=val: l.get(k) != v)
            else:
                preds.append(lambda l, k=key, v=val: l.get(k) == v)
            continue
        if part.startswith("!"):
            preds.append(lambda l, k=part[1:]: k not in l)
        else:
            preds.append(lambda l, k=part: k in l)
    return lambda labels: all(p(labels) for p in preds)


def now_rfc3339():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class World:
    def __init__(self, boot_seconds=0.5, history=100000, seed=1):
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.pods = {}          # (namespace, name) -> pod dict
        self.timers = {}        # (namespace, name) -> (when, what): "run" or "gone"
        self.rv = 1000
        self.events = []        # (rv, type, pod copy); the oldest are dropped past `history`
        self.history = history
        self.boot_seconds = boot_seconds
        self.rng = random.Random(seed)
        self.faults = {"unschedulable_every": 0, "unschedulable_class": "",
                       "throttle_every": 0, "retry_after": 1, "max_qps": 0}
        self.created = 0
        self.requests = 0
        self.counters = {}
        self.watch_generation = 0  # bumping it ends every open watch (expire or drop)
        self.watch_end = "drop"
        self.bucket = (0.0, time.monotonic())
        threading.Thread(target=self._tick, daemon=True).start()

    # -- requests -------------------------------------------------------------------------

    def admit(self, verb):
        """Counts a request; raises the injected 429s (every Nth, or over max_qps)."""
        with self.lock:
            self.requests += 1
            self.counters[verb] = self.counters.get(verb, 0) + 1
            every = self.faults["throttle_every"]
            limited = every and self.requests % every == 0
            qps = self.faults["max_qps"]
            if qps:
                tokens, at = self.bucket
                now = time.monotonic()
                tokens = min(qps, tokens + (now - at) * qps)
                limited = limited or tokens < 1
                self.bucket = (tokens if tokens < 1 else tokens - 1, now)
            if limited:
                self.counters["throttled"] = self.counters.get("throttled", 0) + 1
                raise ApiError(429, "TooManyRequests",
                               "the server has received too many requests",
                               self.faults["retry_after"])

    # -- pods -----------------------------------------------------------------------------

    def _bump(self, kind, pod):
        self.rv += 1
        pod["metadata"]["resourceVersion"] = str(self.rv)
        self.events.append((self.rv, kind, _copy(pod)))
        if len(self.events) > self.history:
            del self.events[: len(self.events) - self.history]
        self.changed.notify_all()

    def create(self, ns, pod):
        meta = pod.setdefault("metadata", {})
        name = meta.get("name", "")
        if not SUBDOMAIN.match(name) or len(name) > 253:
            raise ApiError(422, "Invalid", f'Pod "{name}" is invalid: metadata.name')
        for k, v in (meta.get("labels") or {}).items():
            if not valid_label_key(k) or not valid_label_value(v):
                raise ApiError(422, "Invalid", f'Pod "{name}" is invalid: label {k}={v}')
        with self.lock:
            if (ns, name) in self.pods:
                raise ApiError(409, "AlreadyExists", f'pods "{name}" already exists')
            self.created += 1
            meta.update({"namespace": ns, "uid": str(uuid.uuid4()),
                         "creationTimestamp": now_rfc3339()})
            pod["status"] = {"phase": "Pending", "conditions": []}
            cls = meta.get("labels", {}).get("styx.dev/class", "")
            every = self.faults["unschedulable_every"]
            if (every and self.created % every == 0) or \
               (cls and cls == self.faults["unschedulable_class"]):
                pod["status"]["conditions"] = [{
                    "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                    "message": "0/3 nodes are available: 3 Insufficient cpu."}]
            else:
                self.timers[(ns, name)] = (time.monotonic() + self.boot_seconds, "run")
            self.pods[(ns, name)] = pod
            self._bump("ADDED", pod)
            return _copy(pod)

    def get(self, ns, name):
        with self.lock:
            pod = self.pods.get((ns, name))
            if pod is None:
                raise ApiError(404, "NotFound", f'pods "{name}" not found')
            return _copy(pod)

    def delete(self, ns, name, grace):
        with self.lock:
            pod = self.pods.get((ns, name))
            if pod is None:
                raise ApiError(404, "NotFound", f'pods "{name}" not found')
            if grace is not None and int(grace) == 0:
                return self._remove(ns, name)
            if "deletionTimestamp" not in pod["metadata"]:
                pod["metadata"]["deletionTimestamp"] = now_rfc3339()
                pod["metadata"]["deletionGracePeriodSeconds"] = int(grace or 30)
                # The fake's kubelet ends the container at once: gone after a short while.
                self.timers[(ns, name)] = (time.monotonic() + min(0.2, self.boot_seconds), "gone")
                self._bump("MODIFIED", pod)
            return _copy(pod)

    def _remove(self, ns, name):
        pod = self.pods.pop((ns, name))
        self.timers.pop((ns, name), None)
        self._bump("DELETED", pod)
        return _copy(pod)

    def list(self, ns, selector, limit=0, cont=""):
        match = parse_selector(selector)
        with self.lock:
            names = sorted(k for k in self.pods if (ns is None or k[0] == ns)
                           and match(self.pods[k]["metadata"].get("labels") or {}))
            start = int(cont) if cont else 0
            end = start + limit if limit else len(names)
            items = [_copy(self.pods[k]) for k in names[start:end]]
            more = str(end) if end < len(names) else ""
            return items, str(self.rv), more

    def events_since(self, rv):
        """Events after `rv`, or None when `rv` is older than the history kept (410)."""
        with self.lock:
            if self.events and rv < self.events[0][0] - 1:
                return None
            return [e for e in self.events if e[0] > rv]

    def _tick(self):
        while True:
            time.sleep(0.05)
            with self.lock:
                now = time.monotonic()
                for key, (when, what) in list(self.timers.items()):
                    if when > now or key not in self.pods:
                        continue
                    del self.timers[key]
                    if what == "gone":
                        self._remove(*key)
                        continue
                    pod = self.pods[key]
                    pod["status"] = {"phase": "Running", "startTime": now_rfc3339(),
                                     "conditions": [{"type": "PodScheduled", "status": "True"},
                                                    {"type": "Ready", "status": "True"}]}
                    self._bump("MODIFIED", pod)


def _copy(pod):
    import copy
    return copy.deepcopy(pod)
