"""Protocol library for connected kitchen appliances.

Nothing in this package imports Home Assistant: it can be used, tested and
published on its own. Each brand lives in its own subpackage.
"""

from .errors import (
    AuthError,
    CommandRefusedError,
    ConnectionFailedError,
    InvalidValueError,
    KitchenError,
    ProtocolError,
)

__all__ = [
    "AuthError",
    "CommandRefusedError",
    "ConnectionFailedError",
    "InvalidValueError",
    "KitchenError",
    "ProtocolError",
]
