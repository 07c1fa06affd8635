"""Start the test provider (``tests.accounts.oidc_provider``) in a subprocess on a free port of
127.0.0.1, seeded with its client and users; stopped when the ``with`` block ends."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = "tests.accounts.oidc_provider.settings"


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_provider(
    workdir: Path, *, redirect_uri: str, people: list[str], client_id: str = "mission-leadership"
) -> Iterator[Provider]:
    """``people``: ``"username:email:password"`` each."""
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}/o"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = workdir / "provider-key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "OIDC_TEST_ISSUER": issuer,
        "OIDC_TEST_DB": str(workdir / "provider.sqlite3"),
        "OIDC_TEST_KEY": str(key_file),
        "OAUTHLIB_INSECURE_TRANSPORT": "1",  # plain HTTP on 127.0.0.1, for the test only
        "PYTHONPATH": str(ROOT),
    }
    client_secret = "provider-test-secret"  # noqa: S105
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.accounts.oidc_provider.seed",
            client_id,
            client_secret,
            redirect_uri,
            *people,
        ],
        env=env,
        cwd=ROOT,
        check=True,
    )
    log = (workdir / "provider.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration") as r:
                    if r.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((workdir / "provider.log").read_text()) from None
                time.sleep(0.2)
        yield Provider(issuer=issuer, client_id=client_id, client_secret=client_secret)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
