"""Shared fixtures: Home Assistant test harness and loopback appliance simulators."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
import os
import socket
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.components import bluetooth
from homeassistant.const import CONF_ADDRESS
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import format_mac
from hypothesis import settings
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.kitchen_connect.const import CONF_BRAND, DOMAIN
from custom_components.kitchen_connect.jura.config_flow import JuraFlow
from custom_components.kitchen_connect.kitchenlib.jura import session_gap
from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from custom_components.kitchen_connect.kitchenlib.nespresso.auth import derive_key
from custom_components.kitchen_connect.kitchenlib.nespresso.link import Timeouts
from custom_components.kitchen_connect.kitchenlib.nespresso.models import Family
from custom_components.kitchen_connect.nespresso import connection as nespresso_connection
from simulators.ge import (
    DEFAULT_ACCOUNT,
    SmartHqSimulator,
)
from simulators.ge.auth_pages import AuthScenario
from simulators.ha_bluetooth import SimulatedScanner, async_start_scanner
from simulators.jura.simulator import JuraSimulator
from simulators.nespresso.backend import SimulatedAir, SimulatedPeripheral
from simulators.nespresso.machine import SimulatedMachine

from .helpers import OTHER_GE_ACCOUNT

# Fails the run when a secret a simulator handed out shows up in a log line, a diagnostics
# download or a text shown to the user.
pytest_plugins = ("tests.secrets_plugin",)

# Timing is not what property tests check; in CI the examples are also fixed, so a red run
# can always be reproduced.
settings.register_profile("kitchen", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("kitchen")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/kitchen_connect in every test."""


@pytest.fixture(autouse=True)
def fresh_session_gaps() -> Iterator[None]:
    """Each test starts like a fresh process: no dongle closed a session moments ago."""
    session_gap.forget_all()
    yield
    session_gap.forget_all()


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Let tests open sockets; the test harness still only allows 127.0.0.1 as a peer."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots with Home Assistant's serializer (volatile ids replaced)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def jura_model() -> str:
    """The EF code of the simulated machine; parametrize to test other models."""
    return "EF1091"


@pytest.fixture
async def jura_simulator(jura_model: str) -> AsyncIterator[JuraSimulator]:
    """A Jura machine on 127.0.0.1 that confirms pairing by itself."""
    profile = get_profile(jura_model)
    assert profile is not None
    simulator = JuraSimulator(
        profile, auto_confirm_pairing=True, push_interval=0.2, brew_step_interval=0.05
    )
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def ge_scenario() -> AuthScenario:
    """The sign-in pages' switches; flip them in a test before signing in."""
    return AuthScenario()


@pytest.fixture
async def ge_simulator(ge_scenario: AuthScenario) -> AsyncIterator[SmartHqSimulator]:
    """A SmartHQ cloud on 127.0.0.1 holding the default household; time stands still."""
    simulator = SmartHqSimulator(
        accounts=(DEFAULT_ACCOUNT, OTHER_GE_ACCOUNT), scenario=ge_scenario, tick_interval=0
    )
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def all_entities_enabled() -> Iterator[None]:
    """Enable the entities that are off by default, so a test sees every one."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on (TCP or UDP)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def jura_flow_on_loopback(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    """The Jura flow scans and polls 127.0.0.1 only, quickly; nothing answers UDP."""
    monkeypatch.setattr(JuraFlow, "discovery_target", "127.0.0.1")
    monkeypatch.setattr(JuraFlow, "discovery_port", closed_port)
    monkeypatch.setattr(JuraFlow, "discovery_timeout", 0.2)
    monkeypatch.setattr(JuraFlow, "poll_timeout", 0.3)


# -- Nespresso: simulated machines heard through Home Assistant's Bluetooth stack ----------

NESPRESSO_EXPERT = "D1:E1:03:7C:4A:9D"
NESPRESSO_VERTUO = "0C:B8:15:68:65:AE"
# Short enough for fast tests, long enough for a loaded CI runner.
NESPRESSO_FAST = Timeouts(connect=2.0, bond=1.0, gatt=0.5, response=0.5, disconnect=0.5)


@pytest.fixture
def nespresso_air() -> SimulatedAir:
    """The simulated machines' air; tests put machines on it."""
    return SimulatedAir()


@pytest.fixture
async def nespresso_scanner(
    hass: HomeAssistant,
    enable_bluetooth: None,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[SimulatedScanner]:
    """A remote scanner in Home Assistant that advertises only when a test says so.

    The library's deadlines are short, so a hanging machine fails a test in a second.
    """
    monkeypatch.setitem(nespresso_connection.TIMEOUTS, "client", NESPRESSO_FAST)
    scanner = SimulatedScanner("simulated-nespresso-proxy")
    stop = async_start_scanner(hass, scanner, interval=None)
    yield scanner
    stop()


NESPRESSO_SEED = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
NESPRESSO_KEY = derive_key(NESPRESSO_SEED)
NESPRESSO_VERTUO_INFO = bytes.fromhex("006500c801f4000a3039aabbccddeeff")


@pytest.fixture
def nespresso_expert(
    nespresso_air: SimulatedAir, nespresso_scanner: SimulatedScanner
) -> SimulatedPeripheral:
    """An Expert&Milk given our key once, long ago, advertising through the scanner."""
    peripheral = nespresso_air.add(
        NESPRESSO_EXPERT, SimulatedMachine(key=NESPRESSO_KEY), name="Expert&Milk_D1E1037C4A9D"
    )
    nespresso_scanner.add(peripheral)
    nespresso_scanner.advertise()
    return peripheral


@pytest.fixture
def nespresso_vertuo(
    nespresso_air: SimulatedAir, nespresso_scanner: SimulatedScanner
) -> SimulatedPeripheral:
    """A Vertuo Pop given our key once, advertising through the scanner."""
    machine = SimulatedMachine(Family.VERTUO, key=NESPRESSO_KEY, machine_info=NESPRESSO_VERTUO_INFO)
    machine.settings = bytes.fromhex("2c010309")
    peripheral = nespresso_air.add(NESPRESSO_VERTUO, machine, name="DV2_0CB8156865AE")
    nespresso_scanner.add(peripheral)
    nespresso_scanner.advertise()
    return peripheral


def nespresso_entry(
    peripheral: SimulatedPeripheral, *, key: bytes = NESPRESSO_KEY, **data: str
) -> MockConfigEntry:
    """An entry for ``peripheral`` as the config flow stores it (not added yet)."""
    vertuo = peripheral.machine.family is Family.VERTUO
    return MockConfigEntry(
        domain=DOMAIN,
        title="Nespresso Vertuo Pop" if vertuo else "Nespresso Expert&Milk",
        unique_id=format_mac(peripheral.address),
        data={
            CONF_BRAND: "nespresso",
            CONF_ADDRESS: peripheral.address,
            "family": peripheral.machine.family.value,
            "model": "Vertuo Pop" if vertuo else "Expert&Milk",
            "key": key.hex(),
            **data,
        },
    )


@pytest.fixture
def no_discovery_flows(monkeypatch: pytest.MonkeyPatch) -> None:
    """No Bluetooth discovery flows (request it before Bluetooth is set up).

    Home Assistant's own ``lamarzocco`` matches the names the simulated La Marzocco machines
    advertise, and our own flows would race the ones a test starts.
    """

    async def no_matchers(_hass: HomeAssistant) -> list[Any]:
        return []

    monkeypatch.setattr(bluetooth, "async_get_bluetooth", no_matchers)
