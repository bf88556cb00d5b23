"""The voice intents as tools of Home Assistant's Assist LLM API.

The tools are the intents themselves, so an LLM agent meets the same confirm gate and
the same confirmation turn as the built-in agent (see ``voice.py``).
"""

from __future__ import annotations

from homeassistant.components.llm import LLMTools
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.llm import LLM_API_ASSIST, IntentTool, LLMContext, Tool, ToolAnnotations

from .const import DOMAIN
from .voice import GATED_INTENTS
from .voice_machines import any_machine

_TITLES = {"brew": "Brew a drink", "start_cycle": "Start a cycle", "start_cooking": "Heat an oven"}
# Each tool starts an appliance in the real world once confirmed; it never deletes anything.
_STARTS_AN_APPLIANCE = ToolAnnotations(destructive=False, open_world=True)


@callback
def async_get_tools(hass: HomeAssistant, llm_context: LLMContext, api_id: str) -> LLMTools | None:
    """One tool per voice intent that some exposed appliance can run."""
    if api_id != LLM_API_ASSIST:
        return None
    tools: list[Tool] = []
    for handler in GATED_INTENTS:
        if not any_machine(hass, handler.action, llm_context.assistant):
            continue
        tools.append(
            IntentTool(
                f"{DOMAIN}__{handler.intent_type}",
                handler,
                title=_TITLES[handler.action],
                integration=DOMAIN,
                annotations=_STARTS_AN_APPLIANCE,
            )
        )
    return LLMTools(tools=tools) if tools else None
