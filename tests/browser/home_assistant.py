"""A real Home Assistant process, prepared the way scripts/develop prepares config/."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = Path(__file__).parents[2]
HASS_MAIN = Path(__file__).with_name("hass_main.py")
START_TIMEOUT = 120.0  # a cold start compiles the frontend's routes and loads every platform

# develop_setup.py writes its own configuration.yaml only when there is none; this one
# leaves out the recorder (history, logbook), which the pages under test do not need.
CONFIGURATION_YAML = """\
homeassistant:
  name: Kitchen Connect (browser tests)
  country: DE
  language: en
  auth_providers:
    - type: trusted_networks
      trusted_networks:
        - 127.0.0.1/32
      allow_bypass_login: true
    - type: homeassistant
frontend:
config:
# Development only: the simulated La Marzocco cloud and Bluetooth proxy, as in scripts/develop.
kitchen_connect_devsim:
logger:
  default: warning
  logs:
    custom_components.kitchen_connect: debug
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The simulated La Marzocco cloud runs inside Home Assistant (simulators/devsim); the entries
# develop_setup.py writes point at it.
LAMARZOCCO_PORT_VARIABLE = "KC_LM_SIM_PORT"
LAMARZOCCO_PORT = free_port()
# Home Assistant gets only the simulators on its path: the repository's custom_components
# would hide the config's.
DEVELOP_PATH = ".develop_path"


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if "PYTHONPATH" in env else "")
    env[LAMARZOCCO_PORT_VARIABLE] = str(LAMARZOCCO_PORT)
    return env


def _hass_environment(config_dir: Path) -> dict[str, str]:
    """As scripts/develop: only the simulators on the path, and the simulated cloud's port.

    Home Assistant builds some requirements it installs from source; they need the headers
    of the Python that scripts/bootstrap unpacked, if it did.
    """
    env = dict(os.environ)
    include = Path(sys.base_prefix) / "include"
    if (include / "x86_64-linux-gnu").is_dir():
        env["CPATH"] = str(include) + (os.pathsep + env["CPATH"] if "CPATH" in env else "")
    env["PYTHONPATH"] = str(config_dir / DEVELOP_PATH)
    env[LAMARZOCCO_PORT_VARIABLE] = str(LAMARZOCCO_PORT)
    return env


def prepare_config(
    config_dir: Path,
    *,
    jura_host: str,
    jura_port: int,
    ge_port: int,
    http_port: int,
    lamarzocco_local_ports: tuple[int, int],
) -> None:
    """Write the configuration and run scripts/develop_setup.py as scripts/develop does."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(CONFIGURATION_YAML, encoding="utf-8")
    custom = config_dir / "custom_components"
    custom.mkdir(exist_ok=True)
    (custom / "kitchen_connect").symlink_to(ROOT / "custom_components" / "kitchen_connect")
    (custom / "kitchen_connect_devsim").symlink_to(ROOT / "simulators" / "devsim")
    (config_dir / DEVELOP_PATH).mkdir(exist_ok=True)
    (config_dir / DEVELOP_PATH / "simulators").symlink_to(ROOT / "simulators")
    result = subprocess.run(
        [
            sys.executable,
            "scripts/develop_setup.py",
            "--config",
            str(config_dir),
            "--host",
            jura_host,
            "--port",
            str(jura_port),
            "--ge-port",
            str(ge_port),
            "--http-port",
            str(http_port),
            "--lm-local-port",
            str(lamarzocco_local_ports[0]),
            "--lm-direct-port",
            str(lamarzocco_local_ports[1]),
        ],
        cwd=ROOT,
        env=_environment(),
        check=False,
        capture_output=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"scripts/develop_setup.py failed:\n{result.stderr.decode()[-4000:]}")


@dataclass(frozen=True, slots=True)
class RunningHomeAssistant:
    """Where the process listens and where it logs."""

    url: str
    log: Path


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
            raise RuntimeError(f"Home Assistant exited with {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"{url}/manifest.json", timeout=2):
                return
        except OSError, urllib.error.URLError:
            time.sleep(0.25)
    raise TimeoutError(f"Home Assistant did not serve {url} within {START_TIMEOUT:.0f} s")


@contextlib.contextmanager
def run_home_assistant(
    config_dir: Path, http_port: int, log: Path
) -> Iterator[RunningHomeAssistant]:
    """Start ``hass --config config_dir`` logging to ``log``; stop it afterwards."""
    url = f"http://127.0.0.1:{http_port}"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, str(HASS_MAIN), str(free_port()), "--config", str(config_dir)],
            # As for a user: the integration comes from <config>/custom_components only.
            cwd=config_dir,
            env=_hass_environment(config_dir),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_serving(url, process, log)
            yield RunningHomeAssistant(url, log)
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
