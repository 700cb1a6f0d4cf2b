#!/usr/bin/python3
"""The Azure SDK for Python (Debian python3-azure: azure-mgmt-compute with azure-identity's
ClientSecretCredential) as an independent client of the fake Resource Manager, for the
cross-checks of Styx's tests. Run with Debian's /usr/bin/python3; REQUESTS_CA_BUNDLE names the
fake's throwaway CA (TLS verification stays on).

  sdk_client.py BASE_URL TENANT CLIENT_ID SECRET SUBSCRIPTION GROUP list [TAG=VALUE ...]
      prints {"vms": [{"name", "zone", "size", "priority", "tags", "power",
                       "provisioning"}]} of the group's VMs carrying every tag given
  sdk_client.py ... create NAME ZONE SIZE SUBNET_ID [TAG=VALUE ...]
      creates one VM (begin_create_or_update, polled to the end) and prints {"name", "state"}
  sdk_client.py ... delete NAME
      deletes one VM (begin_delete, polled to the end)
"""

import json
import sys

from azure.identity import ClientSecretCredential
from azure.mgmt.compute import ComputeManagementClient


def tags_of(args):
    return dict(a.split("=", 1) for a in args)


def client(base, tenant, client_id, secret, subscription):
    cred = ClientSecretCredential(tenant, client_id, secret, authority=base,
                                  instance_discovery=False)
    return ComputeManagementClient(cred, subscription, base_url=base,
                                   credential_scopes=["https://management.azure.com/.default"],
                                   polling_interval=0.1)


def power_of(view):
    for s in (view.statuses or []) if view else []:
        if s.code.startswith("PowerState/"):
            return s.code.split("/", 1)[1]
    return ""


def main():
    base, tenant, client_id, secret, subscription, group, verb = sys.argv[1:8]
    rest = sys.argv[8:]
    compute = client(base, tenant, client_id, secret, subscription)
    vms = compute.virtual_machines
    if verb == "list":
        want = tags_of(rest)
        out = []
        for vm in vms.list(group, params={"statusOnly": "true"}):
            tags = vm.tags or {}
            if any(tags.get(k) != v for k, v in want.items()):
                continue
            out.append({"name": vm.name, "zone": (vm.zones or [""])[0],
                        "size": vm.hardware_profile.vm_size, "priority": vm.priority or "",
                        "tags": tags, "power": power_of(vm.instance_view),
                        "provisioning": vm.provisioning_state})
        print(json.dumps({"vms": out}))
    elif verb == "create":
        name, zone, size, subnet = rest[:4]
        body = {
            "location": "eastus", "zones": [zone], "tags": tags_of(rest[4:]),
            "hardware_profile": {"vm_size": size},
            "storage_profile": {"image_reference": {
                "publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy",
                "sku": "22_04-lts-gen2", "version": "latest"}},
            "os_profile": {"computer_name": name, "admin_username": "byhand",
                           "admin_password": "Not-a-real-password-1"},
            "network_profile": {"network_api_version": "2020-11-01",
                                "network_interface_configurations": [{
                                    "name": name + "-nic", "primary": True,
                                    "ip_configurations": [{"name": "ip",
                                                           "subnet": {"id": subnet}}]}]},
        }
        vm = vms.begin_create_or_update(group, name, body).result()
        print(json.dumps({"name": vm.name, "state": vm.provisioning_state}))
    elif verb == "delete":
        vms.begin_delete(group, rest[0]).result()
        print(json.dumps({"deleted": rest[0]}))
    else:
        raise SystemExit("unknown verb " + verb)


if __name__ == "__main__":
    main()
