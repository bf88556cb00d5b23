"""Adding a La Marzocco machine on an older gateway: host, port, key and serial, no cloud.

The flow talks to the loopback simulators of both local transports: the gateway's local API
(port 8081 on a real gateway) and the GS/3 raw TCP machine (port 1774).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.lamarzocco.const import (
    CONF_BLUETOOTH_ADDRESS,
    CONF_SERIAL,
    OPTION_USE_BLUETOOTH,
)
from custom_components.kitchen_connect.lamarzocco.legacy import flow as local_flow, local_api
from custom_components.kitchen_connect.lamarzocco.legacy.const import (
    CONF_HOST,
    CONF_KEY,
    CONF_PORT,
    CONF_TRANSPORT,
    CONF_USERNAME,
    OPTION_SESSION_INTERVAL,
    TRANSPORT_DIRECT,
    TRANSPORT_LOCAL_API,
)
from custom_components.kitchen_connect.lamarzocco.legacy.direct import (
    DEFAULT_SESSION_INTERVAL,
    coordinator as direct_coordinator,
    setup as direct_setup,
)
from simulators.ha_bluetooth import SimulatedScanner, async_start_scanner
from simulators.lamarzocco.direct_machine import DEFAULT_KEY, LINEA_MINI, DirectMachineSimulator
from simulators.lamarzocco.household import Household
from simulators.lamarzocco.local_gateway import LocalGateway

from .lamarzocco_support import gateway, old_household

__all__ = ["gateway", "old_household"]
from simulators.lamarzocco.peripheral import LaMarzoccoAir

MINI = "LM000101"
GS3 = "GS012345"
ADDRESS = "AA:BB:CC:00:01:01"
HOST = "127.0.0.1"


@pytest.fixture(autouse=True)
def short_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Raw TCP sessions and probe deadlines of a test, not of a kitchen."""
    monkeypatch.setattr(direct_coordinator, "LISTEN_SECONDS", 0.3)
    monkeypatch.setattr(direct_setup, "REQUEST_TIMEOUT", 1.0)
    # A raw TCP machine never answers an HTTP request: on a port that could be either, the
    # local API's probe waits for nothing first.
    monkeypatch.setattr(direct_setup, "PROBE_TIMEOUT", 1.5)
    monkeypatch.setattr(local_api, "PROBE_TIMEOUT", 0.5)


@pytest.fixture
def household(old_household: Household) -> Household:
    return old_household


@pytest.fixture
async def machine() -> AsyncIterator[DirectMachineSimulator]:
    async with DirectMachineSimulator(push_interval=0.05, time_scale=40) as simulated:
        yield simulated


@pytest.fixture
async def stranger() -> AsyncIterator[int]:
    """A web server on the loopback that is not a La Marzocco gateway."""
    app = web.Application()
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, HOST, 0)
    await site.start()
    yield int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
    await runner.cleanup()


async def _local_form(hass: HomeAssistant) -> str:
    """Add integration > Kitchen Connect > La Marzocco > Local connection; the flow id."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "lamarzocco"}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["lamarzocco_cloud", "lamarzocco_local"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "lamarzocco_local"}
    )
    assert result["step_id"] == "lamarzocco_local"
    return str(result["flow_id"])


async def _submit(hass: HomeAssistant, flow_id: str, **fields: Any) -> Any:
    return await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: HOST, CONF_KEY: "", CONF_SERIAL: MINI, **fields}
    )


async def _add(hass: HomeAssistant, **fields: Any) -> ConfigEntry:
    result = await _submit(hass, await _local_form(hass), **fields)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    entry = result["result"]
    assert isinstance(entry, ConfigEntry)
    return entry


async def test_a_gateway_on_the_local_api_becomes_a_read_only_entry(
    hass: HomeAssistant, gateway: LocalGateway
) -> None:
    """No machine in Bluetooth range: the entry is created at once and reads the gateway."""
    entry = await _add(hass, **{CONF_PORT: gateway.port, CONF_KEY: gateway.key})
    assert entry.unique_id == MINI
    assert entry.title == "Linea Mini"
    assert entry.data[CONF_TRANSPORT] == TRANSPORT_LOCAL_API
    assert entry.data[CONF_PORT] == gateway.port
    assert entry.data["model"] == "LINEAMINI"
    assert entry.options == {OPTION_USE_BLUETOOTH: True}
    assert entry.state is ConfigEntryState.LOADED


async def test_a_gs3_on_raw_tcp_becomes_an_entry_with_a_session_interval(
    hass: HomeAssistant, machine: DirectMachineSimulator
) -> None:
    """On a port that is neither 8081 nor 1774 both transports are tried; TCP answers."""
    entry = await _add(hass, **{CONF_PORT: machine.port, CONF_KEY: DEFAULT_KEY, CONF_SERIAL: GS3})
    assert entry.data[CONF_TRANSPORT] == TRANSPORT_DIRECT
    assert entry.options == {OPTION_SESSION_INTERVAL: DEFAULT_SESSION_INTERVAL}
    assert entry.state is ConfigEntryState.LOADED
    await machine.wait_released(timeout=5)  # the session lets the machine go again


@pytest.mark.parametrize("running", [TRANSPORT_LOCAL_API, TRANSPORT_DIRECT])
async def test_an_empty_port_finds_the_transport(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    household: Household,
    running: str,
) -> None:
    """Left empty, the local API's port is tried first, then the raw TCP one."""
    gateway = LocalGateway(household, MINI, tick=0.05, keep_alive=0.2)
    machine = DirectMachineSimulator(model=LINEA_MINI, serial=MINI, push_interval=0.05)
    idle = DirectMachineSimulator()  # started and stopped: a port where nothing listens
    await idle.start()
    closed_port = idle.port
    await idle.stop()
    if running == TRANSPORT_LOCAL_API:
        await gateway.start()
        ports = {TRANSPORT_LOCAL_API: gateway.port, TRANSPORT_DIRECT: closed_port}
        key = gateway.key
    else:
        await machine.start()
        ports = {TRANSPORT_LOCAL_API: closed_port, TRANSPORT_DIRECT: machine.port}
        key = DEFAULT_KEY
    monkeypatch.setattr(local_flow, "WELL_KNOWN_PORTS", ports)
    try:
        entry = await _add(hass, **{CONF_KEY: key})
        assert entry.data[CONF_TRANSPORT] == running
        assert entry.data[CONF_PORT] == ports[running]
        assert entry.state is ConfigEntryState.LOADED
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await gateway.stop()
        await machine.stop()


async def test_refusals_are_explained_on_the_form_and_nothing_is_added(
    hass: HomeAssistant, gateway: LocalGateway, stranger: int
) -> None:
    """Wrong key, key not enabled, a stranger, nobody, bad host or serial: a translated error."""
    flow_id = await _local_form(hass)
    # The gateway answers 403 to a key it does not know and to one it has not enabled.
    result = await _submit(hass, flow_id, **{CONF_PORT: gateway.port, CONF_KEY: "not-the-key"})
    assert result["errors"] == {"base": "lamarzocco_local_key_not_enabled"}
    gateway.key_enabled = False
    result = await _submit(hass, flow_id, **{CONF_PORT: gateway.port, CONF_KEY: gateway.key})
    assert result["errors"] == {"base": "lamarzocco_local_key_not_enabled"}
    result = await _submit(hass, flow_id, **{CONF_PORT: stranger, CONF_KEY: gateway.key})
    assert result["errors"] == {"base": "lamarzocco_local_not_lamarzocco"}
    await gateway.stop()
    result = await _submit(hass, flow_id, **{CONF_PORT: gateway.port, CONF_KEY: gateway.key})
    assert result["errors"] == {"base": "lamarzocco_local_cannot_connect"}
    result = await _submit(hass, flow_id, **{CONF_HOST: "  ", CONF_KEY: gateway.key})
    assert result["errors"] == {CONF_HOST: "lamarzocco_local_invalid_host"}
    result = await _submit(hass, flow_id, **{CONF_SERIAL: "LM 0001/01", CONF_KEY: gateway.key})
    assert result["errors"] == {CONF_SERIAL: "lamarzocco_local_invalid_serial"}
    assert result["step_id"] == "lamarzocco_local"
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_another_machines_serial_or_key_is_refused(
    hass: HomeAssistant, machine: DirectMachineSimulator
) -> None:
    """The raw TCP machine tells its serial: a typo in the form is caught before adding."""
    flow_id = await _local_form(hass)
    result = await _submit(
        hass, flow_id, **{CONF_PORT: machine.port, CONF_KEY: "f" * 32, CONF_SERIAL: GS3}
    )
    assert result["errors"] == {"base": "lamarzocco_local_invalid_key"}
    result = await _submit(
        hass, flow_id, **{CONF_PORT: machine.port, CONF_KEY: DEFAULT_KEY, CONF_SERIAL: "GS999999"}
    )
    assert result["errors"] == {CONF_SERIAL: "lamarzocco_local_serial_mismatch"}
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_the_same_machine_is_not_added_twice(
    hass: HomeAssistant, gateway: LocalGateway
) -> None:
    await _add(hass, **{CONF_PORT: gateway.port, CONF_KEY: gateway.key})
    result = await _submit(
        hass, await _local_form(hass), **{CONF_PORT: gateway.port, CONF_KEY: gateway.key}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.usefixtures("no_discovery_flows", "enable_bluetooth")
async def test_a_machine_in_bluetooth_range_can_take_writes(
    hass: HomeAssistant, gateway: LocalGateway, household: Household
) -> None:
    """The local API only reads: with the machine in range, its Bluetooth and account are asked."""
    air = LaMarzoccoAir()
    peripheral = air.add(household, MINI, ADDRESS, legacy_key=gateway.key, tick=0.05)
    stop = async_start_scanner(
        hass, SimulatedScanner("simulated-lamarzocco-proxy", [peripheral]), interval=None
    )
    try:
        flow_id = await _local_form(hass)
        result = await _submit(hass, flow_id, **{CONF_PORT: gateway.port, CONF_KEY: gateway.key})
        assert result["step_id"] == "lamarzocco_local_bluetooth"
        options = result["data_schema"].schema[CONF_BLUETOOTH_ADDRESS].config["options"]
        assert {option["value"] for option in options} == {"none", ADDRESS}
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_BLUETOOTH_ADDRESS: ADDRESS}
        )
        assert result["errors"] == {CONF_USERNAME: "lamarzocco_local_username_required"}
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_BLUETOOTH_ADDRESS: ADDRESS, CONF_USERNAME: " Barista@Example.com "}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["data"][CONF_BLUETOOTH_ADDRESS] == ADDRESS
        assert result["data"][CONF_USERNAME] == "barista@example.com"
        await hass.async_block_till_done()
        await hass.config_entries.async_unload(result["result"].entry_id)

        # Choosing no device keeps the machine read-only and asks for no account.
        await hass.config_entries.async_remove(result["result"].entry_id)
        flow_id = await _local_form(hass)
        await _submit(hass, flow_id, **{CONF_PORT: gateway.port, CONF_KEY: gateway.key})
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_BLUETOOTH_ADDRESS: "none"}
        )
        assert CONF_BLUETOOTH_ADDRESS not in result["data"]
        assert CONF_USERNAME not in result["data"]
        await hass.async_block_till_done()
    finally:
        stop()
        air.close()


async def test_a_refused_key_is_entered_again(hass: HomeAssistant, gateway: LocalGateway) -> None:
    """Reauth asks for the key alone, checks it, and reloads the entry."""
    entry = await _add(hass, **{CONF_PORT: gateway.port, CONF_KEY: gateway.key})
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_REAUTH, "entry_id": entry.entry_id}, data=entry.data
    )
    assert result["step_id"] == "lamarzocco_local_reauth"
    assert set(result["data_schema"].schema) == {CONF_KEY}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_KEY: "not-the-key"}
    )
    assert result["errors"] == {"base": "lamarzocco_local_key_not_enabled"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_KEY: gateway.key}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_moves_the_entry_to_a_new_address(
    hass: HomeAssistant, machine: DirectMachineSimulator
) -> None:
    """A new address is checked with the stored key; another machine there is refused."""
    entry = await _add(hass, **{CONF_PORT: machine.port, CONF_KEY: DEFAULT_KEY, CONF_SERIAL: GS3})
    async with DirectMachineSimulator(push_interval=0.05) as moved:
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
        )
        assert result["step_id"] == "lamarzocco_local_reconfigure"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: HOST, CONF_PORT: moved.port}
        )
        assert result["reason"] == "reconfigure_successful"
        assert entry.data[CONF_PORT] == moved.port
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED

        async with DirectMachineSimulator(model=LINEA_MINI, serial="LM999999") as other:
            result = await hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
            )
            result = await hass.config_entries.flow.async_configure(
                result["flow_id"], {CONF_HOST: HOST, CONF_PORT: other.port}
            )
            assert result["reason"] == "lamarzocco_local_wrong_machine"
            assert entry.data[CONF_PORT] == moved.port
        await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_to_an_address_where_nothing_answers(
    hass: HomeAssistant, gateway: LocalGateway
) -> None:
    entry = await _add(hass, **{CONF_PORT: gateway.port, CONF_KEY: gateway.key})
    port = gateway.port
    await hass.config_entries.async_unload(entry.entry_id)
    await gateway.stop()
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: HOST, CONF_PORT: port}
    )
    assert result["errors"] == {"base": "lamarzocco_local_cannot_connect"}


async def test_options_of_each_transport(
    hass: HomeAssistant, gateway: LocalGateway, machine: DirectMachineSimulator
) -> None:
    """Raw TCP: how often the machine is visited. Local API: whether writes use Bluetooth."""
    direct = await _add(hass, **{CONF_PORT: machine.port, CONF_KEY: DEFAULT_KEY, CONF_SERIAL: GS3})
    result = await hass.config_entries.options.async_init(direct.entry_id)
    assert result["step_id"] == "lamarzocco_local"
    assert set(result["data_schema"].schema) == {OPTION_SESSION_INTERVAL}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {OPTION_SESSION_INTERVAL: 120}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert direct.options == {OPTION_SESSION_INTERVAL: 120}
    await hass.async_block_till_done()

    local = await _add(hass, **{CONF_PORT: gateway.port, CONF_KEY: gateway.key})
    result = await hass.config_entries.options.async_init(local.entry_id)
    assert set(result["data_schema"].schema) == {OPTION_USE_BLUETOOTH}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {OPTION_USE_BLUETOOTH: False}
    )
    assert local.options == {OPTION_USE_BLUETOOTH: False}
    await hass.async_block_till_done()
    for entry in (direct, local):
        await hass.config_entries.async_unload(entry.entry_id)
