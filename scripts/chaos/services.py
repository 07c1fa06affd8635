"""Faults on the servers: PostgreSQL restarted, Redis killed and started again.

Both servers are the throwaway ones ``scripts/with-services.sh`` starts. The harness finds
what it needs from the running servers themselves (the data directory and the binary from
PostgreSQL, the port, directory, pid file and binary from Redis), so no path is configured.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis
from django.db import connection

from .processes import wait_until


class Postgres:
    """The PostgreSQL server behind Django's default connection."""

    def __init__(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('data_directory'), pg_backend_pid()")
            data_dir, backend = cursor.fetchone()
        self.data_dir = Path(data_dir)
        try:  # the server's own binary directory, from one of its processes
            self.bin = Path(os.readlink(f"/proc/{backend}/exe")).parent
        except OSError:
            self.bin = Path(shutil.which("pg_ctl") or "pg_ctl").parent
        owner = self.data_dir.stat().st_uid
        # PostgreSQL refuses to run as root: act as the data directory's owner.
        self.as_owner = (
            ["runuser", "-u", pwd.getpwuid(owner).pw_name, "--"]
            if os.getuid() == 0 and owner != 0
            else []
        )

    def restart(self) -> float:
        """``pg_ctl restart -m fast``: every session is terminated, open transactions roll
        back, and the server is down until it has started again. Returns the seconds taken."""
        started = time.monotonic()
        subprocess.run(
            [
                *self.as_owner,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.data_dir / "restart.log"),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "restart",
            ],
            check=True,
            capture_output=True,
        )
        connection.close()  # the harness's own session died with the others
        return time.monotonic() - started


class Redis:
    """The Redis server of the broker; killed with SIGKILL and started again, same port."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = redis.Redis.from_url(url)
        info = self.client.info("server")
        # Redis reports a binary started by its bare name as if it sat in its working directory.
        executable = info.get("executable", "")
        if not Path(executable).is_file():
            executable = shutil.which("redis-server") or "redis-server"
        self.executable = executable
        self.port = int(info["tcp_port"])
        config = self.client.config_get("*")
        self.dir, self.pidfile, self.logfile = (config["dir"], config["pidfile"], config["logfile"])

    def persistence(self, *, aof: bool) -> None:
        """Turn the append-only file on (as the production compose file runs Redis) or off."""
        self.client.config_set("appendonly", "yes" if aof else "no")
        if aof:
            wait_until(
                lambda: not self.client.info("persistence")["aof_rewrite_in_progress"],
                "Redis to write its append-only file",
                30,
            )

    def kill_and_restart(self, *, down: float, aof: bool) -> None:
        """SIGKILL (no chance to save anything), ``down`` seconds without Redis, then a new
        server on the same port, reading its append-only file if ``aof``."""
        pid = int(self.client.info("server")["process_id"])
        os.kill(pid, signal.SIGKILL)
        self.client.close()
        wait_until(lambda: not Path(f"/proc/{pid}").exists(), "Redis to die", 10, step=0.05)
        time.sleep(down)
        subprocess.run(
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes" if aof else "no",
                "--daemonize",
                "yes",
                "--pidfile",
                self.pidfile,
                "--dir",
                self.dir,
                "--logfile",
                self.logfile,
            ],
            check=True,
        )
        self.client = redis.Redis.from_url(self.url)
        wait_until(self._answers, "Redis to answer again", 30)

    def _answers(self) -> bool:
        try:
            return bool(self.client.ping()) and not self.client.info("persistence")["loading"]
        except redis.RedisError:
            return False
