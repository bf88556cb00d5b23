"""Settings (firmware, plumb-in) and firmware updates, parsed and over the wire."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import json
from typing import Any

import aiohttp
from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import CommandRefusedError, ProtocolError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.cloud import (
    Endpoints,
    LaMarzoccoCloud,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.firmware import (
    FirmwareUpdate,
    parse_firmware_update,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.installation import InstallationKey
from custom_components.kitchen_connect.kitchenlib.lamarzocco.models import FirmwareType
from custom_components.kitchen_connect.kitchenlib.lamarzocco.settings import (
    parse_settings,
    version_tuple,
)
from simulators.lamarzocco.household import default_household
from simulators.lamarzocco.server import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    LaMarzoccoCloudSimulator,
)

MICRA, MINI, GS3, PICO = "MR000001", "LM000002", "GS000003", "PG000004"

SETTINGS: dict[str, Any] = {
    "serialNumber": "MR1",
    "type": "CoffeeMachine",
    "modelCode": "LINEAMICRA",
    "actualFirmwares": [
        {
            "type": "Gateway",
            "buildVersion": "v5.0.9",
            "changeLog": "Gateway notes",
            "thingModelCode": "LINEAMICRA",
            "status": "ToUpdate",
            "availableUpdate": {
                "type": "Gateway",
                "buildVersion": "v5.2.0",
                "changeLog": "What is new",
                "thingModelCode": "LINEAMICRA",
            },
        },
        {"type": "Machine", "buildVersion": "v1.17", "status": "Updated"},
        {"type": "File", "buildVersion": "v3"},
    ],
    "wifiSsid": "home",
    "wifiRssi": -61,
    "plumbInSupported": True,
    "isPlumbedIn": False,
    "bleAuthToken": "secret-ble-token",
    "autoUpdateSupported": True,
    "autoUpdate": True,
    "cropsterSupported": False,
    "somethingNew": {"a": 1},
}


def test_settings() -> None:
    settings = parse_settings(SETTINGS)
    gateway = settings.firmware(FirmwareType.GATEWAY)
    assert gateway is not None
    assert (gateway.version, gateway.available_version, gateway.update_available) == (
        "v5.0.9",
        "v5.2.0",
        True,
    )
    assert (gateway.changelog, gateway.available_changelog) == ("Gateway notes", "What is new")
    machine = settings.firmware(FirmwareType.MACHINE)
    assert machine is not None
    assert not machine.update_available
    assert settings.firmware(FirmwareType.FILE) is not None
    assert (settings.plumb_in_supported, settings.plumbed_in) == (True, False)
    assert (settings.auto_update_supported, settings.auto_update) == (True, True)
    assert settings.wifi_rssi == -61
    assert settings.ble_auth_token == "secret-ble-token"
    assert "secret-ble-token" not in repr(settings)
    assert settings.gateway_version == "v5.0.9"
    assert not settings.gateway_too_old


@pytest.mark.parametrize(
    ("version", "too_old"),
    [("v4.4.2", True), ("v5.0.8", True), ("v5.0.9", False), ("v5.1-rc3", False), ("odd", False)],
)
def test_gateway_too_old(version: str, too_old: bool) -> None:
    firmwares = [{"type": "Gateway", "buildVersion": version}]
    assert parse_settings({**SETTINGS, "actualFirmwares": firmwares}).gateway_too_old is too_old
    assert not parse_settings({"serialNumber": "MR1"}).gateway_too_old
    assert version_tuple("v3.4-rc5") == (3, 4, 0)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {**SETTINGS, "actualFirmwares": {}},
        {**SETTINGS, "actualFirmwares": [{"type": "Gateway"}]},
        {**SETTINGS, "wifiRssi": "strong"},
        {**SETTINGS, "isPlumbedIn": "yes"},
    ],
)
def test_unusable_settings_are_protocol_errors(data: Any) -> None:
    with pytest.raises(ProtocolError):
        parse_settings(data)


def test_firmware_update() -> None:
    update = parse_firmware_update(
        {
            "status": "InProgress",
            "commandStatus": "InProgress",
            "progressInfo": "download",
            "progressPercentage": 42,
        }
    )
    assert update == FirmwareUpdate("InProgress", "InProgress", "download", 42)
    assert update.in_progress
    assert not update.update_available
    assert parse_firmware_update({"status": "ToUpdate"}).update_available
    for data in (None, {}, {"status": "InProgress", "progressPercentage": 101}):
        with pytest.raises(ProtocolError):
            parse_firmware_update(data)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@given(_JSON)
def test_random_settings_and_updates_parse_or_are_protocol_errors(data: Any) -> None:
    for parser in (parse_settings, parse_firmware_update):
        with contextlib.suppress(ProtocolError):
            parser(data)


@given(st.sampled_from(sorted(SETTINGS)), _JSON)
def test_mutated_settings_parse_or_are_protocol_errors(key: str, value: Any) -> None:
    with contextlib.suppress(ProtocolError):
        parse_settings({**SETTINGS, key: value})


@given(st.integers(min_value=0, max_value=len(json.dumps(SETTINGS))))
def test_truncated_settings_are_protocol_errors(cut: int) -> None:
    try:
        data = json.loads(json.dumps(SETTINGS)[:cut])
    except ValueError:
        return
    with contextlib.suppress(ProtocolError):
        parse_settings(data)


# --- over the wire --------------------------------------------------------------------------


async def test_settings_of_the_household(cloud: LaMarzoccoCloud) -> None:
    micra = await cloud.async_settings(MICRA)
    assert micra.gateway_version == "v5.1.2"
    assert not micra.gateway_too_old
    assert micra.ble_auth_token == "simulated-ble-token-micra"
    assert micra.plumb_in_supported
    machine = micra.firmware(FirmwareType.MACHINE)
    assert machine is not None
    assert machine.available_version == "v1.41"
    gs3 = await cloud.async_settings(GS3)
    assert (gs3.plumb_in_supported, gs3.plumbed_in) == (True, True)
    assert (await cloud.async_settings(PICO)).thing.serial_number == PICO


@pytest.fixture
async def fast_sim() -> AsyncIterator[LaMarzoccoCloudSimulator]:
    """A household whose gateway is too old and whose time runs 1000 times faster."""
    simulator = LaMarzoccoCloudSimulator(
        household=default_household(time_scale=1000, old_gateway=True), tick_interval=0.005
    )
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def fast_cloud(
    fast_sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession
) -> LaMarzoccoCloud:
    """A client of the fast simulator."""
    client = LaMarzoccoCloud(
        http,
        InstallationKey.generate(),
        DEFAULT_USERNAME,
        DEFAULT_PASSWORD,
        endpoints=Endpoints.for_server(fast_sim.base_url),
    )
    await client.async_register()
    return client


async def test_firmware_update_with_progress(
    fast_sim: LaMarzoccoCloudSimulator, fast_cloud: LaMarzoccoCloud
) -> None:
    # Slower than the rest of this household, so the progress can be watched.
    fast_sim.household.machines[MICRA].time_scale = 15.0
    before = await fast_cloud.async_settings(MICRA)
    assert before.gateway_too_old
    assert (await fast_cloud.async_firmware_update_status(MICRA)).update_available
    started = await fast_cloud.async_start_firmware_update(MICRA)
    assert started.in_progress
    seen: list[int] = []
    async with asyncio.timeout(10):
        while (status := await fast_cloud.async_firmware_update_status(MICRA)).in_progress:
            seen.append(status.progress_percentage or 0)
            await asyncio.sleep(0.02)
    assert status.status == "Updated"
    assert seen == sorted(seen)
    assert len(set(seen)) > 3
    after = await fast_cloud.async_settings(MICRA)
    assert not after.gateway_too_old
    gateway = after.firmware(FirmwareType.GATEWAY)
    machine_fw = after.firmware(FirmwareType.MACHINE)
    assert gateway is not None
    assert machine_fw is not None
    assert (gateway.version, machine_fw.version) == ("v5.1.2", "v1.41")
    assert not machine_fw.update_available
    with pytest.raises(CommandRefusedError):
        await fast_cloud.async_start_firmware_update(MICRA)
