"""What a local transport learns of a machine before its entry is created."""

from __future__ import annotations

from dataclasses import dataclass

from ...kitchenlib.lamarzocco.models import ModelCode


@dataclass(frozen=True)
class ProbeResult:
    """The machine behind a host, port and key, as far as the transport can tell."""

    serial: str | None
    model: ModelCode | None
    firmware: str | None
