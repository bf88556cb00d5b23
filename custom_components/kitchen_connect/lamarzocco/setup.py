"""Setting up one La Marzocco entry: join its account, read what it has, follow pushes."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady

from ..const import DOMAIN
from ..kitchenlib.lamarzocco.bluetooth.telemetry import ShotStatus
from ..kitchenlib.lamarzocco.models import Thing, ThingType, model_from
from ..kitchenlib.lamarzocco.settings import Settings
from ..spec import BrandRuntimeData
from .account import LaMarzoccoAccount, async_get_account, async_release_account
from .ble import MachineBluetooth
from .const import (
    CONF_BLUETOOTH_ADDRESS,
    CONF_BLUETOOTH_TOKEN,
    CONF_MODEL,
    CONF_SERIAL,
    OPTION_OFFLINE_MODE,
    OPTION_USE_BLUETOOTH,
)
from .coordinator import LaMarzoccoCoordinator
from .legacy.setup import async_setup_local_entry, is_local_entry
from .offline import async_bluetooth_dashboard
from .runtime import LaMarzoccoConfigEntry, LaMarzoccoRuntimeData
from .settings_entities import async_follow_gateway
from .side import SideCoordinator, StatisticsCoordinator, schedule_coordinator, settings_coordinator


def _bluetooth(hass: HomeAssistant, entry: LaMarzoccoConfigEntry) -> MachineBluetooth | None:
    """The machine's Bluetooth when the entry has its device and token and uses it."""
    address = entry.data.get(CONF_BLUETOOTH_ADDRESS)
    token = entry.data.get(CONF_BLUETOOTH_TOKEN)
    wanted = entry.options.get(OPTION_USE_BLUETOOTH, True)
    # Without an adapter or proxy Home Assistant's Bluetooth may not be set up at all.
    if not (wanted and address and token and "bluetooth" in hass.config.components):
        return None
    return MachineBluetooth(hass, address, token)


def _offline_thing(entry: LaMarzoccoConfigEntry) -> Thing:
    model = model_from(entry.data.get(CONF_MODEL))
    return Thing(
        serial_number=entry.data[CONF_SERIAL],
        thing_type=ThingType.COFFEE_MACHINE,
        name=entry.title,
        model=model,
        model_name=str(entry.data.get(CONF_MODEL) or "unknown"),
        connected=True,
        offline_mode=True,
        ble_auth_token_present=True,
    )


def _keep_token(hass: HomeAssistant, entry: LaMarzoccoConfigEntry, settings: Settings) -> None:
    """Store the Bluetooth token the cloud hands out, for offline mode and the next start."""
    token = settings.ble_auth_token
    if token and token != entry.data.get(CONF_BLUETOOTH_TOKEN):
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_BLUETOOTH_TOKEN: token}
        )


def _telemetry(
    hass: HomeAssistant, coordinator: LaMarzoccoCoordinator, ble: MachineBluetooth
) -> SideCoordinator[ShotStatus]:
    async def status() -> ShotStatus:
        return ble.status()

    telemetry = SideCoordinator(hass, coordinator, "Bluetooth", None, status)
    ble.start(telemetry)
    return telemetry


async def _async_setup_offline(
    hass: HomeAssistant, entry: LaMarzoccoConfigEntry, account: LaMarzoccoAccount
) -> LaMarzoccoRuntimeData:
    ble = _bluetooth(hass, entry)
    if ble is None:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="lamarzocco_bluetooth_required_offline"
        )
    thing = _offline_thing(entry)
    coordinator = LaMarzoccoCoordinator(
        hass,
        entry,
        account,
        thing.serial_number,
        offline_read=lambda: async_bluetooth_dashboard(ble.client, thing),
    )
    coordinator.ble = ble
    await coordinator.async_config_entry_first_refresh()
    runtime = LaMarzoccoRuntimeData(coordinator, account, settings=None, bluetooth=ble)
    runtime.telemetry = _telemetry(hass, coordinator, ble)
    await runtime.telemetry.async_refresh()
    return runtime


async def async_setup_lamarzocco_entry(
    hass: HomeAssistant, entry: ConfigEntry[Any]
) -> BrandRuntimeData:
    """A machine through the cloud, or on an older gateway through its local transport."""
    if is_local_entry(entry.data):
        return await async_setup_local_entry(hass, entry)
    return await _async_setup_cloud_entry(hass, entry)


async def _async_setup_cloud_entry(
    hass: HomeAssistant, entry: LaMarzoccoConfigEntry
) -> LaMarzoccoRuntimeData:
    """Read the machine (raising ConfigEntryNotReady/AuthFailed) and join the websocket."""
    serial = entry.data[CONF_SERIAL]
    account = async_get_account(hass, entry.data)
    if entry.options.get(OPTION_OFFLINE_MODE):
        return await _async_setup_offline(hass, entry, account)
    coordinator = LaMarzoccoCoordinator(hass, entry, account, serial)
    try:
        await coordinator.async_config_entry_first_refresh()
        settings = settings_coordinator(hass, coordinator)
        runtime = LaMarzoccoRuntimeData(coordinator, account, settings=settings)
        # What changes slowly may fail to read without failing setup: a thing we do not
        # support may refuse it, and its entities show unavailable until the next read.
        firsts = [settings.async_refresh()]
        if coordinator.data.thing.is_coffee_machine:
            runtime.schedule = schedule_coordinator(hass, coordinator)
            runtime.statistics = StatisticsCoordinator(hass, coordinator)
            coordinator.schedule_listener = runtime.schedule.async_set_updated_data
            firsts += [runtime.schedule.async_refresh(), runtime.statistics.async_refresh()]
        await asyncio.gather(*firsts)
    except BaseException:
        await async_release_account(hass, entry.data, serial)
        raise
    read: Settings | None = settings.data
    if read is not None:
        _keep_token(hass, entry, read)
    if coordinator.data.thing.is_coffee_machine:
        ble = _bluetooth(hass, entry)
        if ble is not None:
            coordinator.ble = runtime.bluetooth = ble
            runtime.telemetry = _telemetry(hass, coordinator, ble)
            await runtime.telemetry.async_refresh()
    async_follow_gateway(hass, settings)
    account.attach(serial, coordinator)
    return runtime
