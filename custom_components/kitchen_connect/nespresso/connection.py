"""A library client for a machine, connecting through Home Assistant's Bluetooth stack."""

from __future__ import annotations

from homeassistant.components.bluetooth import async_ble_device_from_address
from homeassistant.core import HomeAssistant

from ..kitchenlib.nespresso.client import NespressoClient
from ..kitchenlib.nespresso.gatt import OriginalModel, model_from_device_name
from ..kitchenlib.nespresso.link import Timeouts, bleak_connector

# The library's deadlines; tests shorten them.
TIMEOUTS: dict[str, Timeouts] = {"client": Timeouts()}


def client_for(
    hass: HomeAssistant, address: str, key: bytes, model: str | None = None
) -> NespressoClient:
    """A client that looks the machine up before every connection (it may change proxy)."""
    return NespressoClient(
        bleak_connector(lambda: async_ble_device_from_address(hass, address, connectable=True)),
        key,
        model=model_from_device_name(model or "") or OriginalModel.EXPERT,
        timeouts=TIMEOUTS["client"],
    )
