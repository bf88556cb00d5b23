"""The things on a La Marzocco account: which models we support, and what each thing is."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from ..errors import ProtocolError
from .reader import Reader


class ModelCode(StrEnum):
    """The cloud's model codes."""

    LINEA_MICRA = "LINEAMICRA"
    LINEA_MINI = "LINEAMINI"
    LINEA_MINI_R = "LINEAMINIR"
    GS3 = "GS3"
    GS3_AV = "GS3AV"
    GS3_MP = "GS3MP"
    STRADA_X = "STRADAX"
    PICO_GRINDER = "PICOGRINDER"
    SWAN_GRINDER = "SWANGRINDER"


SUPPORTED_MODELS: Final = frozenset(
    {
        ModelCode.LINEA_MICRA,
        ModelCode.LINEA_MINI,
        ModelCode.LINEA_MINI_R,
        ModelCode.GS3_AV,
        ModelCode.GS3_MP,
        ModelCode.PICO_GRINDER,
    }
)

# Model names as the cloud and older APIs spell them, upper-cased without spaces.
_NAMES: Final = {
    "LINEAMICRA": ModelCode.LINEA_MICRA,
    "MICRA": ModelCode.LINEA_MICRA,
    "LINEAMINI": ModelCode.LINEA_MINI,
    "LINEAMINIR": ModelCode.LINEA_MINI_R,
    "LINEAMINI2023": ModelCode.LINEA_MINI_R,
    "GS3": ModelCode.GS3,
    "GS3AV": ModelCode.GS3_AV,
    "GS3MP": ModelCode.GS3_MP,
    "STRADAX": ModelCode.STRADA_X,
    "PICOGRINDER": ModelCode.PICO_GRINDER,
    "PICO": ModelCode.PICO_GRINDER,
    "SWANGRINDER": ModelCode.SWAN_GRINDER,
    "SWAN": ModelCode.SWAN_GRINDER,
}


def model_from(model_code: str | None, model_name: str | None = None) -> ModelCode | None:
    """The model from its code, else from its name ("LINEA MINI 2023" is the Mini R)."""
    for candidate in (model_code, model_name):
        if candidate:
            model = _NAMES.get(candidate.replace(" ", "").replace("_", "").upper())
            if model is not None:
                return model
    return None


class ThingType(StrEnum):
    """What kind of thing the account holds."""

    COFFEE_MACHINE = "CoffeeMachine"
    GRINDER = "Grinder"
    OTHER = "Other"


@dataclass(frozen=True, slots=True)
class Thing:
    """One thing of ``/things`` (or the thing fields of a dashboard).

    ``model`` is None for a model this library does not know; ``supported`` is False for
    every thing the integration shows with model and firmware only. The serial number is
    left out of ``repr`` so it never reaches a log line.
    """

    serial_number: str = field(repr=False)
    thing_type: ThingType
    name: str
    model: ModelCode | None
    model_name: str
    connected: bool
    offline_mode: bool
    ble_auth_token_present: bool

    @property
    def supported(self) -> bool:
        """Whether the integration offers this thing's controls."""
        return self.model in SUPPORTED_MODELS


def _member[E: StrEnum](kind: type[E], value: str | None, fallback: E) -> E:
    for member in kind:
        if member.value == value:
            return member
    return fallback


def parse_thing(data: Any) -> Thing:
    """A thing from ``/things`` or a dashboard; ProtocolError when unusable."""
    thing = Reader(data, "thing")
    thing_type = _member(ThingType, thing.opt_text("type"), ThingType.OTHER)
    model_code = thing.opt_text("modelCode")
    model_name = thing.opt_text("modelName") or model_code or "unknown"
    return Thing(
        serial_number=thing.text("serialNumber"),
        thing_type=thing_type,
        name=thing.opt_text("name") or model_name,
        model=model_from(model_code, model_name),
        model_name=model_name,
        connected=thing.opt_flag("connected"),
        offline_mode=thing.opt_flag("offlineMode"),
        ble_auth_token_present=thing.has("bleAuthToken"),
    )


def parse_things(data: Any) -> tuple[Thing, ...]:
    """The reply of ``GET /things``."""
    if not isinstance(data, list):
        raise ProtocolError("things reply is not a list")
    return tuple(parse_thing(item) for item in data)


class FirmwareType(StrEnum):
    """Which part a firmware runs on."""

    GATEWAY = "Gateway"
    MACHINE = "Machine"
    FILE = "File"
    OTHER = "Other"


@dataclass(frozen=True, slots=True)
class Firmware:
    """One entry of the settings' ``actualFirmwares``."""

    firmware_type: FirmwareType
    version: str
    status: str | None
    available_version: str | None


def parse_firmwares(data: Any) -> tuple[Firmware, ...]:
    """The ``actualFirmwares`` list of ``/things/{sn}/settings``."""
    if not isinstance(data, list):
        raise ProtocolError("actualFirmwares is not a list")
    firmwares = []
    for item in data:
        entry = Reader(item, "firmware")
        update = entry.opt_obj("availableUpdate")
        firmwares.append(
            Firmware(
                firmware_type=_member(FirmwareType, entry.text("type"), FirmwareType.OTHER),
                version=entry.text("buildVersion"),
                status=entry.opt_text("status"),
                available_version=update.opt_text("buildVersion") if update else None,
            )
        )
    return tuple(firmwares)
