"""The production compose file is valid: `docker compose config` checks keys and types.

`make test` provides the compose plugin (scripts/test.sh); where the docker client or the
plugin is missing, the test is skipped with the reason rather than passing silently.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(
    not compose_available(), reason="no docker client with the compose plugin here"
)


def config(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", "compose", "config", "-q"], cwd=directory, capture_output=True, text=True
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    return tmp_path


def test_the_compose_file_is_valid(project: Path) -> None:
    result = config(project)
    assert result.returncode == 0, result.stderr


def test_the_check_catches_a_bad_key(project: Path) -> None:
    """The validation is real: a misspelt key fails it."""
    compose = project / "docker-compose.yml"
    compose.write_text(compose.read_text().replace("healthcheck:", "healthchek:", 1))
    result = config(project)
    assert result.returncode != 0 and "healthchek" in result.stderr


def test_every_long_running_service_is_there_with_health_checks() -> None:
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ("web", "worker", "postgres", "redis"):
        assert "healthcheck" in services[name], name
