"""GATT map of the Nespresso machines and family detection.

Both families advertise the same primary service, so an advert only says
"a Nespresso 06aa machine"; the family is confirmed from the discovered services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from .models import Family

_SUFFIX = "-f22a-11e3-9daa-0002a5d5c51b"


def _uuid(block: str) -> str:
    return f"06aa{block}{_SUFFIX}"


# Services
SERVICE_IDENTITY = _uuid("1910")  # advertised by both families
SERVICE_MACHINE = _uuid("1920")
SERVICE_ERRORS = _uuid("1930")
SERVICE_SETTINGS = _uuid("1940")  # never advertised: do not match on it
SERVICE_STOCK = _uuid("1950")  # original line only
SERVICE_WIFI = _uuid("1990")  # Vertuo only

# Service 1910: identity and pairing
PROFILE_VERSION = _uuid("3a11")
MACHINE_INFO = _uuid("3a21")
SERIAL = _uuid("3a31")
KEY = _uuid("3a41")  # write only, needs a bonded link
KEY_STATE = _uuid("3a51")
TX_LEVEL = _uuid("3a61")

# Service 1920: machine
STATUS = _uuid("3a12")
SLIDER = _uuid("3a22")  # "machine specific params"; the slider/lid on the original line
SCHEDULED_BREW = _uuid("3a32")
COMMAND_REQUEST = _uuid("3a42")
COMMAND_RESPONSE = _uuid("3a52")

# Service 1930: errors
ERROR_SELECTION = _uuid("3a13")
ERROR_INFO = _uuid("3a23")

# Service 1940: user settings
CUP_SELECTOR = _uuid("3a14")
CUP_VOLUME = _uuid("3a24")
USER_SETTINGS = _uuid("3a44")  # standby delay / auto-off and water hardness

# Service 1950: capsule stock
CAPSULE_STOCK = _uuid("3a15")
STOCK_THRESHOLD = _uuid("3a25")
STOCK_KEY = _uuid("3a35")

# Service 1990: Vertuo Wi-Fi onboarding
IOT_MARKET = _uuid("3a79")

# Other Nespresso profiles, recognised so that they are not mistaken for ours.
SERVICE_BARISTA = "65241910-0253-11e7-93ae-92361f002671"
SERVICE_VMINI = "96600100-526e-4676-a11a-af1eb848165b"

# Home Assistant reads the on-air "02 25" little-endian (9474); 549 is the SIG id.
COMPANY_IDS = (9474, 549)

# Value written to TX_LEVEL before a first key (reduce power), as the app does.
TX_LEVEL_REDUCE = b"\x01"

ORIGINAL_SERVICES = (
    SERVICE_IDENTITY,
    SERVICE_MACHINE,
    SERVICE_ERRORS,
    SERVICE_SETTINGS,
    SERVICE_STOCK,
)
VERTUO_SERVICES = (
    SERVICE_IDENTITY,
    SERVICE_MACHINE,
    SERVICE_ERRORS,
    SERVICE_SETTINGS,
    SERVICE_WIFI,
)


class OriginalModel(StrEnum):
    """Original-line models, which differ in what they can brew."""

    EXPERT = "expert"
    PRODIGIO = "prodigio"


@dataclass(frozen=True, slots=True)
class AdvertMatch:
    """What an advert tells: a 06aa machine, and its status bytes if it sent them."""

    family: Family | None  # None: original or Vertuo, confirm over GATT
    company_id: int | None
    payload: bytes | None


def _normalise(uuids: Iterable[str]) -> set[str]:
    return {uuid.lower() for uuid in uuids}


def match_advertisement(
    service_uuids: Iterable[str], manufacturer_data: Mapping[int, bytes]
) -> AdvertMatch | None:
    """Recognise a Nespresso 06aa advert from plain values, or None.

    Matches on the service UUID or on either company id (the UUID list can be
    truncated); never on the local name, which passive scans may not deliver.
    """
    uuids = _normalise(service_uuids)
    company_id = next((cid for cid in COMPANY_IDS if cid in manufacturer_data), None)
    if SERVICE_IDENTITY not in uuids and company_id is None:
        return None
    if SERVICE_BARISTA in uuids or SERVICE_VMINI in uuids:
        return None
    family = Family.VERTUO if SERVICE_WIFI in uuids else None
    payload = None if company_id is None else bytes(manufacturer_data[company_id])
    return AdvertMatch(family=family, company_id=company_id, payload=payload)


def family_from_services(service_uuids: Iterable[str]) -> Family | None:
    """Confirm the family from the services discovered over GATT, or None."""
    uuids = _normalise(service_uuids)
    if SERVICE_IDENTITY not in uuids:
        return None
    if SERVICE_WIFI in uuids:
        return Family.VERTUO
    if SERVICE_STOCK in uuids:
        return Family.ORIGINAL
    return None


def model_from_device_name(name: str) -> OriginalModel | None:
    """The original-line model from the GAP device name (0x2A00), read over GATT."""
    lowered = name.strip().lower()
    if lowered.startswith("expert"):
        return OriginalModel.EXPERT
    if lowered.startswith("prodigio"):
        return OriginalModel.PRODIGIO
    return None


# Local-name prefixes (model code, then "_" and the address) and the models they name.
_MODEL_NAMES: tuple[tuple[str, str], ...] = (
    ("expert&milk", "Expert&Milk"),
    ("expert", "Expert"),
    ("prodigio&milk", "Prodigio&Milk"),
    ("prodigio", "Prodigio"),
    ("cv1", "Vertuo Next"),
    ("dv1", "Vertuo Next"),
    ("cv3", "Vertuo Next"),
    ("dv3", "Vertuo Next"),
    ("cv2", "Vertuo Pop"),
    ("dv2", "Vertuo Pop"),
    ("cv6", "Vertuo Pop+"),
    ("dv6", "Vertuo Pop+"),
    ("dv5", "Lattissima"),
    ("cv5", "Creatista"),
)


def model_name(local_name: str | None) -> str | None:
    """The model a local name announces ("Expert&Milk_D1E1..." -> "Expert&Milk"), or None."""
    if not local_name:
        return None
    lowered = local_name.strip().lower()
    for prefix, name in _MODEL_NAMES:
        if lowered.startswith(prefix):
            return name
    return None


def family_from_model_name(name: str | None) -> Family | None:
    """The family a model name (from ``model_name``) belongs to; None when unknown."""
    if name is None:
        return None
    if name.startswith(("Expert", "Prodigio")):
        return Family.ORIGINAL
    return Family.VERTUO
