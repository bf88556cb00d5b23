"""Turning a Jura config entry's stored data into a machine client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from homeassistant.const import CONF_HOST, CONF_PIN, CONF_PORT, CONF_TOKEN

from ..kitchenlib.jura.connection import DEFAULT_PORT
from ..kitchenlib.jura.machine import REQUEST_TIMEOUT, JuraMachine
from ..kitchenlib.jura.profiles import resolve_profile
from .const import (
    CONF_ARTICLE,
    CONF_CONN_ID,
    CONF_MODEL,
    CONF_PANEL_LOCK,
    DEFAULT_RECONNECT_GAP,
    OPTION_RECONNECT_GAP,
)


class MachineTiming(TypedDict):
    """Seconds the client waits for the machine; the dongle's pace, tests shorten it."""

    request_timeout: float


MACHINE_TIMING: MachineTiming = {"request_timeout": REQUEST_TIMEOUT}


def machine_from_entry(
    data: Mapping[str, Any],
    options: Mapping[str, Any],
    *,
    host: str | None = None,
    port: int | None = None,
) -> JuraMachine:
    """A client for the stored pairing, optionally at another address."""
    return JuraMachine(
        host or data[CONF_HOST],
        resolve_profile(ef_code=data.get(CONF_MODEL), article=data.get(CONF_ARTICLE)),
        conn_id=data[CONF_CONN_ID],
        token=data[CONF_TOKEN],
        pin=data.get(CONF_PIN, ""),
        port=port or data.get(CONF_PORT, DEFAULT_PORT),
        reconnect_gap=options.get(OPTION_RECONNECT_GAP, DEFAULT_RECONNECT_GAP),
        request_timeout=MACHINE_TIMING["request_timeout"],
        panel_lock=data.get(CONF_PANEL_LOCK, False),
    )
