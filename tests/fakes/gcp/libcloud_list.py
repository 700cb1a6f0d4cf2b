#!/usr/bin/python3
"""Apache libcloud's GCE driver (Debian python3-libcloud, under /usr/bin/python3) as a second
independent client of the fake: lists every instance of the project and prints
{"nodes": [{"name", "zone", "state", "labels", "size"}]} as JSON.

  /usr/bin/python3 libcloud_list.py http://127.0.0.1:PORT PROJECT TOKEN [LABEL=VALUE]

libcloud reads a cached OAuth2 token from its credential file when it has not expired, so the
token is written there and no login happens; the connection is pointed at the fake's host.
"""

import json
import os
import sys
import tempfile
import time
from urllib.parse import urlparse

from libcloud.compute.providers import get_driver
from libcloud.compute.types import Provider


def main():
    endpoint, project, token = sys.argv[1:4]
    want = dict(a.split("=", 1) for a in sys.argv[4:])
    url = urlparse(endpoint)
    cred = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump({"access_token": token, "token_type": "Bearer",
               "expire_time": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                            time.gmtime(time.time() + 3600))}, cred)
    cred.close()
    try:
        base = get_driver(Provider.GCE)

        class Connection(base.connectionCls):
            host = url.hostname

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.secure = 1 if url.scheme == "https" else 0
                self.port = url.port or (443 if self.secure else 80)

        class Driver(base):
            connectionCls = Connection

        driver = Driver("styx-test@%s.iam.gserviceaccount.com" % project, "-----BEGIN PRIVATE KEY-----\nunused: the token is cached\n-----END PRIVATE KEY-----\n",
                        project=project, auth_type="SA", credential_file=cred.name)
        nodes = []
        for node in driver.list_nodes(ex_zone="all"):
            labels = node.extra.get("labels") or {}
            if any(labels.get(k) != v for k, v in want.items()):
                continue
            nodes.append({"name": node.name, "zone": node.extra["zone"].name,
                          "state": str(node.state), "labels": labels, "size": node.size})
        print(json.dumps({"nodes": nodes}))
    finally:
        os.unlink(cred.name)


if __name__ == "__main__":
    main()
