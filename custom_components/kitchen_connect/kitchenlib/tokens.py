"""What every brand's token handling shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, TypeGuard

MAX_TOKEN_LENGTH: Final = 8192


@dataclass(frozen=True, slots=True)
class TokenSet:
    """An access token, the refresh token that renews it, and when the access token lapses.

    ``expires_at`` is wall-clock seconds (``time.time()``), so a stored set stays meaningful
    across restarts. The tokens themselves are left out of ``repr``.
    """

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float

    def seconds_left(self, now: float) -> float:
        """How long the access token stays valid from ``now`` (negative once it lapsed)."""
        return self.expires_at - now


def is_header_token(value: Any) -> TypeGuard[str]:
    """Whether ``value`` can go back out in a header or form: printable ASCII, no spaces.

    A token from the network that fails this is a protocol error, not something to send.
    """
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_TOKEN_LENGTH
        and value.isascii()
        and value.isprintable()
        and " " not in value
    )
