"""The reconnect gap shared by every client of one dongle."""

from __future__ import annotations

import pytest

from custom_components.kitchen_connect.kitchenlib.jura import session_gap


def test_never_waits_longer_than_the_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    """A close noted while the clock ran ahead (a frozen or adjusted clock) costs at most the gap.

    Without the cap a session closed under a clock moved hours ahead made every later
    client of that address wait those hours.
    """
    monkeypatch.setattr(session_gap.time, "monotonic", lambda: 10_000.0)
    session_gap.note_closed("127.0.0.1", 51515)
    monkeypatch.setattr(session_gap.time, "monotonic", lambda: 100.0)

    assert session_gap.remaining_gap("127.0.0.1", 51515, 10.0) == 10.0
    assert session_gap.remaining_gap("127.0.0.1", 51515, 0.0) == 0.0


def test_waits_the_rest_and_forgets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_gap.time, "monotonic", lambda: 100.0)
    session_gap.note_closed("Dongle.local", 51515)
    monkeypatch.setattr(session_gap.time, "monotonic", lambda: 104.0)

    assert session_gap.remaining_gap("dongle.local", 51515, 10.0) == pytest.approx(6.0)
    assert session_gap.remaining_gap("dongle.local", 51516, 10.0) == 0.0
    session_gap.forget_all()
    assert session_gap.remaining_gap("dongle.local", 51515, 10.0) == 0.0
