"""Prepare config/ for scripts/develop: configuration, owner, onboarding and a live entry.

Run by scripts/develop after it has started the simulator. Every step is idempotent:
a first run creates what is missing, later runs only pair again, because the simulator
forgets its pairings when it stops, and store the new token in the existing entry.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from dataclasses import dataclass
import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import aiohttp
from homeassistant import config_entries, runner
from homeassistant.auth import auth_manager_from_config
from homeassistant.auth.const import GROUP_ID_ADMIN
from homeassistant.auth.providers.homeassistant import HassAuthProvider, InvalidUser
from homeassistant.components.http.config import HTTP_STORAGE_SCHEMA, HTTPConfigStore
from homeassistant.components.http.const import CONF_SERVER_HOST, CONF_SERVER_PORT
from homeassistant.components.onboarding import (
    STORAGE_KEY as ONBOARDING_KEY,
    STORAGE_VERSION as ONBOARDING_VERSION,
    OnboardingStorage,
)
from homeassistant.components.onboarding.const import STEPS as ONBOARDING_STEPS
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.ge.const import (
    CONF_REGION,
    CONF_SERVER,
    CONF_USER_ID,
    DEFAULT_REGION,
)
from custom_components.kitchen_connect.ge.entry_data import token_data
from custom_components.kitchen_connect.kitchenlib.errors import ConnectionFailedError
from custom_components.kitchen_connect.kitchenlib.ge.account import (
    async_fetch_websocket_endpoint,
)
from custom_components.kitchen_connect.kitchenlib.ge.endpoints import Endpoints, Region
from custom_components.kitchen_connect.kitchenlib.ge.login import LoginSucceeded, SmartHqLogin
from custom_components.kitchen_connect.kitchenlib.jura.machine import async_pair
from custom_components.kitchen_connect.kitchenlib.lamarzocco.installation import InstallationKey
from custom_components.kitchen_connect.kitchenlib.nespresso.auth import derive_key
from custom_components.kitchen_connect.lamarzocco.const import CONF_INSTALLATION_KEY
from simulators.devsim import SIMULATED_PROXY
from simulators.devsim.lamarzocco import simulator_port as lamarzocco_port
from simulators.ge import DEFAULT_ACCOUNT
from simulators.lamarzocco.direct_machine import DEFAULT_KEY as DIRECT_KEY
from simulators.lamarzocco.household import default_household as lamarzocco_household
from simulators.lamarzocco.local_gateway import default_key
from simulators.lamarzocco.peripheral import address_of
from simulators.lamarzocco.server import (
    DEFAULT_PASSWORD as LAMARZOCCO_PASSWORD,
    DEFAULT_USERNAME as LAMARZOCCO_USERNAME,
)
from simulators.nespresso.household import DEV_MACHINES

USERNAME = "dev"
PASSWORD = "dev"  # loopback only, and trusted_networks skips the login page anyway
CONN_ID = "ha-develop"
UNIQUE_ID = "develop-jura"
TITLE = "Simulated Jura S8"
GE_TITLE = "GE Appliances (simulated household)"
# The machines on older gateways' local transports (scripts/develop starts their simulators).
LOCAL_API_SERIAL = "LM000101"
DIRECT_SERIAL = "GS012345"
MODEL = "EF1091"
ARTICLE = 15480
SIMULATOR_WAIT = 30.0  # seconds for the simulator to start listening
HTTP_HOST = "127.0.0.1"
HTTP_PORT = 8123

CONFIGURATION_YAML = """\
# Written once by scripts/develop; edit freely, it is not committed.
#
# Not default_config: it would also start zeroconf, ssdp, dhcp, bluetooth, cloud and
# alert fetching, which talk to the local network and the internet. The integrations
# below are the parts of it a Kitchen Connect developer uses, and stay on loopback.
homeassistant:
  name: Kitchen Connect (develop)
  # Without a country Home Assistant greets every new install with a repair.
  country: DE
  auth_providers:
    - type: trusted_networks
      trusted_networks:
        - 127.0.0.1/32
        - ::1/128
      allow_bypass_login: true
    - type: homeassistant

# No http: section. Since 2026.10 Home Assistant keeps the HTTP settings in
# .storage/http, where scripts/develop stores 127.0.0.1:8123; YAML would only be a
# five-minute trial that then reverts to listening on every interface.
frontend:
config:
history:
logbook:
system_health:

# Development only: simulated Bluetooth appliances (Nespresso) on a simulated proxy.
kitchen_connect_devsim:

logger:
  default: info
  logs:
    custom_components.kitchen_connect: debug
"""


@dataclass(frozen=True, slots=True)
class Simulator:
    """Where the simulated machine listens."""

    host: str
    port: int


def write_configuration(config_dir: Path) -> None:
    """Create configuration.yaml unless the developer already has one."""
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "configuration.yaml"
    if not path.exists():
        path.write_text(CONFIGURATION_YAML, encoding="utf-8")
        print(f"created {path}")
    enable_devsim(path)


def enable_devsim(path: Path) -> None:
    """Add the simulated Bluetooth appliances to a configuration.yaml written before them."""
    text = path.read_text(encoding="utf-8")
    if "kitchen_connect_devsim:" not in text:
        path.write_text(
            text.rstrip("\n") + "\n\n# Development only: simulated Bluetooth appliances.\n"
            "kitchen_connect_devsim:\n",
            encoding="utf-8",
        )
        print(f"enabled the simulated Bluetooth appliances in {path}")


def lamarzocco_entries(existing: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """The simulated La Marzocco household's entries: one per machine, one account.

    They keep the installation key of an earlier run (the helper integration trusts it
    again when the simulated cloud starts) and the Bluetooth addresses the machines
    advertise from.
    """
    stored = next(
        (
            e["data"][CONF_INSTALLATION_KEY]
            for e in existing
            if e["data"].get("brand") == "lamarzocco"
        ),
        None,
    )
    key = stored or InstallationKey.generate().to_dict()
    household = lamarzocco_household()
    coffee_machines = [m.serial for m in household.machines.values() if not m.grinder]
    entries = []
    for machine in household.machines.values():
        data: dict[str, Any] = {
            "brand": "lamarzocco",
            "username": LAMARZOCCO_USERNAME,
            "password": LAMARZOCCO_PASSWORD,
            "server": f"http://{HTTP_HOST}:{lamarzocco_port()}",
            CONF_INSTALLATION_KEY: key,
            "serial_number": machine.serial,
            "model": machine.model_code,
        }
        if machine.serial in coffee_machines:
            # The order LaMarzoccoAir.for_household gives the machines their addresses in.
            data["bluetooth_address"] = address_of(coffee_machines.index(machine.serial) + 1)
        entries.append((machine.serial, machine.name, data))
    return entries


def local_lamarzocco_entries(
    host: str, local_api_port: int, direct_port: int
) -> list[tuple[str, str, dict[str, Any]]]:
    """A Linea Mini on an older gateway's local API and a GS3 AV on the raw TCP protocol."""
    return [
        (
            LOCAL_API_SERIAL,
            "Linea Mini (local API)",
            {
                "brand": "lamarzocco",
                "transport": "local_api",
                "host": host,
                "port": local_api_port,
                "key": default_key(LOCAL_API_SERIAL),
                "serial_number": LOCAL_API_SERIAL,
                "model": "LINEAMINI",
            },
        ),
        (
            DIRECT_SERIAL,
            "GS3 AV (raw TCP)",
            {
                "brand": "lamarzocco",
                "transport": "direct",
                "host": host,
                "port": direct_port,
                "key": DIRECT_KEY,
                "serial_number": DIRECT_SERIAL,
                "model": "GS3AV",
            },
        ),
    ]


def nespresso_entries() -> list[tuple[str, str, dict[str, Any]]]:
    """The entries of the simulated Nespresso machines that hold a key (one is left unpaired)."""
    entries: list[tuple[str, str, dict[str, Any]]] = []
    for machine in DEV_MACHINES:
        if machine.seed is None:
            continue
        data = {
            "brand": "nespresso",
            "address": machine.address,
            "family": machine.family.value,
            "model": machine.model,
            "key": derive_key(machine.seed).hex(),
            "seed": machine.seed,
        }
        entries.append((dr.format_mac(machine.address), f"Nespresso {machine.model}", data))
    return entries


def forget_simulated_adverts(config_dir: Path) -> None:
    """Drop the simulated proxy's adverts Home Assistant kept from the last run.

    Home Assistant replays stored adverts when its Bluetooth starts, before the development
    helper can stop its own ``lamarzocco`` integration from claiming the simulated machines;
    that integration would then install its library into the venv.
    """
    path = config_dir / ".storage" / "bluetooth.remote_scanners"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except OSError, ValueError:
        return
    scanners = stored.get("data", {})
    if isinstance(scanners, dict) and scanners.pop(SIMULATED_PROXY, None) is not None:
        path.write_text(json.dumps(stored), encoding="utf-8")


async def ensure_owner(hass: HomeAssistant) -> None:
    """Create the owner account once, as onboarding would (login dev / dev)."""
    hass.auth = await auth_manager_from_config(hass, [{"type": "homeassistant"}], [])
    if await hass.auth.async_get_owner() is not None:
        return
    provider = hass.auth.auth_providers[0]
    assert isinstance(provider, HassAuthProvider)
    await provider.async_initialize()
    # The credentials may have survived an earlier, interrupted run.
    with contextlib.suppress(InvalidUser):
        await provider.async_add_auth(USERNAME, PASSWORD)
    user = await hass.auth.async_create_user("Developer", group_ids=[GROUP_ID_ADMIN])
    credentials = await provider.async_get_or_create_credentials({"username": USERNAME})
    await hass.auth.async_link_user(user, credentials)
    print(f"created the owner account {USERNAME!r} (password {PASSWORD!r})")


async def mark_onboarded(hass: HomeAssistant) -> None:
    """Mark every onboarding step done, so the frontend opens straight on the dashboard."""
    store = OnboardingStorage(hass, ONBOARDING_VERSION, ONBOARDING_KEY, private=True)
    data = await store.async_load() or {"done": []}
    missing = [step for step in ONBOARDING_STEPS if step not in data["done"]]
    if missing:
        data["done"].extend(missing)
        await store.async_save(data)


async def bind_loopback(hass: HomeAssistant, port: int = HTTP_PORT) -> None:
    """Make 127.0.0.1:``port`` the confirmed HTTP config (the settings the UI would save)."""
    store = HTTPConfigStore(hass)
    await store.async_load()
    wanted = HTTP_STORAGE_SCHEMA({CONF_SERVER_HOST: [HTTP_HOST], CONF_SERVER_PORT: port})
    await store.async_set_pending(wanted)
    if store.pending is not None:
        await store.async_promote_pending()
    await store.async_mark_yaml_migration_done()


async def pair(simulator: Simulator) -> str:
    """Pair with the simulator (it confirms by itself), waiting for it to listen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SIMULATOR_WAIT
    while True:
        try:
            return await async_pair(
                simulator.host, conn_id=CONN_ID, port=simulator.port, timeout=10.0
            )
        except ConnectionFailedError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.5)


def _entry_versions() -> tuple[int, int]:
    """The version the integration's config flow writes, so no migration runs."""
    try:
        __import__("custom_components.kitchen_connect.config_flow")
    except ImportError:
        return 1, 1
    handler = config_entries.HANDLERS.get(DOMAIN)
    if handler is None:
        return 1, 1
    return handler.VERSION, handler.MINOR_VERSION


def _entry_data(simulator: Simulator, token: str) -> dict[str, Any]:
    return {
        "brand": "jura",
        "host": simulator.host,
        "port": simulator.port,
        "conn_id": CONN_ID,
        "token": token,
        "pin": "",
        "model": MODEL,
        "article": ARTICLE,
        "machine_id": UNIQUE_ID,
    }


def _new_entry(data: dict[str, Any], unique_id: str, title: str) -> dict[str, Any]:
    version, minor_version = _entry_versions()
    entry = config_entries.ConfigEntry(
        data=data,
        discovery_keys=MappingProxyType({}),
        domain=DOMAIN,
        minor_version=minor_version,
        options={},
        source=config_entries.SOURCE_USER,
        subentries_data=None,
        title=title,
        unique_id=unique_id,
        version=version,
    )
    return entry.as_dict()


async def ge_sign_in(host: str, port: int) -> dict[str, Any]:
    """Sign in to the SmartHQ simulator as its household's owner; the entry data."""
    endpoints = Endpoints.for_server(f"http://{host}:{port}")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SIMULATOR_WAIT
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                result = await SmartHqLogin(session, Region.US, endpoints).async_sign_in(
                    DEFAULT_ACCOUNT.username, DEFAULT_ACCOUNT.password
                )
                break
            except ConnectionFailedError:
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.5)
        assert isinstance(result, LoginSucceeded)
        endpoint = await async_fetch_websocket_endpoint(
            session, endpoints, result.tokens.access_token
        )
    return {
        "brand": "ge",
        "username": DEFAULT_ACCOUNT.username,
        CONF_REGION: DEFAULT_REGION,
        CONF_SERVER: endpoints.login_url,
        **token_data(result.tokens),
        CONF_USER_ID: endpoint.user_id,
    }


async def store_entries(
    hass: HomeAssistant, entries_data: list[tuple[str, str, dict[str, Any]]]
) -> None:
    """Add each simulated appliance's config entry, or give the existing one new secrets."""
    store = config_entries.ConfigEntryStore(hass)
    stored = await store.async_load() or {"entries": []}
    entries = stored["entries"]
    for unique_id, title, data in entries_data:
        existing = next(
            (e for e in entries if e["domain"] == DOMAIN and e["unique_id"] == unique_id), None
        )
        if existing is None:
            entries.append(_new_entry(data, unique_id, title))
            print(f"added the config entry {title!r}")
        else:
            existing["data"] = {**existing["data"], **data}
            existing["modified_at"] = dt_util.utcnow().isoformat()
    await store.async_save(stored)


def device_url(config_dir: Path, base_url: str) -> str:
    """The simulated machine's device page, or the integration page before it exists."""
    registry = config_dir / ".storage" / "core.device_registry"
    try:
        devices = json.loads(registry.read_text(encoding="utf-8"))["data"]["devices"]
    except OSError, ValueError, KeyError:
        devices = []
    for device in devices:
        if [DOMAIN, UNIQUE_ID] in device.get("identifiers", []):
            return f"{base_url}/config/devices/device/{device['id']}"
    return f"{base_url}/config/integrations/integration/{DOMAIN}"


async def _load_registries(hass: HomeAssistant) -> None:
    """What the auth store needs loaded first, as in Home Assistant's own auth script."""
    hass.config_entries = config_entries.ConfigEntries(hass, {})
    await hass.config_entries.async_initialize()
    dr.async_setup(hass)
    await asyncio.gather(dr.async_load(hass), er.async_load(hass))


async def ensure_jura_device(hass: HomeAssistant) -> None:
    """Register the simulated machine's device now, so the banner can link to its page.

    The integration finds it by the same identifier when Home Assistant starts.
    """
    entry = next(
        (e for e in hass.config_entries.async_entries(DOMAIN) if e.unique_id == UNIQUE_ID), None
    )
    if entry is not None:
        dr.async_get(hass).async_get_or_create(
            config_entry_id=entry.entry_id, identifiers={(DOMAIN, UNIQUE_ID)}, name=TITLE
        )


async def prepare(
    config_dir: Path,
    simulator: Simulator,
    ge_port: int,
    http_port: int = HTTP_PORT,
    local_ports: tuple[int, int] = (8081, 1774),
) -> None:
    """Run every step against one short-lived Home Assistant core (no integrations)."""
    write_configuration(config_dir)
    forget_simulated_adverts(config_dir)
    token = await pair(simulator)
    ge_data = await ge_sign_in(simulator.host, ge_port)
    hass = HomeAssistant(str(config_dir))
    try:
        stored = await config_entries.ConfigEntryStore(hass).async_load() or {"entries": []}
        await store_entries(
            hass,
            [
                (UNIQUE_ID, TITLE, _entry_data(simulator, token)),
                (ge_data[CONF_USER_ID], GE_TITLE, ge_data),
                *lamarzocco_entries(stored["entries"]),
                *local_lamarzocco_entries(simulator.host, *local_ports),
                *nespresso_entries(),
            ],
        )
        await mark_onboarded(hass)
        await bind_loopback(hass, http_port)
        await _load_registries(hass)
        await ensure_jura_device(hass)
        await ensure_owner(hass)
    finally:
        # The auth store saves with a delay; stopping flushes it. hass never started,
        # so only force makes async_stop run its final-write stage.
        await hass.async_stop(force=True)


def main() -> None:
    """Parse the command line and prepare the config directory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("config"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=51515, help="the simulator's TCP port")
    parser.add_argument("--ge-port", type=int, default=8766, help="the SmartHQ simulator's port")
    parser.add_argument(
        "--http-port", type=int, default=HTTP_PORT, help="the port Home Assistant listens on"
    )
    parser.add_argument(
        "--lm-local-port", type=int, default=8081, help="the older gateway's local API port"
    )
    parser.add_argument("--lm-direct-port", type=int, default=1774, help="the GS3's raw TCP port")
    parser.add_argument("--print-device-url", metavar="BASE_URL", help="print it and exit")
    args = parser.parse_args()
    config_dir: Path = args.config.resolve()
    if args.print_device_url:
        print(device_url(config_dir, args.print_device_url))
        return
    asyncio.run(
        prepare(
            config_dir,
            Simulator(args.host, args.port),
            args.ge_port,
            args.http_port,
            (args.lm_local_port, args.lm_direct_port),
        ),
        loop_factory=runner.create_event_loop,
    )


if __name__ == "__main__":
    main()
