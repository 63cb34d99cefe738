#!/usr/bin/env python3
"""moto in server mode for kraftcheck's AWS tests (tests/aws.rs starts it; it stops when its
standard input closes).

What it adds to plain moto:
- Zone-aware MSK timestamps. moto stores `datetime.now().isoformat()` without an offset, which
  the Rust SDK rejects ("invalid RFC-3339 date-time").
- MSK cluster ARNs in the real form `cluster/NAME/UUID` (moto leaves the name out), no
  placeholder `activeOperationArn`/`configurationArn`, and ZooKeeper strings only when seeded.
- Recorded responses for the MSK calls moto does not implement (ListNodes, ListScramSecrets,
  GetCompatibleKafkaVersions, GetBootstrapBrokers, ListClusterOperationsV2,
  DescribeClusterOperationV2, DescribeConfigurationRevision, ListClientVpcConnections,
  ListReplicators, DescribeReplicator): JSON files under --recorded, each checked against
  botocore's service model at start-up. DescribeClusterOperationV2.json holds a list of answers,
  served by the operation ARN asked for.
- Secrets Manager and KMS are moto's own (secrets and keys seeded from --seed; `${SECRET:name}`
  in recorded answers is the seeded secret's ARN). One fix: a key reached through a reserved
  `alias/aws/…` alias is AWS managed (KeyManager AWS), as in AWS; moto says CUSTOMER.
- GetAccountAuthorizationDetails in pages of MaxItems (default 100) with Marker, as AWS; moto
  answers everything in one page. `--iam-roles N` adds N roles (kraftcheck-role-00001, …) for
  the pagination test (tests/hostile.rs).
- AccessDenied on demand: a request signed with an access key `DENY-Op1-Op2-…` is refused for
  those operations, in the protocol's own error format.
- A request log (--log): one JSON line per request with the operation name, so tests can prove
  that kraftcheck (User-Agent `app/kraftcheck`) called nothing but read operations.

Usage: moto-server.py --seed tests/fixtures/aws/seed.json --recorded tests/fixtures/aws/recorded
       --log FILE. Prints one JSON line {"port": N, "clusters": {name: arn}} when ready.
"""

import argparse
import datetime
import io
import json
import os
import re
import sys
import threading
import uuid

ACCOUNT = "123456789012"


def patch_moto():
    from moto.kafka import models as km

    class AwareDatetime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime.now(tz or datetime.timezone.utc)

    km.datetime = AwareDatetime

    counter = {"n": 0}

    def generate_arn(self):
        from moto.utilities.utils import get_partition

        counter["n"] += 1
        kind = "cluster" if self.cluster_type == "PROVISIONED" else "serverless-cluster"
        return (
            f"arn:{get_partition(self.region_name)}:kafka:{self.region_name}:{self.account_id}:"
            f"{kind}/{self.cluster_name}/{self.cluster_id}-{counter['n']}"
        )

    km.FakeKafkaCluster._generate_arn = generate_arn

    # GetAccountAuthorizationDetails in pages, as AWS answers it: moto 5.2.5 returns every
    # entity in one answer with IsTruncated false and ignores MaxItems and Marker (ListRoles
    # does page). Here the users, groups, roles and policies moto returns are cut into pages
    # of MaxItems entities (AWS's default 100), in that order; Marker is the next offset.
    from moto.iam import responses as ir

    def paged_authorization_details(self):
        account = self.backend.get_account_authorization_details(self._get_param("Filter", []))
        kinds = (
            ("UserDetailList", list(account["users"])),
            ("GroupDetailList", list(account["groups"])),
            ("RoleDetailList", list(account["roles"])),
            ("Policies", list(account["managed_policies"])),
        )
        total = sum(len(items) for _, items in kinds)
        start = int(self._get_param("Marker") or 0)
        size = int(self._get_param("MaxItems") or 100)
        result, at = {}, 0
        for key, items in kinds:
            lo, hi = max(start - at, 0), max(min(start + size - at, len(items)), 0)
            result[key] = items[lo:hi]
            at += len(items)
        result["IsTruncated"] = start + size < total
        if result["IsTruncated"]:
            result["Marker"] = str(start + size)
        return ir.ActionResult(result)

    ir.IamResponse.get_account_authorization_details = paged_authorization_details

    original = km.KafkaBackend.describe_cluster_v2

    def describe_cluster_v2(self, cluster_arn):
        info = original(self, cluster_arn)
        c = self.clusters[cluster_arn]
        if c.active_operation_arn:
            info["activeOperationArn"] = c.active_operation_arn
        else:
            info.pop("activeOperationArn", None)
        extra = getattr(c, "kraftcheck_extra", {})
        if "provisioned" in info:
            p = info["provisioned"]
            sw = p["currentBrokerSoftwareInfo"]
            if not c.configuration_info:
                sw.pop("configurationArn", None)
                sw.pop("configurationRevision", None)
            for key, attr in (
                ("zookeeperConnectString", "zookeeper_connect_string"),
                ("zookeeperConnectStringTls", "zookeeper_connect_string_tls"),
            ):
                if not getattr(c, attr, None):
                    p.pop(key, None)
            if "customerActionStatus" in extra:
                p["customerActionStatus"] = extra["customerActionStatus"]
        return info

    km.KafkaBackend.describe_cluster_v2 = describe_cluster_v2

    from moto.kms import models as kms_models

    original_default_keys = kms_models.KmsBackend._generate_default_keys

    def generate_default_keys(self, alias_name):
        key_id = original_default_keys(self, alias_name)
        if key_id:
            self.keys[key_id].key_manager = "AWS"
        return key_id

    kms_models.KmsBackend._generate_default_keys = generate_default_keys


# --- which operation a request is -------------------------------------------------------

ARN = r"(arn:[^/]+/[^/]+/[^/]+)"
KAFKA_ROUTES = [
    ("GET", r"^/api/v2/clusters$", "ListClustersV2"),
    ("POST", r"^/api/v2/clusters$", "CreateClusterV2"),
    ("GET", rf"^/api/v2/clusters/{ARN}/operations$", "ListClusterOperationsV2"),
    ("GET", rf"^/api/v2/clusters/{ARN}$", "DescribeClusterV2"),
    ("GET", rf"^/api/v2/operations/(.+)$", "DescribeClusterOperationV2"),
    ("GET", r"^/v1/clusters$", "ListClusters"),
    ("GET", rf"^/v1/clusters/{ARN}/nodes$", "ListNodes"),
    ("GET", rf"^/v1/clusters/{ARN}/scram-secrets$", "ListScramSecrets"),
    ("POST", rf"^/v1/clusters/{ARN}/scram-secrets$", "BatchAssociateScramSecret"),
    ("GET", rf"^/v1/clusters/{ARN}/bootstrap-brokers$", "GetBootstrapBrokers"),
    ("GET", rf"^/v1/clusters/{ARN}/policy$", "GetClusterPolicy"),
    ("PUT", rf"^/v1/clusters/{ARN}/policy$", "PutClusterPolicy"),
    ("DELETE", rf"^/v1/clusters/{ARN}/policy$", "DeleteClusterPolicy"),
    ("GET", rf"^/v1/clusters/{ARN}/client-vpc-connections$", "ListClientVpcConnections"),
    ("PUT", rf"^/v1/clusters/{ARN}/version$", "UpdateClusterKafkaVersion"),
    ("PUT", rf"^/v1/clusters/{ARN}/connectivity$", "UpdateConnectivity"),
    ("GET", rf"^/v1/clusters/{ARN}$", "DescribeCluster"),
    ("DELETE", rf"^/v1/clusters/{ARN}$", "DeleteCluster"),
    ("GET", r"^/v1/compatible-kafka-versions$", "GetCompatibleKafkaVersions"),
    ("GET", rf"^/v1/configurations/{ARN}/revisions/(\d+)$", "DescribeConfigurationRevision"),
    ("GET", r"^/replication/v1/replicators$", "ListReplicators"),
    ("GET", rf"^/replication/v1/replicators/{ARN}$", "DescribeReplicator"),
    ("GET", r"^/v1/tags/(.+)$", "ListTagsForResource"),
    ("POST", r"^/v1/tags/(.+)$", "TagResource"),
]


def kafka_operation(method, path):
    for m, pattern, op in KAFKA_ROUTES:
        if m == method:
            hit = re.match(pattern, path)
            if hit:
                return op, hit.groups()
    return f"{method} {path}", ()


def query_operation(body):
    from urllib.parse import parse_qs

    params = parse_qs(body.decode("utf-8", "replace"))
    return params.get("Action", ["?"])[0]


# --- recorded responses -----------------------------------------------------------------

RECORDED_OPS = {
    "DescribeClusterOperationV2",
    "ListNodes",
    "ListScramSecrets",
    "GetCompatibleKafkaVersions",
    "GetBootstrapBrokers",
    "ListClusterOperationsV2",
    "DescribeConfigurationRevision",
    "ListClientVpcConnections",
    "ListReplicators",
    "DescribeReplicator",
}


def validate(shape, value, where):
    """`value` must fit botocore's output shape (wire names, types, enums)."""
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected an object")
        members = {m.serialization.get("name", n): m for n, m in shape.members.items()}
        for k, v in value.items():
            if k not in members:
                raise ValueError(f"{where}: {k} is not a member of {shape.name}")
            validate(members[k], v, f"{where}.{k}")
    elif t == "list":
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list")
        for i, x in enumerate(value):
            validate(shape.member, x, f"{where}[{i}]")
    elif t == "map":
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected a map")
        for k, x in value.items():
            validate(shape.value, x, f"{where}.{k}")
    elif t == "string":
        if not isinstance(value, str):
            raise ValueError(f"{where}: expected a string")
        if shape.enum and value not in shape.enum:
            raise ValueError(f"{where}: {value!r} is not one of {shape.enum}")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{where}: expected an integer")
    elif t in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ValueError(f"{where}: expected a number")
    elif t == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"{where}: expected a boolean")
    elif t in ("timestamp", "blob"):
        if not isinstance(value, str):
            raise ValueError(f"{where}: expected a string")


def load_recorded(root):
    """{(scope, op): text}; scope is a cluster name, `_account` or `_default`."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("kafka")
    out = {}
    for scope in sorted(os.listdir(root)):
        d = os.path.join(root, scope)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if not f.endswith(".json"):
                continue
            op = f[:-5]
            if op not in RECORDED_OPS:
                raise SystemExit(f"{d}/{f}: {op} is not a recorded operation")
            text = open(os.path.join(d, f)).read()
            sample = json.loads(
                re.sub(r"\$\{[A-Z]+(:[^}]*)?\}", "x", text).replace('"x-int"', "1")
            )
            shape = model.operation_model(op).output_shape
            # DescribeClusterOperationV2: a list of answers, one per operation.
            for i, answer in enumerate(sample if isinstance(sample, list) else [sample]):
                validate(shape, answer, f"{scope}/{f}[{i}]")
            out[(scope, op)] = text
    return out


class Front:
    """WSGI middleware in front of moto: log, deny on demand, serve recorded answers."""

    def __init__(self, app, recorded, log_path, clusters, secrets):
        self.app = app
        self.recorded = recorded
        self.log_path = log_path
        self.clusters = clusters  # name -> arn
        self.secrets = secrets  # name -> arn
        self.lock = threading.Lock()

    def substitute(self, text):
        def rep(m):
            key, arg = m.group(1), (m.group(2) or "")[1:]
            arn = self.clusters.get(arg, "")
            if key == "ACCOUNT":
                return ACCOUNT
            if key == "ARN":
                return arn
            if key == "UUID":
                return arn.rsplit("/", 1)[-1]
            if key == "NAME":
                return arg
            if key == "SECRET":
                return self.secrets.get(arg, "")
            return m.group(0)

        return re.sub(r"\$\{([A-Z]+)(:[^}]*)?\}", rep, text)

    def cluster_name(self, args):
        for a in args:
            for name, arn in self.clusters.items():
                # A cluster ARN, or an operation ARN (cluster-operation/NAME/UUID/OP).
                if a == arn or f"/{name}/{arn.rsplit('/', 1)[-1]}/" in a:
                    return name
        return None

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        auth = environ.get("HTTP_AUTHORIZATION", "")
        m = re.search(r"Credential=([^/]+)/[^/]+/[^/]+/([^/]+)/", auth)
        key, service = (m.group(1), m.group(2)) if m else ("", "")
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if service == "iam" or (not service and method == "POST" and path == "/" and not target):
            service, op, args = "IAM", query_operation(body), ()
        elif service in ("secretsmanager", "kms") or target.startswith(("secretsmanager.", "TrentService.")):
            service = "Secrets Manager" if target.startswith("secretsmanager.") else "KMS"
            op, args = target.split(".", 1)[-1], ()
        else:
            service = "Kafka"
            op, args = kafka_operation(method, path)
        if op == "GetCompatibleKafkaVersions":
            from urllib.parse import parse_qs

            args = tuple(parse_qs(environ.get("QUERY_STRING", "")).get("clusterArn", []))
        ua = environ.get("HTTP_USER_AGENT", "")
        entry = {
            "service": service,
            "operation": op,
            "kraftcheck": "app/kraftcheck" in ua,
            "method": method,
            "path": path,
        }
        if self.log_path:
            with self.lock, open(self.log_path, "a") as f:
                f.write(json.dumps(entry) + "\n")
        if key.startswith("DENY-") and op in key[5:].split("-"):
            return self.deny(service, op, start_response)
        if service == "Kafka" and op in RECORDED_OPS:
            scope = self.cluster_name(args)
            if op == "DescribeConfigurationRevision":
                scope = next(
                    (n for n, a in self.clusters.items() if n in (args[0] if args else "")),
                    scope,
                )
            for s in ([scope] if scope else []) + ["_account", "_default"]:
                text = self.recorded.get((s, op))
                if text is not None:
                    text = self.substitute(text)
                    if op == "DescribeClusterOperationV2":
                        from urllib.parse import unquote

                        wanted = unquote(args[0]) if args else ""
                        answer = next(
                            (a for a in json.loads(text)
                             if a["clusterOperationInfo"]["operationArn"] == wanted),
                            None,
                        )
                        if answer is None:
                            return self.not_found(op, start_response)
                        text = json.dumps(answer)
                    data = text.encode()
                    start_response(
                        "200 OK",
                        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
                    )
                    return [data]
            return self.not_found(op, start_response)
        return self.app(environ, start_response)

    @staticmethod
    def deny(service, op, start_response):
        prefix = {"IAM": "iam", "Secrets Manager": "secretsmanager", "KMS": "kms"}.get(service, "kafka")
        msg = (
            f"User: arn:aws:iam::{ACCOUNT}:user/kraftcheck-test is not authorized to perform: "
            f"{prefix}:{op}"
        )
        if service in ("Secrets Manager", "KMS"):
            data = json.dumps({"__type": "AccessDeniedException", "message": msg}).encode()
            headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "AccessDeniedException")]
        elif service == "IAM":
            data = (
                '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>'
                f"<Type>Sender</Type><Code>AccessDenied</Code><Message>{msg}</Message></Error>"
                f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
            ).encode()
            headers = [("Content-Type", "text/xml")]
        else:
            data = json.dumps({"message": msg}).encode()
            headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ForbiddenException")]
        start_response("403 Forbidden", headers + [("Content-Length", str(len(data)))])
        return [data]

    @staticmethod
    def not_found(op, start_response):
        data = json.dumps({"message": f"{op}: no recorded answer"}).encode()
        start_response(
            "404 Not Found",
            [("Content-Type", "application/json"), ("x-amzn-ErrorType", "NotFoundException"),
             ("Content-Length", str(len(data)))],
        )
        return [data]


# --- seeding ------------------------------------------------------------------------------


def fill(value, clusters):
    text = json.dumps(value)

    def rep(m):
        key, arg = m.group(1), (m.group(2) or "")[1:]
        arn = clusters.get(arg, "")
        return {
            "ACCOUNT": ACCOUNT,
            "ARN": arn,
            "UUID": arn.rsplit("/", 1)[-1],
            "NAME": arg,
        }.get(key, m.group(0))

    return json.loads(re.sub(r"\$\{([A-Z]+)(:[^}]*)?\}", rep, text))


def seed(spec, endpoint):
    import boto3
    from moto.kafka.models import kafka_backends

    region = spec.get("region", "us-east-1")
    kw = dict(
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="seed",
        aws_secret_access_key="seed",
    )
    kafka = boto3.client("kafka", **kw)
    clusters = {}
    for c in spec.get("clusters", []):
        arn = kafka.create_cluster_v2(
            ClusterName=c["name"],
            Tags=c.get("tags", {}),
            Provisioned={
                "BrokerNodeGroupInfo": c["broker_node_group_info"],
                "KafkaVersion": c["kafka_version"],
                "NumberOfBrokerNodes": c["brokers"],
            },
        )["ClusterArn"]
        clusters[c["name"]] = arn
        fake = kafka_backends[ACCOUNT][region].clusters[arn]
        fake.state = c.get("state", "ACTIVE")
        fake.active_operation_arn = c.get("active_operation_arn")
        fake.client_authentication = c.get("client_authentication")
        fake.encryption_info = c.get("encryption_info")
        fake.open_monitoring = c.get("open_monitoring")
        fake.logging_info = c.get("logging_info")
        fake.enhanced_monitoring = c.get("enhanced_monitoring", "DEFAULT")
        fake.configuration_info = c.get("configuration_info")
        fake.zookeeper_connect_string = c.get("zookeeper_connect_string")
        fake.zookeeper_connect_string_tls = c.get("zookeeper_connect_string_tls")
        fake.kraftcheck_extra = c.get("extra", {})
    for c in spec.get("clusters", []):
        if "policy" in c:
            kafka.put_cluster_policy(
                ClusterArn=clusters[c["name"]],
                Policy=json.dumps(fill(c["policy"], clusters)),
            )
    kms = boto3.client("kms", **kw)
    for k in spec.get("kms_keys", []):
        key = kms.create_key(Description=k.get("description", ""))["KeyMetadata"]
        kms.create_alias(AliasName=k["alias"], TargetKeyId=key["KeyId"])
    sm = boto3.client("secretsmanager", **kw)
    secrets = {}
    for sec in spec.get("secrets", []):
        args = dict(Name=sec["name"], SecretString=json.dumps(sec["value"]))
        if sec.get("kms"):
            # By key ARN, as the MSK guide asks (an alias is resolved here).
            args["KmsKeyId"] = kms.describe_key(KeyId=sec["kms"])["KeyMetadata"]["Arn"]
        secrets[sec["name"]] = sm.create_secret(**args)["ARN"]
    iam = boto3.client("iam", **kw)
    i = spec.get("iam", {})
    for g in i.get("groups", []):
        iam.create_group(GroupName=g["name"])
    for u in i.get("users", []):
        iam.create_user(UserName=u["name"])
        for g in u.get("groups", []):
            iam.add_user_to_group(GroupName=g, UserName=u["name"])
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    for r in i.get("roles", []):
        iam.create_role(RoleName=r["name"], AssumeRolePolicyDocument=json.dumps(trust))
    for kind, items in (("user", i.get("users", [])), ("role", i.get("roles", [])), ("group", i.get("groups", []))):
        for item in items:
            for pname, doc in item.get("inline", {}).items():
                doc = json.dumps(fill(doc, clusters))
                if kind == "user":
                    iam.put_user_policy(UserName=item["name"], PolicyName=pname, PolicyDocument=doc)
                elif kind == "role":
                    iam.put_role_policy(RoleName=item["name"], PolicyName=pname, PolicyDocument=doc)
                else:
                    iam.put_group_policy(GroupName=item["name"], PolicyName=pname, PolicyDocument=doc)
    for p in i.get("policies", []):
        versions = [fill(v, clusters) for v in p["versions"]]
        arn = iam.create_policy(PolicyName=p["name"], PolicyDocument=json.dumps(versions[0]))["Policy"]["Arn"]
        for v in versions[1:]:
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v), SetAsDefault=True)
        if p.get("default") is not None:
            iam.set_default_policy_version(PolicyArn=arn, VersionId=f"v{p['default']}")
        att = p.get("attach", {})
        for r in att.get("roles", []):
            iam.attach_role_policy(RoleName=r, PolicyArn=arn)
        for u in att.get("users", []):
            iam.attach_user_policy(UserName=u, PolicyArn=arn)
        for g in att.get("groups", []):
            iam.attach_group_policy(GroupName=g, PolicyArn=arn)
    return clusters, secrets


def add_roles(n):
    """N roles straight into moto's IAM backend (through the API, 3,000 roles take minutes)."""
    from moto.iam.models import iam_backends

    backend = iam_backends[ACCOUNT]["global"]
    trust = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    })
    for i in range(1, n + 1):
        backend.create_role(f"kraftcheck-role-{i:05}", trust, "/", None, "", [], None)
    # The last role (on the last page) gets a Kafka statement: its principal must be found.
    backend.put_role_policy(
        f"kraftcheck-role-{n:05}",
        "last-role-kafka",
        json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "LastRole", "Effect": "Allow", "Action": "kafka-cluster:Connect", "Resource": "*"}],
        }),
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--seed")
    ap.add_argument("--recorded")
    ap.add_argument("--log")
    ap.add_argument("--iam-roles", type=int, default=0)
    args = ap.parse_args()

    patch_moto()
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    recorded = load_recorded(args.recorded) if args.recorded else {}
    clusters, secrets = {}, {}
    front = Front(DomainDispatcherApplication(create_backend_app), recorded, args.log, clusters, secrets)
    server = make_server("127.0.0.1", args.port, front, threaded=True)
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if args.seed:
        with open(args.seed) as f:
            c, s = seed(json.load(f), f"http://127.0.0.1:{port}")
            clusters.update(c)
            secrets.update(s)
    if args.iam_roles:
        add_roles(args.iam_roles)
    print(json.dumps({"port": port, "clusters": clusters, "secrets": secrets}), flush=True)
    # Serve until the parent closes our standard input (or goes away).
    try:
        while sys.stdin.read(1):
            pass
    except KeyboardInterrupt:
        pass
    server.shutdown()
    os._exit(0)


if __name__ == "__main__":
    main()
