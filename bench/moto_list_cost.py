#!/usr/bin/env python3
# moto alone, no Styx: how long its calls take as an account grows to 10,000 instances
# (RunInstances of 500, DescribeInstanceStatus of 100 ids, a tag-filtered DescribeInstances
# page of 1,000 and the whole listing, TerminateInstances of 500). bench/chaos.sh's moto half
# was bound by the filtered listing: see README "Chaos".
# Usage: python3 bench/moto_list_cost.py [fixture]: moto_server as packaged, or with
# "fixture" tests/fixtures/crash_moto_server.py (moto with its tag lookup made direct and
# DescribeInstances paged by instances), which the chaos and crash tests run.
import os, time, boto3, botocore.config, botocore.exceptions, subprocess, sys, socket
s=socket.socket(); s.bind(("127.0.0.1",0)); port=s.getsockname()[1]; s.close()
fixture=os.path.join(os.path.dirname(os.path.abspath(__file__)),"..","tests","fixtures","crash_moto_server.py")
server=[sys.executable,fixture,"--port",str(port)] if sys.argv[1:]==["fixture"] else [sys.executable,"-m","moto.server","-p",str(port)]
p=subprocess.Popen(server,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
time.sleep(3)
ec2=boto3.client("ec2",config=botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1}),region_name="us-east-1",endpoint_url=f"http://127.0.0.1:{port}",aws_access_key_id="x",aws_secret_access_key="y")
def timed(what, f):
    t=time.time()
    try:
        r=f()
    except botocore.exceptions.ReadTimeoutError:
        print(f"{what}: no answer within botocore's 60 s read timeout ({time.time()-t:.0f} s)", flush=True)
        return None
    print(f"{what}: {time.time()-t:.2f} s", flush=True)
    return r
ids=[]
for i in range(20):
    r=timed(f"run_instances 500 at {len(ids)}", lambda: ec2.run_instances(ImageId="ami-12c6146b",InstanceType="t3.micro",MinCount=500,MaxCount=500,
        TagSpecifications=[{"ResourceType":"instance","Tags":[{"Key":"styx:engine","Value":"e1"},{"Key":"styx:request","Value":"r%d"%i},{"Key":"Name","Value":"n"}]}]))
    if r is None:
        break  # moto no longer answers a create in time: nothing more to measure
    ids+= [x["InstanceId"] for x in r["Instances"]]
    if len(ids) in (5000,10000):
        timed(f"describe_instance_status 100 ids at {len(ids)}", lambda: ec2.describe_instance_status(InstanceIds=ids[:100],IncludeAllInstances=True))
        timed(f"describe_instances page 1000 filtered at {len(ids)}", lambda: ec2.describe_instances(Filters=[{"Name":"tag:styx:engine","Values":["e1"]}],MaxResults=1000))
        def full():
            n=0
            for pg in ec2.get_paginator("describe_instances").paginate(Filters=[{"Name":"tag:styx:engine","Values":["e1"]}],PaginationConfig={"PageSize":1000}):
                n+=sum(len(r["Instances"]) for r in pg["Reservations"])
            return n
        timed(f"full filtered listing at {len(ids)}", full)
timed("terminate 500 at 10000", lambda: ec2.terminate_instances(InstanceIds=ids[:500]))
p.kill()
