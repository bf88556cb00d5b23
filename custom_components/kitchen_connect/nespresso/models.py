"""What the Nespresso entities read: the latest advert's status and the last connection's reads."""

from __future__ import annotations

from dataclasses import dataclass

from ..kitchenlib.nespresso.models import (
    Details,
    Family,
    OriginalSettings,
    OriginalStatus,
    VertuoSettings,
    VertuoStatus,
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One machine as last heard: ``status`` from adverts, ``details`` from a connection."""

    family: Family
    status: OriginalStatus | VertuoStatus | None = None
    details: Details | None = None
    capsules: int | None = None  # from the advert, or from the value just written

    @property
    def original(self) -> OriginalStatus | None:
        """The status, if the machine is of the original line."""
        return self.status if isinstance(self.status, OriginalStatus) else None

    @property
    def original_settings(self) -> OriginalSettings | None:
        """Standby delay and hardness of an original-line machine, once read."""
        settings = None if self.details is None else self.details.settings
        return settings if isinstance(settings, OriginalSettings) else None

    @property
    def vertuo_settings(self) -> VertuoSettings | None:
        """Auto-off and hardness of a Vertuo machine, once read."""
        settings = None if self.details is None else self.details.settings
        return settings if isinstance(settings, VertuoSettings) else None

    @property
    def hardness(self) -> int | None:
        """Water hardness level, once read."""
        return None if self.details is None else self.details.settings.hardness
