"""The appliance model: raw and decoded ERDs, change detection, identity properties."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.ge import appliance as appliance_module
from custom_components.kitchen_connect.kitchenlib.ge.appliance import Appliance
from custom_components.kitchen_connect.kitchenlib.ge.erd import ErdValue

PORTABLE_AC_MODEL = "0A415057413132595A4257" + "00" * 21  # gehome#23


def test_mac_is_upper_case() -> None:
    """One appliance has one key, whatever case the service used."""
    assert Appliance("d828c9404c09").mac == "D828C9404C09"


def test_apply_reports_only_real_changes() -> None:
    """A repeated value (in any case) is no change; a new value is."""
    appliance = Appliance("D828C9404C09")
    assert appliance.apply(0x7A02, "5a") is True
    assert appliance.erds[0x7A02].raw == "5A"
    assert appliance.apply(0x7A02, "5A") is False
    assert appliance.apply(0x7A02, "4D") is True
    assert appliance.erds[0x7A02].raw == "4D"


def test_identity_properties_come_from_decoded_erds() -> None:
    """Model, serial, firmware and the type byte are read from ERDs, not from the list."""
    appliance = Appliance("A0B1C2D3E4F5", label="Portable AC")
    assert (appliance.model, appliance.serial, appliance.firmware) == (None, None, None)
    assert appliance.appliance_type_raw is None
    appliance.apply(0x0001, PORTABLE_AC_MODEL)
    appliance.apply(0x0002, "00" * 32)  # an all-zero serial means "none"
    appliance.apply(0x0100, "00000B27")
    appliance.apply(0x0008, "16")
    assert appliance.model == "APWA12YZBW"
    assert appliance.serial is None
    assert appliance.firmware == "0.0.11.39"
    assert appliance.appliance_type_raw == 0x16


@pytest.mark.parametrize("raw", ["", "Z1", "1", " 1", "+1"])
def test_unreadable_type_byte_is_none(raw: str) -> None:
    """A type ERD that is empty or not hex gives no type rather than a wrong one."""
    appliance = Appliance("A0B1C2D3E4F5")
    appliance.apply(0x0008, raw)
    assert appliance.appliance_type_raw is None


def test_undecodable_value_is_kept_raw() -> None:
    """Bad hex is stored with no meaning; the next good value decodes again."""
    appliance = Appliance("A0B1C2D3E4F5")
    appliance.apply(0x0100, "00000B27")
    assert appliance.apply(0x0100, "00") is True  # too short for its layout
    assert appliance.erds[0x0100] == ErdValue(0x0100, "00", None)
    assert appliance.firmware is None
    assert appliance.apply(0x0100, "00000620") is True
    assert appliance.firmware == "0.0.6.32"


def test_non_text_values_are_shown_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the codec ever decode identity ERDs to numbers, the properties stay text."""
    monkeypatch.setattr(appliance_module, "decode_erd_value", lambda code, raw: 42)
    appliance = Appliance("A0B1C2D3E4F5")
    appliance.apply(0x0001, "2A")
    assert appliance.model == "42"


def test_codec_bug_does_not_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    """A decoder that crashes costs the meaning of one value, not the connection."""

    def broken(code: int, raw: str) -> object:
        raise IndexError("bug")

    monkeypatch.setattr(appliance_module, "decode_erd_value", broken)
    appliance = Appliance("A0B1C2D3E4F5")
    assert appliance.apply(0x5100, "01015e00000000000000000000") is True
    assert appliance.erds[0x5100] == ErdValue(0x5100, "01015E00000000000000000000", None)


@given(
    st.lists(
        st.tuples(
            st.sampled_from([0x0001, 0x0008, 0x0100, 0x5100, 0x7A02, 0x1234]),
            st.text(max_size=40) | st.binary(max_size=20).map(bytes.hex),
        ),
        max_size=20,
    )
)
def test_any_sequence_of_values_keeps_a_consistent_model(updates: list[tuple[int, str]]) -> None:
    """Whatever arrives, the last raw value of every ERD is what the model holds."""
    appliance = Appliance("A0B1C2D3E4F5")
    last: dict[int, str] = {}
    for code, raw in updates:
        changed = appliance.apply(code, raw)
        assert changed is (last.get(code, "").upper() != raw.upper() or code not in last)
        last[code] = raw
    assert {code: erd.raw.upper() for code, erd in appliance.erds.items()} == {
        code: raw.upper() for code, raw in last.items()
    }
    assert all(erd.code == code for code, erd in appliance.erds.items())
    _ = (appliance.model, appliance.serial, appliance.firmware, appliance.appliance_type_raw)
