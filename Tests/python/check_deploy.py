#!/usr/bin/env python3
"""Cross-checks deploy/ against the real executables.

    check_deploy.py --deploy deploy --bin .build/debug --services gateway,catalog-svc,...

Runs each executable's `--help` (and `backup --help`) and checks that every flag and DVC_*
variable the systemd units, their environment files, the backup units and the Kubernetes
manifests use exists; that ports agree between Service, containerPort, probes and the
variables; that probes hit the admin port's /healthz and /readyz; that the data volume is
mounted at DVC_DATA_DIR; that peers name real Services and ports; that every service has its
unit, env file and manifest; the sandboxing and security settings; the Containerfile's
list of executables and runtime libraries; and the PostgreSQL variant (systemd/postgres/,
kubernetes-postgres/: DVC_DATABASE for exactly the services kept in PostgreSQL). Prints one line per problem and exits 1 when there
is any; prints "ok: N checks" and exits 0 otherwise. Needs PyYAML.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys

import yaml

ADMIN_PATHS = {"liveness": "/healthz", "readiness": "/readyz", "startup": "/healthz"}
# Peers a service cannot start without (ServiceSettings.requiredPeers).
REQUIRED_PEERS = {"gateway": ["catalog"], "dossier-svc": ["catalog"], "payment-svc": ["catalog", "dossier"]}
PEER_SERVICE = {"catalog": "catalog-svc", "dossier": "dossier-svc", "payment": "payment-svc", "notify": "notify-svc"}
SYSTEMD_REQUIRED = {
    "ProtectSystem": "strict", "PrivateTmp": "yes", "NoNewPrivileges": "yes", "ProtectHome": "yes",
    "CapabilityBoundingSet": "", "SystemCallFilter": "@system-service", "Restart": "on-failure",
}


class Checker:
    def __init__(self, deploy, bin_dir, services):
        self.deploy = deploy
        self.bin = bin_dir
        self.services = services
        self.problems = []
        self.checks = 0
        self.helps = {}

    def expect(self, condition, message):
        self.checks += 1
        if not condition:
            self.problems.append(message)
        return condition

    # --- the executables' real command lines -------------------------------------------------

    def help_text(self, service, subcommand=None):
        key = (service, subcommand)
        if key not in self.helps:
            path = os.path.join(self.bin, service)
            if not os.access(path, os.X_OK):
                self.problems.append(f"{service}: no executable at {path} (build first)")
                self.helps[key] = ""
            else:
                args = [path] + ([subcommand] if subcommand else []) + ["--help"]
                run = subprocess.run(args, capture_output=True, text=True, timeout=30,
                                     env={k: v for k, v in os.environ.items() if not k.startswith("DVC_")})
                self.helps[key] = run.stdout + run.stderr
        return self.helps[key]

    def flags(self, service, subcommand=None):
        text = self.help_text(service, subcommand)
        return set(re.findall(r"^\s+(?:-\w, )?--([a-z0-9][a-z0-9-]*)", text, re.M))

    def check_flag(self, where, service, flag, subcommand=None):
        known = self.flags(service, subcommand)
        command = service + (f" {subcommand}" if subcommand else "")
        self.expect(flag in known, f"{where}: --{flag} is not a flag of `{command}` (its --help lists: "
                                   f"{', '.join('--' + f for f in sorted(known))})")

    # Settings that are not flags, read from the config file or as DVC_<KEY> (docs/operations.md).
    CONFIG_KEYS = {"gateway": {"public_url", "trusted_proxies", "max_in_flight", "large_bodies_mib", "large_bodies_per_caller", "rate_per_address",
                               "rate_per_person", "rate_per_key", "rate_per_upload", "sign_in_per_address_per_minute",
                               "session_max_seconds", "session_idle_seconds", "api_token_seconds"},
                   # docs/dossier.md, docs/signatures.md
                   "dossier-svc": {"public_url", "signing_dir", "one_stop_forms", "tracking_lockout_seconds", "overdue_scan_seconds",
                                   "national_portal_sync", "shard_name", "dossier_shards"}}

    def check_proxy(self, where, service, settings):
        """A gateway whose public URL is HTTPS sits behind a TLS proxy: it must trust that proxy."""
        if service != "gateway" or "DVC_HTTP" not in settings:
            return
        public = settings.get("public_url") or settings.get("DVC_PUBLIC_URL") or ""
        proxies = settings.get("trusted_proxies") or settings.get("DVC_TRUSTED_PROXIES") or ""
        self.expect(public.startswith("https://"), f"{where}: the gateway's public_url should be its public HTTPS address, not {public!r}")
        self.expect(bool(proxies.strip()), f"{where}: public_url is HTTPS behind a proxy, but trusted_proxies is not set")

    def check_variable(self, where, service, name):
        """DVC_FOO_BAR must be the variable of a real flag --foo-bar, named in --help, or of a
        config key of the service."""
        if name[len("DVC_"):].lower() in self.CONFIG_KEYS.get(service, set()):
            return
        flag = name[len("DVC_"):].lower().replace("_", "-")
        self.check_flag(f"{where}: {name}", service, flag)
        self.expect(name in self.help_text(service), f"{where}: {name} is not named in `{service} --help`")

    def check_command_line(self, where, service, arguments, subcommand=None):
        for argument in arguments:
            if argument.startswith("--"):
                self.check_flag(where, service, argument[2:].split("=", 1)[0], subcommand)

    # --- systemd -------------------------------------------------------------------------------

    @staticmethod
    def read_unit(path):
        """systemd's format: sections of KEY=VALUE, keys may repeat (values kept in order)."""
        entries = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith(("#", ";", "[")):
                    continue
                key, _, value = line.partition("=")
                entries.setdefault(key.strip(), []).append(value.strip())
        return entries

    @staticmethod
    def read_env(path):
        values = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip().strip('"').strip("'")
        return values

    @staticmethod
    def port(address):
        return int(address.rsplit(":", 1)[1]) if address and ":" in address else None

    def check_systemd(self):
        folder = os.path.join(self.deploy, "systemd")
        envs = {}
        for service in self.services:
            unit_path = os.path.join(folder, f"{service}.service")
            env_path = os.path.join(folder, f"{service}.env")
            if not self.expect(os.path.exists(unit_path), f"systemd: {service}.service is missing"):
                continue
            if not self.expect(os.path.exists(env_path), f"systemd: {service}.env is missing"):
                continue
            unit = self.read_unit(unit_path)
            env = self.read_env(env_path)
            envs[service] = env
            self.check_proxy(f"systemd/{service}.env", service, env)
            where = f"systemd/{service}.service"
            exec_start = shlex.split(unit.get("ExecStart", [""])[0])
            self.expect(exec_start and os.path.basename(exec_start[0]) == service,
                        f"{where}: ExecStart runs {exec_start[:1]}, not {service}")
            self.check_command_line(f"{where} ExecStart", service, exec_start[1:])
            self.expect(unit.get("EnvironmentFile") == [f"/etc/dvc/{service}.env"],
                        f"{where}: EnvironmentFile is {unit.get('EnvironmentFile')}, want /etc/dvc/{service}.env")
            for key, want in SYSTEMD_REQUIRED.items():
                self.expect(want in unit.get(key, []), f"{where}: {key}={want} is missing")
            self.expect(set("AF_INET AF_INET6 AF_UNIX".split()) == set(" ".join(unit.get("RestrictAddressFamilies", [])).split()),
                        f"{where}: RestrictAddressFamilies should be AF_INET AF_INET6 AF_UNIX")
            self.expect("LimitNOFILE" in unit, f"{where}: LimitNOFILE is missing")
            self.expect("User" in unit or unit.get("DynamicUser") == ["yes"], f"{where}: no User= nor DynamicUser=yes")

            uses_config = "--config" in exec_start
            for key in env:
                if key.startswith("DVC_"):
                    self.check_variable(f"systemd/{service}.env", service, key)
                else:
                    self.expect(uses_config, f"systemd/{service}.env: {key} is a config-file key, but the unit does not "
                                             f"pass the file with --config, so {service} never reads it")
            data = env.get("DVC_DATA_DIR")
            self.expect(data == f"/var/lib/dvc/{service}", f"systemd/{service}.env: DVC_DATA_DIR is {data}")
            self.expect(data in " ".join(unit.get("ReadWritePaths", [])).split(),
                        f"{where}: ReadWritePaths does not include the data folder {data}")
            self.expect(unit.get("StateDirectory") == [f"dvc/{service}"],
                        f"{where}: StateDirectory should be dvc/{service} (DVC_DATA_DIR {data})")
            for variable in ("DVC_LISTEN", "DVC_ADMIN"):
                self.expect(self.port(env.get(variable)), f"systemd/{service}.env: {variable} HOST:PORT is missing")
            tls = [env.get(k) for k in ("DVC_TLS_CERT", "DVC_TLS_KEY", "DVC_TLS_CA")]
            self.expect(all(tls) or not any(tls), f"systemd/{service}.env: DVC_TLS_CERT, _KEY and _CA go together")

        ports = [(s, v, self.port(e.get(v))) for s, e in envs.items() for v in ("DVC_LISTEN", "DVC_ADMIN", "DVC_HTTP") if e.get(v)]
        seen = {}
        for service, variable, port in ports:
            self.expect(port not in seen, f"systemd: {service} {variable} port {port} is also {seen.get(port)}'s")
            seen[port] = f"{service} {variable}"
        for service, env in envs.items():
            for kind in REQUIRED_PEERS.get(service, []):
                self.expect(f"DVC_{kind.upper()}" in env, f"systemd/{service}.env: DVC_{kind.upper()} is required")
            for kind, target in PEER_SERVICE.items():
                for address in filter(None, env.get(f"DVC_{kind.upper()}", "").split(",")):
                    want = self.port(envs.get(target, {}).get("DVC_LISTEN"))
                    self.expect(self.port(address) == want,
                                f"systemd/{service}.env: DVC_{kind.upper()} {address} is not {target}'s port {want}")

        backup = os.path.join(folder, "dvc-backup@.service")
        if self.expect(os.path.exists(backup), "systemd: dvc-backup@.service is missing"):
            unit = self.read_unit(backup)
            command = unit.get("ExecStart", [""])[0]
            inner = shlex.split(command)
            if inner[:2] == ["/bin/sh", "-c"]:
                inner = shlex.split(inner[2])
            if inner and inner[0] == "exec":
                inner = inner[1:]
            self.expect(inner[:2] == ["/opt/dvc/bin/%i", "backup"], f"systemd/dvc-backup@.service: ExecStart runs {inner[:2]}")
            self.expect(unit.get("EnvironmentFile") == ["/etc/dvc/%i.env"], "systemd/dvc-backup@.service: EnvironmentFile")
            for service in self.services:
                self.check_command_line("systemd/dvc-backup@.service ExecStart", service, inner[2:], "backup")
            self.expect(os.path.exists(os.path.join(folder, "dvc-backup@.timer")), "systemd: dvc-backup@.timer is missing")

    # --- Kubernetes ------------------------------------------------------------------------------

    def check_kubernetes(self):
        folder = os.path.join(self.deploy, "kubernetes")
        documents = []
        files = sorted(f for f in os.listdir(folder) if f.endswith(".yaml"))
        for name in files:
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                for document in yaml.safe_load_all(f):
                    if document:
                        documents.append((name, document))
        by_kind = {}
        for name, document in documents:
            by_kind.setdefault(document.get("kind"), []).append(document)
            self.expect(document.get("kind") != "Secret", f"kubernetes/{name}: a Secret with values is committed")

        kustomization = [d for n, d in documents if d.get("kind") == "Kustomization"]
        if self.expect(kustomization, "kubernetes: kustomization.yaml is missing"):
            listed = set(kustomization[0].get("resources", []))
            for name in files:
                if name != "kustomization.yaml":
                    self.expect(name in listed, f"kubernetes/kustomization.yaml does not list {name}")

        services = {d["metadata"]["name"]: d for d in by_kind.get("Service", [])}
        workloads = {d["metadata"]["name"]: d for d in by_kind.get("StatefulSet", []) + by_kind.get("Deployment", [])}
        rpc_ports = {}
        for service in self.services:
            workload = workloads.get(service)
            if not self.expect(workload is not None, f"kubernetes: no StatefulSet or Deployment named {service}"):
                continue
            spec = workload["spec"]
            pod = spec["template"]["spec"]
            labels = spec["template"]["metadata"].get("labels", {})
            self.expect(all(labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()),
                        f"kubernetes {service}: the selector does not match the pod's labels")
            containers = [c for c in pod["containers"] if c["name"] == service]
            if not self.expect(containers, f"kubernetes {service}: no container named {service}"):
                continue
            container = containers[0]
            where = f"kubernetes {service}"
            command = container.get("command", [])
            self.expect(command and command[0] == f"/opt/dvc/bin/{service}",
                        f"{where}: command {command[:1]} is not /opt/dvc/bin/{service}")
            self.check_command_line(f"{where} command", service, command[1:])
            self.check_command_line(f"{where} args", service, container.get("args", []))
            env = {}
            for variable in container.get("env", []):
                env[variable["name"]] = variable.get("value")
                if variable["name"].startswith("DVC_"):
                    self.check_variable(where, service, variable["name"])
            ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
            listen, admin = self.port(env.get("DVC_LISTEN")), self.port(env.get("DVC_ADMIN"))
            self.expect(listen is not None and ports.get("rpc") == listen,
                        f"{where}: DVC_LISTEN port {listen} is not the containerPort named rpc ({ports.get('rpc')})")
            self.expect(admin is not None and ports.get("admin") == admin,
                        f"{where}: DVC_ADMIN port {admin} is not the containerPort named admin ({ports.get('admin')})")
            if env.get("DVC_HTTP"):
                self.expect(ports.get("http") == self.port(env["DVC_HTTP"]), f"{where}: DVC_HTTP is not the http containerPort")
            rpc_ports[service] = listen
            self.check_proxy(where, service, env)

            for probe, path in ADMIN_PATHS.items():
                spec_probe = container.get(f"{probe}Probe")
                if probe != "startup" and not self.expect(spec_probe, f"{where}: no {probe}Probe"):
                    continue
                if not spec_probe:
                    continue
                get = spec_probe.get("httpGet", {})
                port = get.get("port")
                port = ports.get(port) if isinstance(port, str) else port
                self.expect(get.get("path") == path, f"{where}: {probe}Probe path {get.get('path')}, want {path}")
                self.expect(port == admin, f"{where}: {probe}Probe port {get.get('port')} is not the admin port {admin}")

            mounts = {m["mountPath"]: m for m in container.get("volumeMounts", [])}
            claims = {c["metadata"]["name"] for c in spec.get("volumeClaimTemplates", [])}
            volumes = {v["name"]: v for v in pod.get("volumes", [])}
            data = env.get("DVC_DATA_DIR")
            mount = mounts.get(data)
            self.expect(mount is not None, f"{where}: nothing is mounted at DVC_DATA_DIR {data}")
            if mount:
                persistent = mount["name"] in claims or "persistentVolumeClaim" in volumes.get(mount["name"], {})
                self.expect(persistent and not mount.get("readOnly"),
                            f"{where}: the volume at DVC_DATA_DIR {data} is not a writable persistent volume")
            for variable in ("DVC_TLS_CERT", "DVC_TLS_KEY", "DVC_TLS_CA", "DVC_CONFIG"):
                if env.get(variable):
                    folder_path = os.path.dirname(env[variable])
                    mounted = mounts.get(folder_path)
                    self.expect(mounted and "secret" in volumes.get(mounted["name"], {}),
                                f"{where}: {variable} {env[variable]} is not in a mounted Secret")
            security = container.get("securityContext", {})
            self.expect(security.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem is not true")
            self.expect(security.get("runAsNonRoot") is True or pod.get("securityContext", {}).get("runAsNonRoot") is True,
                        f"{where}: runAsNonRoot is not set")
            resources = container.get("resources", {})
            self.expect(resources.get("requests") and resources.get("limits"), f"{where}: resource requests and limits")

            governing = services.get(spec.get("serviceName", service)) if workload["kind"] == "StatefulSet" else None
            self.expect(workload["kind"] != "StatefulSet" or governing is not None,
                        f"{where}: its serviceName {spec.get('serviceName')} is not a Service")
            for svc in services.values():
                selector = svc["spec"].get("selector", {})
                if selector and all(labels.get(k) == v for k, v in selector.items()):
                    for port in svc["spec"].get("ports", []):
                        target = port.get("targetPort", port["port"])
                        target = ports.get(target) if isinstance(target, str) else target
                        self.expect(target in ports.values(),
                                    f"kubernetes Service {svc['metadata']['name']}: targetPort {port.get('targetPort')} is no port of {service}")
                        self.expect(port["port"] == target,
                                    f"kubernetes Service {svc['metadata']['name']}: port {port['port']} differs from the container's {target}")
            self.expect(service in services, f"kubernetes: no Service named {service} (peers and clients use that name)")

        for service in self.services:
            workload = workloads.get(service)
            if not workload:
                continue
            container = next((c for c in workload["spec"]["template"]["spec"]["containers"] if c["name"] == service), None)
            env = {v["name"]: v.get("value") for v in (container or {}).get("env", [])}
            for kind in REQUIRED_PEERS.get(service, []):
                self.expect(f"DVC_{kind.upper()}" in env, f"kubernetes {service}: DVC_{kind.upper()} is required")
            for kind, target in PEER_SERVICE.items():
                for address in filter(None, (env.get(f"DVC_{kind.upper()}") or "").split(",")):
                    host = address.rsplit(":", 1)[0].split(".")[0]
                    self.expect(host == target and host in services,
                                f"kubernetes {service}: DVC_{kind.upper()} {address} does not name the Service {target}")
                    self.expect(self.port(address) == rpc_ports.get(target),
                                f"kubernetes {service}: DVC_{kind.upper()} {address} is not {target}'s port {rpc_ports.get(target)}")

        policies = by_kind.get("NetworkPolicy", [])
        self.expect(any(p["spec"].get("podSelector") == {} and "Ingress" in p["spec"].get("policyTypes", [])
                        and not p["spec"].get("ingress") for p in policies),
                    "kubernetes: no default-deny ingress NetworkPolicy")
        for policy in policies:
            for rule in policy["spec"].get("ingress", []) or []:
                if not rule.get("from"):
                    selected = policy["spec"].get("podSelector", {}).get("matchLabels", {})
                    self.expect(selected == {"app.kubernetes.io/name": "gateway"},
                                f"kubernetes NetworkPolicy {policy['metadata']['name']}: open to anywhere but selects {selected}, not only the gateway")

    # --- the container image ---------------------------------------------------------------------

    def check_container(self):
        path = os.path.join(self.deploy, "container", "Containerfile")
        if not self.expect(os.path.exists(path), "container: Containerfile is missing"):
            return
        text = open(path, encoding="utf-8").read()
        products = re.search(r'ARG PRODUCTS="([^"]*)"', text)
        listed = products.group(1).split() if products else []
        for service in self.services:
            self.expect(service in listed, f"container/Containerfile: PRODUCTS does not build {service}")
        for package in ("libprotobuf-c1", "libsqlite3-0"):
            self.expect(package in text, f"container/Containerfile: the runtime stage does not install {package}")
        self.expect(re.search(r"^COPY --from=build \S+ /opt/dvc/bin/", text, re.M),
                    "container/Containerfile: the executables are not copied to /opt/dvc/bin")
        user = re.findall(r"^USER\s+(\S+)", text, re.M)
        self.expect(user and not user[-1].startswith(("root", "0")), "container/Containerfile: the image runs as root")
        self.expect(text.count("FROM ") >= 2, "container/Containerfile: not a multi-stage build")

    # --- PostgreSQL (docs/postgres-cluster.md) ------------------------------------------------

    # The services that may keep their data in PostgreSQL, and their databases.
    POSTGRES_DATABASES = {"dossier-svc": "dvc_dossier", "payment-svc": "dvc_payment", "gateway": "dvc_gateway"}

    def check_database_url(self, where, service, url):
        """Both data nodes, the writable one chosen by libpq, the service's own database."""
        match = re.match(r"^postgres(?:ql)?://[^@/]+@([^/]+)/([^?]+)\?(.*)$", url or "")
        if not self.expect(match, f"{where}: DVC_DATABASE {url!r} is not a postgres://USER@HOSTS/DB?… URL"):
            return
        hosts, database, query = match.groups()
        self.expect(len(hosts.split(",")) >= 2, f"{where}: DVC_DATABASE names one host; both data nodes go in it")
        self.expect("target_session_attrs=read-write" in query.split("&"),
                    f"{where}: DVC_DATABASE lacks target_session_attrs=read-write (a standby would be written to)")
        want = self.POSTGRES_DATABASES[service]
        self.expect(database == want, f"{where}: DVC_DATABASE names the database {database}, want {want}")

    def check_postgres(self):
        """systemd/postgres/: a drop-in and an env file per service kept in PostgreSQL;
        kubernetes-postgres/: the overlay giving those services DVC_DATABASE from the Secret."""
        folder = os.path.join(self.deploy, "systemd", "postgres")
        if not self.expect(os.path.isdir(folder), "systemd/postgres/ is missing"):
            return
        for name in sorted(os.listdir(folder)):
            service = name.split(".")[0]
            self.expect(service in self.POSTGRES_DATABASES, f"systemd/postgres/{name}: {service} keeps its data in SQLite only")
        for service in self.POSTGRES_DATABASES:
            dropin = os.path.join(folder, f"{service}.service.d", "database.conf")
            env_path = os.path.join(folder, f"{service}.database.env")
            if self.expect(os.path.exists(dropin), f"systemd/postgres/{service}.service.d/database.conf is missing"):
                unit = self.read_unit(dropin)
                want = f"/etc/dvc/{service}.database.env"
                self.expect(unit.get("EnvironmentFile") == [want],
                            f"systemd/postgres/{service}.service.d/database.conf: EnvironmentFile is {unit.get('EnvironmentFile')}, want {want}")
            if self.expect(os.path.exists(env_path), f"systemd/postgres/{service}.database.env is missing"):
                env = self.read_env(env_path)
                self.expect(set(env) == {"DVC_DATABASE"}, f"systemd/postgres/{service}.database.env: holds {sorted(env)}, want DVC_DATABASE only")
                self.check_database_url(f"systemd/postgres/{service}.database.env", service, env.get("DVC_DATABASE"))

        overlay = os.path.join(self.deploy, "kubernetes-postgres")
        kustomization_path = os.path.join(overlay, "kustomization.yaml")
        if not self.expect(os.path.exists(kustomization_path), "kubernetes-postgres/kustomization.yaml is missing"):
            return
        with open(kustomization_path, encoding="utf-8") as f:
            kustomization = yaml.safe_load(f)
        self.expect(kustomization.get("resources") == ["../kubernetes"],
                    f"kubernetes-postgres/kustomization.yaml: resources {kustomization.get('resources')}, want ['../kubernetes']")
        base = {}
        for name in os.listdir(os.path.join(self.deploy, "kubernetes")):
            if name.endswith(".yaml"):
                with open(os.path.join(self.deploy, "kubernetes", name), encoding="utf-8") as f:
                    for document in yaml.safe_load_all(f):
                        if document and document.get("kind") in ("StatefulSet", "Deployment"):
                            base[document["metadata"]["name"]] = document
        patched = set()
        for patch in kustomization.get("patches", []):
            path = os.path.join(overlay, patch.get("path", ""))
            if not self.expect(os.path.isfile(path), f"kubernetes-postgres: patch {patch.get('path')} is missing"):
                continue
            with open(path, encoding="utf-8") as f:
                for document in filter(None, yaml.safe_load_all(f)):
                    name = document["metadata"]["name"]
                    where = f"kubernetes-postgres/{patch['path']} {name}"
                    target = base.get(name)
                    if not self.expect(target is not None and target["kind"] == document.get("kind"),
                                       f"{where}: no {document.get('kind')} named {name} in kubernetes/"):
                        continue
                    self.expect(name in self.POSTGRES_DATABASES, f"{where}: {name} keeps its data in SQLite only")
                    for container in document["spec"]["template"]["spec"]["containers"]:
                        self.expect(container["name"] == name, f"{where}: container {container['name']} is not {name}")
                        for variable in container.get("env", []):
                            if variable["name"] != "DVC_DATABASE":
                                continue
                            ref = variable.get("valueFrom", {}).get("secretKeyRef", {})
                            self.expect(ref.get("name") == "dvc-database" and ref.get("key") == name,
                                        f"{where}: DVC_DATABASE comes from {ref or variable.get('value')!r}, want the Secret dvc-database, key {name}")
                            patched.add(name)
        for service in self.POSTGRES_DATABASES:
            self.expect(service in patched, f"kubernetes-postgres: {service} is not given DVC_DATABASE")

    def run(self):
        self.check_systemd()
        self.check_kubernetes()
        self.check_container()
        self.check_postgres()
        for problem in self.problems:
            print("PROBLEM", problem)
        if self.problems:
            print(f"{len(self.problems)} problem(s) in {self.checks} checks")
            return 1
        print(f"ok: {self.checks} checks")
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deploy", required=True)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--services", required=True, help="comma-separated executables")
    options = parser.parse_args()
    sys.exit(Checker(options.deploy, options.bin, options.services.split(",")).run())


if __name__ == "__main__":
    main()
