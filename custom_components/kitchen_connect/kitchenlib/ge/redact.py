"""Masking account and appliance identifiers in text that may reach a log line.

Log lines get the same care as diagnostics: no user id, appliance id (MAC), serial, e-mail
address or token. Our own text never includes them; text the service writes (error messages,
request ids it echoes) is masked here before it is repeated.
"""

from __future__ import annotations

from collections.abc import Iterable
import re
from typing import Final

MASK: Final = "**"

# An appliance id is a MAC: twelve hex digits, not part of a longer word.
_MAC: Final = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{12}(?![0-9A-Za-z])")
_EMAIL: Final = re.compile(r"[^\s@\"'<>()]+@[^\s@\"'<>()]+")


def mask_identifiers(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with MAC-shaped ids, e-mail addresses and every ``known`` value masked.

    ``known`` holds values no pattern can recognise, such as the account's user id.
    """
    for secret in known:
        if secret:
            text = re.sub(re.escape(secret), MASK, text, flags=re.IGNORECASE)
    return _MAC.sub(MASK, _EMAIL.sub(MASK, text))
