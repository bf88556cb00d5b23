"""What the table generators share: row interning and formatting with ruff.

Imported by ``generate_*.py`` when they run as scripts (``scripts/`` is then on the path).
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
import subprocess
import sys

REPO_ROOT = Path(__file__).resolve().parent.parent


class Interned[T: Hashable]:
    """Distinct rows in first-seen order, so a repeated row is stored once."""

    def __init__(self) -> None:
        self._index: dict[T, int] = {}

    def index(self, row: T) -> int:
        """The position of ``row``, adding it if new."""
        return self._index.setdefault(row, len(self._index))

    @property
    def rows(self) -> list[T]:
        """All rows, by position."""
        return list(self._index)


def ruff_format(text: str, output: Path) -> str:
    """``text`` formatted by ruff with the repository's settings, as the file ``output``."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(output), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    if result.returncode != 0:
        raise SystemExit(f"ruff format failed: {result.stderr.strip()}")
    return result.stdout
