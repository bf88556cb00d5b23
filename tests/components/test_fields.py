"""Action field validators: any value a user can type is accepted in range or refused in words."""

from __future__ import annotations

from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.fields import Bounded, FieldValueInvalid, OneOf

ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@given(ANYTHING)
def test_bounded_accepts_in_range_or_refuses_with_a_key(value: Any) -> None:
    bounded = Bounded(0, 600, "mL")
    refusal: FieldValueInvalid | None = None
    try:
        number = bounded(value)
    except FieldValueInvalid as err:
        refusal = err
    if refusal is None:
        assert 0 <= number <= 600
    else:
        assert refusal.refusal_key.startswith("action_field_")


@given(ANYTHING)
def test_one_of_accepts_only_its_options(value: Any) -> None:
    refusal: FieldValueInvalid | None = None
    try:
        chosen = OneOf(("low", "high"))(value)
    except FieldValueInvalid as err:
        refusal = err
    if refusal is None:
        assert chosen in ("low", "high")
    else:
        assert refusal.refusal_placeholders == {"options": "low, high"}


@pytest.mark.parametrize(
    ("validator", "value", "key", "placeholders"),
    [
        (Bounded(1, 12), 13, "action_field_too_high", {"limit": "12"}),
        (Bounded(0, 250, "°", float), -0.5, "action_field_too_low", {"limit": "0 °"}),
        (Bounded(0, 600, "mL"), True, "action_field_not_a_number", {}),
        (Bounded(0, 600, "mL", float), "nan", "action_field_not_a_number", {}),
        (Bounded(0, 600, "mL"), 10**400, "action_field_too_high", {"limit": "600 mL"}),
    ],
)
def test_refusals_name_the_limit(
    validator: Bounded, value: Any, key: str, placeholders: dict[str, str]
) -> None:
    with pytest.raises(FieldValueInvalid) as err:
        validator(value)
    assert err.value.refusal_key == key
    assert err.value.refusal_placeholders == placeholders
