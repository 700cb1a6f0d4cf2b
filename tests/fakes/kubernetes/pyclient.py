#!/usr/bin/python3
"""The Kubernetes Python client (Debian python3-kubernetes) against a cluster of KUBECONFIG,
for Styx's tests:
  pyclient.py list NAMESPACE SELECTOR          -> {"pods": [{"name", "phase", "labels"}]}
  pyclient.py create NAMESPACE NAME k=v ...    -> {"created": NAME}
"""

import json
import sys

sys.dont_write_bytecode = True

from kubernetes import client, config  # noqa: E402


def main():
    config.load_kube_config()
    v1 = client.CoreV1Api()
    cmd, ns = sys.argv[1], sys.argv[2]
    if cmd == "list":
        pods = v1.list_namespaced_pod(ns, label_selector=sys.argv[3], limit=50)
        out = [{"name": p.metadata.name, "phase": p.status.phase,
                "labels": p.metadata.labels or {}} for p in pods.items]
        while pods.metadata._continue:
            pods = v1.list_namespaced_pod(ns, label_selector=sys.argv[3], limit=50,
                                          _continue=pods.metadata._continue)
            out += [{"name": p.metadata.name, "phase": p.status.phase,
                     "labels": p.metadata.labels or {}} for p in pods.items]
        print(json.dumps({"pods": out}))
    elif cmd == "create":
        name = sys.argv[3]
        labels = dict(kv.split("=", 1) for kv in sys.argv[4:])
        res = client.V1ResourceRequirements(requests={"cpu": "1", "memory": "2Gi"},
                                            limits={"cpu": "1", "memory": "2Gi"})
        pod = client.V1Pod(metadata=client.V1ObjectMeta(name=name, labels=labels),
                           spec=client.V1PodSpec(containers=[client.V1Container(
                               name="main", image="registry.k8s.io/pause:3.9", resources=res)]))
        v1.create_namespaced_pod(ns, pod)
        print(json.dumps({"created": name}))


if __name__ == "__main__":
    main()
