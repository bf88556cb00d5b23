"""La Marzocco steps: sign-in, privacy policy, machine, discovery, reauth, reconfigure, options."""

from __future__ import annotations

from homeassistant.config_entries import (
    SOURCE_BLUETOOTH,
    SOURCE_DHCP,
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.helpers.service_info.bluetooth import BluetoothServiceInfo
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import pytest

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.development_server import DEVELOPMENT_MARKER
from custom_components.kitchen_connect.lamarzocco.const import (
    CONF_BLUETOOTH_ADDRESS,
    CONF_INSTALLATION_KEY,
    CONF_NETWORK_MAC,
    CONF_SERIAL,
    CONF_SERVER,
    OPTION_OFFLINE_MODE,
    OPTION_USE_BLUETOOTH,
)
from simulators.lamarzocco.server import DEFAULT_USERNAME, LaMarzoccoCloudSimulator

from .lamarzocco_support import (
    ADVANCED,
    GS3_AV,
    MICRA,
    MINI,
    PICO,
    add_lamarzocco_entry,
    fast_stream,
    lamarzocco_simulator,
    sign_in_input,
    start_sign_in,
)

__all__ = ["fast_stream", "lamarzocco_simulator"]

MICRA_ADDRESS = "AA:BB:CC:DD:EE:01"


async def _start(hass: HomeAssistant, entry: ConfigEntry, source: str) -> FlowResult:
    return await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": source, "entry_id": entry.entry_id},
        data=entry.data if source == SOURCE_REAUTH else None,
    )


def _advert(name: str, address: str = MICRA_ADDRESS) -> BluetoothServiceInfo:
    return BluetoothServiceInfo(
        name=name,
        address=address,
        rssi=-60,
        manufacturer_data={},
        service_data={},
        service_uuids=[],
        source="local",
    )


async def test_sign_in_then_pick_a_machine(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, fast_stream: None
) -> None:
    """Every thing of the account is offered; the chosen one becomes an entry named after it."""
    flow_id = await start_sign_in(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, sign_in_input(lamarzocco_simulator)
    )
    assert result["step_id"] == "lamarzocco_machine"
    options = result["data_schema"].schema["machine"].config["options"]
    assert [option["value"] for option in options] == [MICRA, MINI, GS3_AV, PICO]
    assert options[0]["label"] == f"Micra (Linea Micra, {MICRA})"
    result = await hass.config_entries.flow.async_configure(flow_id, {"machine": GS3_AV})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "GS3"
    assert result["result"].unique_id == GS3_AV
    data = result["data"]
    assert data[CONF_SERIAL] == GS3_AV
    assert data[CONF_USERNAME] == DEFAULT_USERNAME
    assert data[CONF_SERVER] == lamarzocco_simulator.base_url
    assert lamarzocco_simulator.auth.is_registered(data[CONF_INSTALLATION_KEY]["installation_id"])
    assert result["options"] == {OPTION_USE_BLUETOOTH: True, OPTION_OFFLINE_MODE: False}
    await hass.async_block_till_done()
    assert result["result"].state is ConfigEntryState.LOADED


async def test_second_machine_signs_with_the_same_key(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, fast_stream: None
) -> None:
    """Machines of one account share the installation key: it is registered only once."""
    first = await add_lamarzocco_entry(hass, lamarzocco_simulator, MICRA)
    registrations = lamarzocco_simulator.count("/auth/init")
    second = await add_lamarzocco_entry(hass, lamarzocco_simulator, MINI)
    assert lamarzocco_simulator.count("/auth/init") == registrations
    assert first.data[CONF_INSTALLATION_KEY] == second.data[CONF_INSTALLATION_KEY]


async def test_added_machines_are_not_offered_again(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, fast_stream: None
) -> None:
    """Once every thing is added, signing in again ends with a clear message."""
    for serial in (MICRA, MINI, GS3_AV, PICO):
        await add_lamarzocco_entry(hass, lamarzocco_simulator, serial)
    flow_id = await start_sign_in(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, sign_in_input(lamarzocco_simulator)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "lamarzocco_no_machines"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({CONF_PASSWORD: "wrong"}, "lamarzocco_invalid_auth"),
        ({"advanced": {CONF_SERVER: "ftp://127.0.0.1"}}, "lamarzocco_invalid_server"),
    ],
)
async def test_bad_input_is_shown_on_the_form(
    hass: HomeAssistant,
    lamarzocco_simulator: LaMarzoccoCloudSimulator,
    change: dict[str, object],
    error: str,
) -> None:
    """A wrong password or server keeps the form with a translated error; nothing is added."""
    flow_id = await start_sign_in(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, sign_in_input(lamarzocco_simulator, **change)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "lamarzocco_cloud"
    assert error in result["errors"].values()
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_unreachable_and_blocked_cloud(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, closed_port: int
) -> None:
    """A cloud that does not answer, or blocks us, is said so; the form stays for a retry."""
    flow_id = await start_sign_in(hass)
    unreachable = {"advanced": {CONF_SERVER: f"http://127.0.0.1:{closed_port}"}}
    result = await hass.config_entries.flow.async_configure(
        flow_id, sign_in_input(lamarzocco_simulator, **unreachable)
    )
    assert result["errors"] == {"base": "lamarzocco_cannot_connect"}
    lamarzocco_simulator.blocked = True
    result = await hass.config_entries.flow.async_configure(
        flow_id, sign_in_input(lamarzocco_simulator)
    )
    assert result["errors"] == {"base": "lamarzocco_blocked"}
    lamarzocco_simulator.blocked = False
    result = await hass.config_entries.flow.async_configure(
        flow_id, sign_in_input(lamarzocco_simulator)
    )
    assert result["step_id"] == "lamarzocco_machine"


async def test_server_field_offered_on_a_development_home_assistant(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """Users sign in to La Marzocco; the development helper's marker offers the simulator."""
    for development in (False, True):
        if development:
            hass.data[DEVELOPMENT_MARKER] = True
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        for step in ("lamarzocco", "lamarzocco_cloud"):
            result = await hass.config_entries.flow.async_configure(
                result["flow_id"], {"next_step_id": step}
            )
        fields = {CONF_USERNAME, CONF_PASSWORD}
        assert set(result["data_schema"].schema) == (
            fields | {"advanced"} if development else fields
        )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], sign_in_input(lamarzocco_simulator)
    )
    assert result["step_id"] == "lamarzocco_machine"


async def test_privacy_policy_step(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """An account that must accept the policy gets the step; accepting it lets it sign in."""
    lamarzocco_simulator.auth.require_privacy_policy = True
    flow_id = await start_sign_in(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, sign_in_input(lamarzocco_simulator)
    )
    assert result["step_id"] == "lamarzocco_policy"
    schema = result["data_schema"].schema
    assert {str(key) for key in schema} == {"profile_data", "commercial"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"profile_data": False, "commercial": True}
    )
    assert result["step_id"] == "lamarzocco_machine"
    assert lamarzocco_simulator.auth.policy_consents[DEFAULT_USERNAME] == (False, True)


async def test_bluetooth_discovery_adds_the_advertised_machine(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, fast_stream: None
) -> None:
    """A machine's advert leads to sign-in and straight to that machine, its address kept."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={**ADVANCED, "source": SOURCE_BLUETOOTH},
        data=_advert(f"MICRA_{MICRA}"),
    )
    assert result["step_id"] == "lamarzocco_cloud"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], sign_in_input(lamarzocco_simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MICRA
    assert result["data"][CONF_BLUETOOTH_ADDRESS] == MICRA_ADDRESS
    await hass.async_block_till_done()


async def test_bluetooth_discovery_of_a_machine_on_another_account(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """An advertised machine that is not on the account is named as such."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={**ADVANCED, "source": SOURCE_BLUETOOTH},
        data=_advert("GS3AV_GS999999"),
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], sign_in_input(lamarzocco_simulator)
    )
    assert result["errors"] == {"base": "lamarzocco_machine_not_found"}


async def test_discovery_of_a_known_machine_updates_its_addresses(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, fast_stream: None
) -> None:
    """Bluetooth and DHCP of an added machine only store the new address."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator, MICRA)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=_advert(f"MICRA_{MICRA}")
    )
    assert result["reason"] == "already_configured"
    dhcp = DhcpServiceInfo(ip="127.0.0.1", hostname=MICRA.lower(), macaddress="aabbccddee02")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp
    )
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_BLUETOOTH_ADDRESS] == MICRA_ADDRESS
    assert entry.data[CONF_NETWORK_MAC] == "aabbccddee02"


async def test_dhcp_discovery_of_a_new_machine(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, fast_stream: None
) -> None:
    """A gateway's host name is its serial: sign-in adds that machine."""
    dhcp = DhcpServiceInfo(ip="127.0.0.1", hostname=GS3_AV.lower(), macaddress="aabbccddee03")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={**ADVANCED, "source": SOURCE_DHCP}, data=dhcp
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], sign_in_input(lamarzocco_simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == GS3_AV
    await hass.async_block_till_done()


async def test_other_adverts_and_hosts_are_not_ours(hass: HomeAssistant) -> None:
    """Names and host names that are not La Marzocco's end the flow at once."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=_advert("KITCHEN_SCALE")
    )
    assert result["reason"] == "not_supported"
    dhcp = DhcpServiceInfo(ip="127.0.0.1", hostname="printer", macaddress="aabbccddee04")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp
    )
    assert result["reason"] == "not_supported"


async def test_reauth_asks_only_for_the_password(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, fast_stream: None
) -> None:
    """A changed password is entered once; the entry keeps its machine and reloads."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator, MICRA)
    lamarzocco_simulator.auth.add_account(DEFAULT_USERNAME, "new-password")
    result = await _start(hass, entry, SOURCE_REAUTH)
    assert result["step_id"] == "lamarzocco_reauth_confirm"
    assert set(result["data_schema"].schema) == {CONF_PASSWORD}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "wrong"}
    )
    assert result["errors"] == {"base": "lamarzocco_invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "new-password"}
    )
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == "new-password"
    assert entry.data[CONF_SERIAL] == MICRA
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_without_a_machine_in_range(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, fast_stream: None
) -> None:
    """New credentials are checked; with no machine in Bluetooth range that is all."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator, MICRA)
    result = await _start(hass, entry, SOURCE_RECONFIGURE)
    assert result["step_id"] == "lamarzocco_reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: DEFAULT_USERNAME, CONF_PASSWORD: "simulated-password"}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_options_offline_mode_needs_bluetooth(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, fast_stream: None
) -> None:
    """Offline mode without the machine's Bluetooth device is refused with the reason."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator, MICRA)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "lamarzocco"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {OPTION_USE_BLUETOOTH: True, OPTION_OFFLINE_MODE: True}
    )
    assert result["errors"] == {"base": "lamarzocco_bluetooth_required_offline"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {OPTION_USE_BLUETOOTH: False, OPTION_OFFLINE_MODE: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {OPTION_USE_BLUETOOTH: False, OPTION_OFFLINE_MODE: False}
    await hass.async_block_till_done()


async def test_policy_step_errors_keep_the_step(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """Accepting can fail on the way or with a password changed meanwhile; the step stays."""
    lamarzocco_simulator.auth.require_privacy_policy = True
    flow_id = await start_sign_in(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, sign_in_input(lamarzocco_simulator)
    )
    assert result["step_id"] == "lamarzocco_policy"
    consents = {"profile_data": False, "commercial": False}
    lamarzocco_simulator.blocked = True
    result = await hass.config_entries.flow.async_configure(flow_id, consents)
    assert (result["step_id"], result["errors"]) == (
        "lamarzocco_policy",
        {"base": "lamarzocco_cannot_connect"},
    )
    lamarzocco_simulator.blocked = False
    lamarzocco_simulator.auth.add_account(DEFAULT_USERNAME, "changed-meanwhile")
    result = await hass.config_entries.flow.async_configure(flow_id, consents)
    assert result["errors"] == {"base": "lamarzocco_invalid_auth"}


async def test_account_that_cannot_list_its_machines(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """Signed in, but the machine list fails: the form says so and can be sent again."""
    lamarzocco_simulator.unavailable_paths.add("/things")
    flow_id = await start_sign_in(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, sign_in_input(lamarzocco_simulator)
    )
    assert (result["step_id"], result["errors"]) == (
        "lamarzocco_cloud",
        {"base": "lamarzocco_cannot_connect"},
    )
    lamarzocco_simulator.unavailable_paths.clear()
    result = await hass.config_entries.flow.async_configure(
        flow_id, sign_in_input(lamarzocco_simulator)
    )
    assert result["step_id"] == "lamarzocco_machine"


async def test_reconfigure_to_an_account_without_the_machine(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, fast_stream: None
) -> None:
    """Credentials of an account that no longer holds the machine are refused."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator, MICRA)
    result = await _start(hass, entry, SOURCE_RECONFIGURE)
    del lamarzocco_simulator.household.machines[MICRA]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_USERNAME: DEFAULT_USERNAME, CONF_PASSWORD: "simulated-password"},
    )
    assert result["errors"] == {"base": "lamarzocco_machine_not_found"}
