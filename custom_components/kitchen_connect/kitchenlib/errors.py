"""The exception hierarchy shared by every brand."""

from __future__ import annotations


class KitchenError(Exception):
    """Base class for every error raised by this library."""


class ConnectionFailedError(KitchenError):
    """The appliance or service could not be reached, or the link dropped."""


class AuthError(KitchenError):
    """Credentials, PIN or token were rejected."""


class ProtocolError(KitchenError):
    """Bytes from the wire did not match the protocol."""


class CommandRefusedError(KitchenError):
    """The appliance understood a command and refused it."""


class InvalidValueError(KitchenError, ValueError):
    """A value given by the caller is outside what the appliance accepts; nothing was sent."""
