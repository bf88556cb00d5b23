"""Nespresso-specific refinements of the shared error hierarchy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import AuthError, CommandRefusedError, ConnectionFailedError

if TYPE_CHECKING:
    from .commands import Outcome


class BondRequiredError(AuthError):
    """The link is not bonded/encrypted; bonding again (Just Works) is harmless."""


class KeyRejectedError(AuthError):
    """The machine refused the 8-byte key: it was onboarded with another one."""


class NotOnboardedError(AuthError):
    """The machine holds no key: the user imports theirs or pairs it explicitly."""


class OnboardingRefusedError(AuthError):
    """Onboarding was asked for without its preconditions; nothing was written."""


class NoResponseError(ConnectionFailedError):
    """The machine did not answer a command in time; the command is never repeated."""


class MachineRefusedError(CommandRefusedError):
    """The machine answered a command with a refusal code."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(f"machine refused the command: {outcome.value}")
        self.outcome = outcome
