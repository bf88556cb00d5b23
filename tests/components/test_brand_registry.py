"""A fifth brand is one package and one declaration in brands.py: a minimal fake brand proves it.

The fake "toaster" brand declares a BrandSpec with a runtime, one sensor, a config flow
with a Bluetooth discovery step, reauth, and a confirm-gated action, and is declared
next to the real brands, its spec found by module path as theirs are; nothing in the
shared modules is touched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import patch

from homeassistant.components.sensor import SensorEntity, SensorEntityDescription
from homeassistant.config_entries import (
    SOURCE_BLUETOOTH,
    SOURCE_DHCP,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlowResult,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.service_info.bluetooth import BluetoothServiceInfo
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, start_reauth_flow

from custom_components.kitchen_connect import brands
from custom_components.kitchen_connect.brands import Brand
from custom_components.kitchen_connect.const import CONF_BRAND, DOMAIN
from custom_components.kitchen_connect.entity import KitchenConnectEntity
from custom_components.kitchen_connect.spec import BrandAction, BrandFlow, BrandSpec

TOASTER_ADDRESS = "AA:BB:CC:DD:EE:01"
KETTLE_ADDRESS = "AA:BB:CC:DD:EE:02"


@dataclass
class ApplianceRuntime:
    """The runtime data of a fake appliance: a value, and what happened to it."""

    name: str
    temperature: int = 180
    commands: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    shut_down: bool = False

    async def async_shutdown(self) -> None:
        self.shut_down = True

    def diagnostics(self) -> dict[str, Any]:
        return {"temperature": self.temperature, "secret_pin": "1234"}


type ApplianceEntry = ConfigEntry[ApplianceRuntime]


class ApplianceSensor(KitchenConnectEntity, SensorEntity):
    """The fake appliance's one sensor, built on the shared entity mixin."""

    translation_prefix = "toaster"

    def __init__(self, entry: ApplianceEntry) -> None:
        super().__init__(
            description=SensorEntityDescription(key="temperature", translation_key="temperature"),
            device_info=DeviceInfo(identifiers={(DOMAIN, entry.data["address"])}, name=entry.title),
            device_key=entry.data["address"],
        )
        self._runtime = entry.runtime_data

    @property
    def native_value(self) -> int:
        return self._runtime.temperature


async def _setup_runtime(hass: HomeAssistant, entry: ApplianceEntry) -> ApplianceRuntime:
    return ApplianceRuntime(entry.title)


async def _setup_sensor(
    hass: HomeAssistant, entry: ApplianceEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    async_add_entities([ApplianceSensor(entry)])


def _flow_class(key: str, title: str) -> type[BrandFlow]:
    """A brand's flow: added by hand, found over Bluetooth, reauthenticated."""

    class ApplianceFlow(BrandFlow):
        discovered: str | None = None

        async def _create(self, address: str) -> ConfigFlowResult:
            await self.flow.async_set_unique_id(address)
            self.flow._abort_if_unique_id_configured()
            return self.flow.async_create_entry(
                title=title, data={CONF_BRAND: key, "address": address}
            )

        async def manual(self, user_input: dict[str, Any] | None) -> ConfigFlowResult:
            if user_input is not None:
                return await self._create(user_input["address"])
            return self.flow.async_show_form(
                step_id=f"{key}_address", data_schema=vol.Schema({vol.Required("address"): str})
            )

        async def async_step_bluetooth(
            self, discovery_info: BluetoothServiceInfo
        ) -> ConfigFlowResult:
            self.discovered = discovery_info.address
            return self.flow.async_show_form(step_id=f"{key}_confirm")

        async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
            return self.flow.async_show_form(step_id=f"{key}_reauth_confirm")

    async def first_step(self: Any, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self.manual(user_input)

    async def address_step(self: Any, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self.manual(user_input)

    async def confirm_step(self: Any, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self._create(self.discovered)

    async def reauth_confirm_step(
        self: Any, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return self.flow.async_update_reload_and_abort(
            self.flow._get_reauth_entry(), data_updates={"reauthed": True}
        )

    setattr(ApplianceFlow, f"async_step_{key}", first_step)
    setattr(ApplianceFlow, f"async_step_{key}_address", address_step)
    setattr(ApplianceFlow, f"async_step_{key}_confirm", confirm_step)
    setattr(ApplianceFlow, f"async_step_{key}_reauth_confirm", reauth_confirm_step)
    return ApplianceFlow


async def _toast(
    hass: HomeAssistant, entry: ApplianceEntry, device: str, data: Mapping[str, Any]
) -> None:
    entry.runtime_data.commands.append(("brew", dict(data)))


def _spec(key: str, address: str) -> BrandSpec:
    return BrandSpec(
        key=key,
        translation_prefix=key,
        async_setup=_setup_runtime,
        platforms={Platform.SENSOR: _setup_sensor},
        flow=_flow_class(key, key.capitalize()),
        discovery={"bluetooth": lambda info: info.address == address},
        actions=(
            BrandAction(
                name="brew",
                fields={vol.Optional("slices", default=2): vol.All(int, vol.Range(1, 4))},
                refusal_key_fn=lambda _data: f"{key}_confirm_brew",
                run=_toast,
            ),
        ),
        redact=frozenset({"secret_pin"}),
    )


TOASTER = _spec("toaster", TOASTER_ADDRESS)
KETTLE = _spec("kettle", KETTLE_ADDRESS)


@pytest.fixture(autouse=True)
async def registered_fakes(hass: HomeAssistant) -> AsyncIterator[None]:
    """Declare the fake brands the way a new brand is declared: one line each."""
    fakes = (
        Brand(
            key=spec.key,
            spec=f"{__name__}:{spec.key.upper()}",
            discovery=frozenset(spec.discovery),
            actions=spec.actions,
        )
        for spec in (TOASTER, KETTLE)
    )
    with patch.object(brands, "DECLARED", (*brands.DECLARED, *fakes)):
        yield
        for entry in hass.config_entries.async_entries(DOMAIN):
            if entry.state is ConfigEntryState.LOADED:
                await hass.config_entries.async_unload(entry.entry_id)


def _bluetooth(address: str) -> BluetoothServiceInfo:
    return BluetoothServiceInfo(
        name="fake",
        address=address,
        rssi=-60,
        manufacturer_data={},
        service_data={},
        service_uuids=[],
        source="local",
    )


async def _add_toaster(hass: HomeAssistant) -> ConfigEntry:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert "toaster" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "toaster"}
    )
    assert result["step_id"] == "toaster_address"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"address": TOASTER_ADDRESS}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    return result["result"]


async def test_a_new_brand_is_added_set_up_and_unloaded(hass: HomeAssistant) -> None:
    """The menu offers it, its flow creates the entry, its platform adds its entity."""
    entry = await _add_toaster(hass)
    assert entry.state is ConfigEntryState.LOADED
    state = hass.states.get("sensor.toaster")
    assert state is not None
    assert state.state == "180"

    runtime = entry.runtime_data
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert runtime.shut_down


async def test_a_new_brands_action_is_scoped_and_gated(hass: HomeAssistant) -> None:
    """Its action checks its own fields, refuses without confirm, then runs."""
    entry = await _add_toaster(hass)
    registry = dr.async_get(hass)
    (device,) = dr.async_entries_for_config_entry(registry, entry.entry_id)
    call = {"device_id": device.id}

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "brew", {**call, "water": 40}, blocking=True)
    assert err.value.translation_key == "action_field_not_supported"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "brew", {**call, "slices": 9}, blocking=True)
    assert err.value.translation_key == "action_field_invalid"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "brew", call, blocking=True)
    assert err.value.translation_key == "toaster_confirm_brew"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "standby", {**call, "confirm": True}, blocking=True)
    assert err.value.translation_key == "action_not_supported"
    assert entry.runtime_data.commands == []

    await hass.services.async_call(DOMAIN, "brew", {**call, "confirm": True}, blocking=True)
    assert entry.runtime_data.commands == [("brew", {"slices": 2})]


async def test_diagnostics_redact_the_brands_own_keys(hass: HomeAssistant) -> None:
    """The brand names its secrets once; the shared download redacts them."""
    from custom_components.kitchen_connect.diagnostics import (
        async_get_config_entry_diagnostics,
    )

    entry = await _add_toaster(hass)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["runtime"] == {"temperature": 180, "secret_pin": "**REDACTED**"}
    assert diagnostics["entry"]["title"] == "**REDACTED**"


@pytest.mark.parametrize(
    ("address", "brand"), [(TOASTER_ADDRESS, "toaster"), (KETTLE_ADDRESS, "kettle")]
)
async def test_bluetooth_goes_to_the_brand_whose_matcher_fired(
    hass: HomeAssistant, address: str, brand: str
) -> None:
    """Two brands answer Bluetooth; neither shadows the other."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=_bluetooth(address)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == f"{brand}_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_BRAND: brand, "address": address}


async def test_discovery_no_brand_claims_is_aborted(hass: HomeAssistant) -> None:
    """An advert or DHCP lease no brand's matcher accepts ends the flow quietly."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=_bluetooth("AA:BB:CC:DD:EE:99")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_supported"
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_DHCP},
        data=DhcpServiceInfo(ip="127.0.0.1", hostname="toaster", macaddress="aabbccddee01"),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_supported"


async def test_reauth_goes_to_the_entrys_brand(hass: HomeAssistant) -> None:
    """Each brand reauthenticates its own entries, by composition."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Kettle",
        unique_id=KETTLE_ADDRESS,
        data={CONF_BRAND: "kettle", "address": KETTLE_ADDRESS},
    )
    entry.add_to_hass(hass)
    result = await start_reauth_flow(hass, entry)
    assert result["step_id"] == "kettle_reauth_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["reauthed"] is True


async def test_a_brand_without_options_has_no_options_flow(hass: HomeAssistant) -> None:
    """Configure is only offered where the brand has options."""
    entry = await _add_toaster(hass)
    from custom_components.kitchen_connect.config_flow import KitchenConnectConfigFlow

    assert not KitchenConnectConfigFlow.async_supports_options_flow(entry)


async def test_unknown_steps_are_unknown(hass: HomeAssistant) -> None:
    """A step no brand owns is not answered by any brand's flow."""
    from custom_components.kitchen_connect.config_flow import KitchenConnectConfigFlow

    flow = KitchenConnectConfigFlow()
    assert not hasattr(flow, "async_step_toaster_nothing")
    assert not hasattr(flow, "async_step_fridge")
    assert not hasattr(flow, "something_else")


class _PositionalFed(Entity):
    """Stands in for Home Assistant's Bluetooth coordinator entities: fed positionally."""

    def __init__(self, coordinator: object, context: object = None) -> None:
        self.fed_by = (coordinator, context)


class _BluetoothStyleEntity(KitchenConnectEntity, _PositionalFed):
    translation_prefix = "kettle"


def test_the_entity_mixin_fits_any_feeding_base() -> None:
    """Naming, unique id and device come from the mixin; the feeding base gets its arguments.

    Home Assistant's own Bluetooth coordinator entities take ``(coordinator, context)``; their
    module needs the Bluetooth stack's packages, which arrive with the first Bluetooth brand.
    """
    entity = _BluetoothStyleEntity(
        "coordinator",
        "context",
        description=SensorEntityDescription(key="water", translation_key="water_level"),
        device_info=DeviceInfo(identifiers={(DOMAIN, KETTLE_ADDRESS)}),
        device_key=KETTLE_ADDRESS,
    )
    assert entity.fed_by == ("coordinator", "context")
    assert entity.unique_id == f"{KETTLE_ADDRESS}_water"
    assert entity.translation_key == "kettle_water_level"
    assert entity.has_entity_name
    assert entity.device_info == DeviceInfo(identifiers={(DOMAIN, KETTLE_ADDRESS)})
