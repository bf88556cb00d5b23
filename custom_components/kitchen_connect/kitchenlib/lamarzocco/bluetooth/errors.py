"""Bluetooth refinements of the shared error hierarchy."""

from __future__ import annotations

from ...errors import AuthError, ProtocolError


class TokenRejectedError(AuthError):
    """The machine did not accept the Bluetooth token: it is wrong for this machine."""


class MissingCharacteristicError(ProtocolError):
    """The connected device lacks a characteristic we need (often a stale services cache)."""
