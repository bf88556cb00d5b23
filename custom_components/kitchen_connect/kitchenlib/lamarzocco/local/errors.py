"""Errors of the port-8081 local API, refining the shared hierarchy."""

from __future__ import annotations

from ...errors import AuthError


class KeyNotEnabledError(AuthError):
    """HTTP 403: the gateway has not enabled this key.

    The gateway answers a key it does not know the same way, so this also covers a wrong
    key. The legacy cloud that used to enable keys on request is gone.
    """
