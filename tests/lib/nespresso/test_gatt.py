"""Family detection from adverts (plain values) and from discovered services."""

from __future__ import annotations

import pytest

from custom_components.kitchen_connect.kitchenlib.nespresso import gatt
from custom_components.kitchen_connect.kitchenlib.nespresso.models import Family

CAPTURED_PAYLOAD = bytes.fromhex("10497fe08000")


def test_uuids() -> None:
    """The shared suffix and the key characteristics."""
    assert gatt.SERVICE_IDENTITY == "06aa1910-f22a-11e3-9daa-0002a5d5c51b"
    assert gatt.KEY == "06aa3a41-f22a-11e3-9daa-0002a5d5c51b"
    assert gatt.STATUS == "06aa3a12-f22a-11e3-9daa-0002a5d5c51b"
    assert gatt.COMMAND_RESPONSE == "06aa3a52-f22a-11e3-9daa-0002a5d5c51b"
    assert gatt.SERVICE_SETTINGS not in gatt.ORIGINAL_SERVICES[:1]


def test_captured_expert_advert() -> None:
    """The Expert as Home Assistant parses it: UUID plus manufacturer id 9474."""
    match = gatt.match_advertisement(
        ["06AA1910-F22A-11E3-9DAA-0002A5D5C51B"], {9474: CAPTURED_PAYLOAD}
    )
    assert match is not None
    assert match.family is None  # original or Vertuo: confirmed over GATT
    assert match.company_id == 9474
    assert match.payload == CAPTURED_PAYLOAD


@pytest.mark.parametrize("company", [9474, 549])
def test_manufacturer_data_alone(company: int) -> None:
    """A truncated UUID list still matches on either company id."""
    match = gatt.match_advertisement([], {company: b"\x40\x02"})
    assert match is not None
    assert match.company_id == company


def test_no_manufacturer_data() -> None:
    """The UUID alone matches, without status bytes."""
    match = gatt.match_advertisement([gatt.SERVICE_IDENTITY], {})
    assert match == gatt.AdvertMatch(family=None, company_id=None, payload=None)


def test_wifi_service_in_advert_means_vertuo() -> None:
    """If a Vertuo lists its Wi-Fi service, the family is known early."""
    match = gatt.match_advertisement([gatt.SERVICE_IDENTITY, gatt.SERVICE_WIFI], {})
    assert match is not None
    assert match.family is Family.VERTUO


@pytest.mark.parametrize(
    ("uuids", "data"),
    [
        ([], {}),
        (["0000180a-0000-1000-8000-00805f9b34fb"], {76: b"\x02"}),
        ([gatt.SERVICE_SETTINGS], {}),  # only seen after a bond: never a matcher
        ([gatt.SERVICE_BARISTA], {9474: b"\x00"}),
        ([gatt.SERVICE_VMINI], {}),
    ],
)
def test_not_ours(uuids: list[str], data: dict[int, bytes]) -> None:
    """Other devices and other Nespresso profiles do not match."""
    assert gatt.match_advertisement(uuids, data) is None


def test_family_from_services() -> None:
    """06aa1950 means original line, 06aa1990 means Vertuo."""
    assert gatt.family_from_services(gatt.ORIGINAL_SERVICES) is Family.ORIGINAL
    assert gatt.family_from_services(gatt.VERTUO_SERVICES) is Family.VERTUO
    upper = [uuid.upper() for uuid in gatt.ORIGINAL_SERVICES]
    assert gatt.family_from_services(upper) is Family.ORIGINAL
    assert gatt.family_from_services([gatt.SERVICE_IDENTITY, gatt.SERVICE_MACHINE]) is None
    assert gatt.family_from_services([gatt.SERVICE_STOCK]) is None


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("Expert&Milk_D1E1037C4A9D", gatt.OriginalModel.EXPERT),
        ("Expert_X", gatt.OriginalModel.EXPERT),
        ("Prodigio_C3858", gatt.OriginalModel.PRODIGIO),
        ("Prodigio&Milk_1", gatt.OriginalModel.PRODIGIO),
        ("DV2_0CB8156865AE", None),
    ],
)
def test_model_from_device_name(name: str, model: gatt.OriginalModel | None) -> None:
    """The GAP device name, read over GATT, tells Expert from Prodigio."""
    assert gatt.model_from_device_name(name) is model


@pytest.mark.parametrize(
    ("local_name", "expected"),
    [
        ("Expert&Milk_D1E1037C4A9D", "Expert&Milk"),
        ("Expert_D1E1037C4A9D", "Expert"),
        ("Prodigio_D2A74C76F3E0", "Prodigio"),
        ("DV2_0CB8156865AE", "Vertuo Pop"),
        ("CV6_0CB8156865AE", "Vertuo Pop+"),
        ("Venus", None),
        ("", None),
        (None, None),
    ],
)
def test_model_name(local_name: str | None, expected: str | None) -> None:
    """The model from the scan response's name, without the address part."""
    assert gatt.model_name(local_name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Expert&Milk", Family.ORIGINAL),
        ("Prodigio", Family.ORIGINAL),
        ("Vertuo Pop", Family.VERTUO),
        ("Creatista", Family.VERTUO),
        (None, None),
    ],
)
def test_family_from_model_name(name: str | None, expected: Family | None) -> None:
    """A guess from the advert's name until GATT confirms it."""
    assert gatt.family_from_model_name(name) is expected
