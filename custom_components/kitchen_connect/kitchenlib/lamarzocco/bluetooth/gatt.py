"""GATT map of the current La Marzocco characteristic set and the advertised names."""

from __future__ import annotations

from typing import Final

from ..models import ModelCode

_SUFFIX: Final = "-e12b-09a8-b04b-8e0922a9abab"

SERVICE: Final = f"d30a7847{_SUFFIX}"
READ: Final = f"0a0b7847{_SUFFIX}"  # write a setting's name, then read its JSON
WRITE: Final = f"0b0b7847{_SUFFIX}"  # JSON command; reading it gives the command's status
TOKEN: Final = f"0c0b7847{_SUFFIX}"  # the token, readable only in pairing mode
AUTH: Final = f"0d0b7847{_SUFFIX}"  # write the token, read back 0x01
SHOT_COUNTER: Final = f"0e0b7847{_SUFFIX}"  # telemetry notifications

CHARACTERISTICS: Final = (READ, WRITE, TOKEN, AUTH, SHOT_COUNTER)
AUTH_OK: Final = b"\x01"

# Advertised local-name prefixes (``MICRA_<serial>``) and the model each one stands for;
# ``LINEA`` alone names no model.
NAME_PREFIXES: Final[dict[str, ModelCode | None]] = {
    "MICRA": ModelCode.LINEA_MICRA,
    "MINI": ModelCode.LINEA_MINI,
    "LINEAR": ModelCode.LINEA_MINI_R,
    "LINEA": None,
    "GS3": ModelCode.GS3,
    "GS3AV": ModelCode.GS3_AV,
    "GS3MP": ModelCode.GS3_MP,
}
# The prefix a simulated or documented machine of each model advertises.
PREFIX_OF_MODEL: Final[dict[ModelCode, str]] = {
    ModelCode.LINEA_MICRA: "MICRA",
    ModelCode.LINEA_MINI: "MINI",
    ModelCode.LINEA_MINI_R: "LINEAR",
    ModelCode.GS3: "GS3",
    ModelCode.GS3_AV: "GS3AV",
    ModelCode.GS3_MP: "GS3MP",
}


def is_machine_name(name: str | None) -> bool:
    """Whether an advertised local name is a La Marzocco machine's (``MICRA_…``)."""
    return split_name(name) is not None


def split_name(name: str | None) -> tuple[str, str] | None:
    """``(prefix, serial)`` of an advertised name, or None for any other name."""
    if not name or "_" not in name:
        return None
    prefix, _, serial = name.partition("_")
    if prefix.upper() not in NAME_PREFIXES or not serial:
        return None
    return prefix.upper(), serial


def model_from_name(name: str | None) -> ModelCode | None:
    """The model an advertised name stands for, or None (unknown, or just ``LINEA``)."""
    parts = split_name(name)
    return None if parts is None else NAME_PREFIXES[parts[0]]


def advertised_name(model: ModelCode, serial: str) -> str:
    """The local name a machine of ``model`` advertises."""
    return f"{PREFIX_OF_MODEL.get(model, 'LINEA')}_{serial}"
