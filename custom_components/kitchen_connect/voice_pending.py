"""The confirmation window of voice requests: what was asked, in which conversation, when.

A request that would start an appliance is only remembered, never run, on the turn it is
asked. It runs on the very next turn of the same conversation, within ``CONFIRM_WINDOW``,
and only when that turn confirms it; any other turn, another conversation or the window
passing leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import chat_session
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

CONFIRM_WINDOW = timedelta(seconds=30)


@dataclass(frozen=True, kw_only=True)
class PendingRequest:
    """One confirm-gated action a conversation asked for and was asked back about."""

    action: str
    device_id: str
    device_name: str
    fields: Mapping[str, Any]
    turn: int
    expires: datetime = field(default_factory=lambda: dt_util.utcnow() + CONFIRM_WINDOW)

    def same_request(self, other: PendingRequest) -> bool:
        """Whether ``other`` asks for exactly this: same action, appliance and fields."""
        return (self.action, self.device_id, dict(self.fields)) == (
            other.action,
            other.device_id,
            dict(other.fields),
        )


_PENDING: HassKey[dict[str, PendingRequest]] = HassKey("kitchen_connect_voice_pending")


@dataclass(frozen=True)
class Turn:
    """Where a voice request stands: its conversation and the number of the user's turn."""

    conversation_id: str
    number: int


def current_turn(hass: HomeAssistant) -> Turn | None:
    """The conversation and turn being handled, or None outside a conversation.

    Each message a person sends is one user entry in the conversation's chat log, so
    counting them numbers the turns, for the built-in agent and LLM agents alike.
    """
    from homeassistant.components.conversation import async_get_chat_log

    session = chat_session.current_session.get()
    if session is None:
        return None
    with async_get_chat_log(hass, session) as chat_log:
        users = sum(1 for content in chat_log.content if content.role == "user")
    return Turn(session.conversation_id, users)


@callback
def async_remember(hass: HomeAssistant, conversation_id: str, request: PendingRequest) -> None:
    """Keep ``request`` as the one waiting for a yes in this conversation."""
    pending = hass.data.setdefault(_PENDING, {})
    now = dt_util.utcnow()
    for stale in [key for key, value in pending.items() if value.expires <= now]:
        del pending[stale]
    pending[conversation_id] = request


@callback
def async_take(hass: HomeAssistant, turn: Turn) -> PendingRequest | None:
    """The request waiting in this conversation if ``turn`` may confirm it; always forgotten.

    Only the turn right after the question may confirm, within the window.
    """
    request = hass.data.get(_PENDING, {}).pop(turn.conversation_id, None)
    if request is None or request.expires <= dt_util.utcnow():
        return None
    if turn.number != request.turn + 1:
        return None
    return request


@callback
def async_forget(hass: HomeAssistant, conversation_id: str) -> None:
    """Drop what waits in this conversation (the person said no)."""
    hass.data.get(_PENDING, {}).pop(conversation_id, None)
