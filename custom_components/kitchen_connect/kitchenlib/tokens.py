"""What every brand's token handling shares."""

from __future__ import annotations

from typing import Any, Final, TypeGuard

MAX_TOKEN_LENGTH: Final = 8192


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
