"""Masking identifiers in service text before it reaches a log line."""

from __future__ import annotations

import pytest

from custom_components.kitchen_connect.kitchenlib.ge.redact import MASK, mask_identifiers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("appliance D828C9404C09 is offline", f"appliance {MASK} is offline"),
        ("/v1/appliance/d828c9404c09/erd", f"/v1/appliance/{MASK}/erd"),
        ("jid d828c9404c09_8iph", f"jid {MASK}_8iph"),
        ("no account cook@example.com", f"no account {MASK}"),
        ("erd 0x5105 failed with code 404", "erd 0x5105 failed with code 404"),
        ("token 0123456789abcdef0123 is longer", "token 0123456789abcdef0123 is longer"),
    ],
)
def test_mac_shaped_ids_and_addresses_are_masked(text: str, expected: str) -> None:
    assert mask_identifiers(text) == expected


def test_known_values_are_masked_in_any_case() -> None:
    text = "user 8iphzd059z7spke (8IPHZD059Z7SPKE) refused"
    assert mask_identifiers(text, ["8iphzd059z7spke", ""]) == f"user {MASK} ({MASK}) refused"
