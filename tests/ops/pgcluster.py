"""Throwaway PostgreSQL clusters for the scaling tests: a primary and its streaming replica.

initdb refuses to run as root, so as root the cluster's programs run as the postgres OS user
(`runuser -u postgres --`); the clusters live in a temporary directory that user owns, listen on
127.0.0.1 only, and are stopped and removed afterwards.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg


def pg_bin() -> Path | None:
    """The newest installed server's bin directory (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def why_no_clusters() -> str | None:
    """None when this machine can make clusters, else why not (a skip reason)."""
    if pg_bin() is None:
        return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres OS user (initdb refuses root)"
        if shutil.which("runuser") is None:
            return "running as root without runuser"
    return None


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@dataclass
class Cluster:
    data: Path
    port: int
    log: Path

    @property
    def admin_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.url(dbname), autocommit=True, connect_timeout=5)


class Clusters:
    """Makes clusters under one temporary directory; `close()` stops and removes them all."""

    def __init__(self) -> None:
        self.bin = pg_bin()
        assert self.bin is not None, why_no_clusters()
        self.root = Path(tempfile.mkdtemp(prefix="h_scale_pg_"))
        self.root.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.clusters: list[Cluster] = []

    def _as_owner(self, argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(  # type: ignore[call-overload, no-any-return]
            [*prefix, *argv], check=True, capture_output=True, text=True, cwd=self.root, **kwargs
        )

    def _tool(self, name: str) -> str:
        assert self.bin is not None
        return str(self.bin / name)

    def _settings(self, port: int) -> str:
        return (
            f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
            # Throwaway: no need to survive a power cut.
            "fsync = off\nshared_buffers = 32MB\nmax_connections = 60\n"
        )

    def _start(self, cluster: Cluster) -> Cluster:
        self._as_owner([self._tool("pg_ctl"), "-D", str(cluster.data), "-l", str(cluster.log), "-w", "start"])
        self.clusters.append(cluster)
        return cluster

    def primary(self, port: int) -> Cluster:
        """A new cluster that streams its WAL to replicas (wal_level=replica, a replication entry)."""
        assert port_free(port), f"port {port} is taken: another run of these tests?"
        data = self.root / f"primary-{port}"
        self._as_owner(
            [self._tool("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        )
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(self._settings(port) + "wal_level = replica\nmax_wal_senders = 4\n")
        with (data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        return self._start(Cluster(data, port, self.root / f"primary-{port}.log"))

    def replica(self, of: Cluster, port: int) -> Cluster:
        """A hot standby of `of`, made with pg_basebackup -R (it writes the standby's connection)."""
        assert port_free(port), f"port {port} is taken: another run of these tests?"
        data = self.root / f"replica-{port}"
        self._as_owner(
            [
                self._tool("pg_basebackup"),
                *("-h", "127.0.0.1", "-p", str(of.port), "-U", "postgres"),
                *("-D", str(data), "-R", "-X", "stream", "-c", "fast"),
            ]
        )
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(self._settings(port) + "hot_standby = on\n")
        return self._start(Cluster(data, port, self.root / f"replica-{port}.log"))

    def stop(self, cluster: Cluster) -> None:
        try:
            self._as_owner([self._tool("pg_ctl"), "-D", str(cluster.data), "-m", "immediate", "stop"])
        except subprocess.CalledProcessError:
            pass  # already stopped

    def close(self) -> None:
        for cluster in reversed(self.clusters):
            self.stop(cluster)
        shutil.rmtree(self.root, ignore_errors=True)


def wait_for(check, timeout: float = 30.0, pause: float = 0.1):  # type: ignore[no-untyped-def]
    """check()'s first true value within `timeout` seconds, else AssertionError (a database error
    counts as not yet: the replica may not have the database yet)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except psycopg.Error:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {check.__doc__ or check}")
        time.sleep(pause)
