"""A La Marzocco machine as the device registry shows it, whichever way it is reached."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo

from ..const import DOMAIN
from ..kitchenlib.lamarzocco.models import ModelCode
from .const import MANUFACTURER, MODEL_NAMES


def machine_device_info(
    serial: str,
    name: str,
    model: ModelCode | None,
    *,
    fallback_model_name: str | None = None,
    sw_version: str | None = None,
) -> DeviceInfo:
    """One device per serial: the cloud and the local transports name the same machine alike."""
    return DeviceInfo(
        identifiers={(DOMAIN, serial)},
        name=name,
        manufacturer=MANUFACTURER,
        model=MODEL_NAMES.get(model, fallback_model_name or model.value)
        if model is not None
        else fallback_model_name,
        model_id=None if model is None else model.value,
        serial_number=serial,
        sw_version=sw_version,
    )
