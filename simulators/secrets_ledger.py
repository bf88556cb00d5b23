"""Every secret the simulators hand out or accept, for the test suite's leak check.

The simulators call ``record`` when they create a secret (a token, a one-time code) or are
configured with one (a password, a PIN, a key, a serial number). The check in
``tests/secrets_plugin.py`` then looks for these values in log lines, diagnostics and the texts
shown to users. Values shorter than ``MIN_LENGTH`` are not kept: a four-digit PIN or a short
serial matches ordinary numbers in log lines by chance, so checking them would only cry wolf.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
import hashlib
import itertools
import string
from typing import Final

MIN_LENGTH: Final = 6

_HEX_DIGITS: Final = frozenset(string.hexdigits)
_CONTEXT: Final = 60


@dataclass(frozen=True, slots=True)
class Secret:
    """What a recorded value is, and when it was last handed out or accepted."""

    kind: str
    seen: int


@dataclass(frozen=True, slots=True)
class Leak:
    """A secret found where it must not be; ``fingerprint`` stands in for the value."""

    kind: str
    fingerprint: str
    where: str
    excerpt: str = ""  # the text around it, every recorded secret in it masked


_ledger: dict[str, Secret] = {}
_clock = itertools.count(1)
_last = 0


def fingerprint(value: str) -> str:
    """A short hash that names a secret in a report without showing it."""
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:12]


def _spellings(value: str | bytes) -> set[str]:
    """The forms a value can take in text: bytes as hex, hex in either case."""
    if isinstance(value, bytes):
        forms = {value.hex()}
        if value.isascii() and value.decode().isprintable():
            forms.add(value.decode())
    else:
        forms = {value}
    for form in list(forms):
        if form and set(form) <= _HEX_DIGITS:
            forms |= {form.lower(), form.upper()}
    return {form for form in forms if len(form) >= MIN_LENGTH}


def record(kind: str, *values: str | bytes | None) -> None:
    """Remember secrets of one kind (``None`` and values too short to check are skipped)."""
    global _last  # noqa: PLW0603 - one ledger per process, like the log it is checked against
    for value in values:
        if value is None:
            continue
        for form in _spellings(value):
            _last = next(_clock)
            _ledger[form] = Secret(kind, _last)


def mark() -> int:
    """A point in time; ``since(mark())`` later gives what was recorded or seen again after it."""
    return _last + 1


def since(point: int = 0) -> Mapping[str, Secret]:
    """The secrets recorded (or recorded again) at or after ``point``."""
    return {value: secret for value, secret in _ledger.items() if secret.seen >= point}


def _occurs(value: str, text: str) -> bool:
    """Whether ``value`` is in ``text``; a number only as a whole number, not inside another."""
    if not value.isdigit():
        return value in text
    start = text.find(value)
    while start != -1:
        before = text[start - 1] if start else ""
        after = text[start + len(value) : start + len(value) + 1]
        if not (before.isdigit() or before == "." or after.isdigit()):
            return True
        start = text.find(value, start + 1)
    return False


def _excerpt(value: str, text: str, secrets: Mapping[str, Secret]) -> str:
    at = text.find(value)
    part = text[max(0, at - _CONTEXT) : at + len(value) + _CONTEXT]
    for other in sorted(secrets, key=len, reverse=True):
        if other in part:
            part = part.replace(other, f"<{secrets[other].kind}>")
    return part.replace("\n", " ")


def find_leaks(
    texts: Iterable[tuple[str, str]], secrets: Mapping[str, Secret] | None = None
) -> list[Leak]:
    """Each (where, text) pair that holds a secret, once per secret and place."""
    secrets = _ledger if secrets is None else secrets
    found: dict[tuple[str, str], Leak] = {}
    for where, text in texts:
        if len(text) < MIN_LENGTH:
            continue
        for value, secret in secrets.items():
            if (where, value) not in found and _occurs(value, text):
                found[where, value] = Leak(
                    secret.kind, fingerprint(value), where, _excerpt(value, text, secrets)
                )
    return list(found.values())
