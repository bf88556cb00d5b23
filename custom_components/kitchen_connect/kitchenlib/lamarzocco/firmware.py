"""Firmware updates: ``GET`` (status) and ``POST`` (start) ``/things/{sn}/update-fw``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from .reader import Reader


def update_path(serial_number: str) -> str:
    """The update path of a thing (``serial_number`` already checked)."""
    return f"/things/{serial_number}/update-fw"


class UpdateStatus(StrEnum):
    """Where a firmware update stands."""

    TO_UPDATE = "ToUpdate"
    PENDING = "Pending"
    IN_PROGRESS = "InProgress"
    UPDATED = "Updated"


_RUNNING: Final = frozenset({UpdateStatus.PENDING.value, UpdateStatus.IN_PROGRESS.value})


@dataclass(frozen=True, slots=True)
class FirmwareUpdate:
    """An update's status and progress (``progressInfo``: download, rebooting...)."""

    status: str
    command_status: str | None
    progress_info: str | None
    progress_percentage: int | None

    @property
    def in_progress(self) -> bool:
        """Whether an update is being installed."""
        return self.status in _RUNNING

    @property
    def update_available(self) -> bool:
        """Whether an update is offered and not started."""
        return self.status == UpdateStatus.TO_UPDATE


def parse_firmware_update(data: Any) -> FirmwareUpdate:
    """The update-fw reply; ProtocolError when it has no status."""
    reader = Reader(data, "firmware update")
    percentage = reader.opt_number("progressPercentage", 0, 100)
    return FirmwareUpdate(
        status=reader.text("status"),
        command_status=reader.opt_text("commandStatus"),
        progress_info=reader.opt_text("progressInfo"),
        progress_percentage=None if percentage is None else int(percentage),
    )
