"""A confirm-gated action run from Developer tools > Actions, as a user tries it."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from .conftest import BrowserEnvironment
from .ui import (
    assert_no_raw_keys,
    device_id,
    perform_action,
    screenshot,
    use_server_language,
    wait_for_frontend,
)

JURA = "Simulated Jura S8"
BREW_STARTED_WITHIN_S = 10.0


def _brew_yaml(device: str, *, confirm: bool) -> str:
    lines = [
        "action: kitchen_connect.brew",
        "data:",
        f"  device_id: {device}",
        "  product: espresso",
    ]
    if confirm:
        lines.append("  confirm: true")
    return "\n".join(lines) + "\n"


def test_brew_needs_confirm_and_runs_with_it(browser_environment: BrowserEnvironment) -> None:
    """Without ``confirm`` the translated refusal and nothing sent; with it the machine brews."""
    url = browser_environment.hass.url
    simulators = browser_environment.simulators

    def scenario(page: Page) -> None:
        wait_for_frontend(page, url)
        use_server_language(page, "en")
        device = device_id(page, JURA)
        brews = simulators.command("jura_brews")

        perform_action(page, url, _brew_yaml(device, confirm=False))
        refusal = page.get_by_text(f"Nothing was sent. This starts brewing on {JURA} at once")
        expect(refusal).to_be_visible()
        assert_no_raw_keys(page)
        screenshot(page, "refused_action")
        assert simulators.command("jura_brews") == brews

        perform_action(page, url, _brew_yaml(device, confirm=True))
        deadline = time.monotonic() + BREW_STARTED_WITHIN_S
        while simulators.command("jura_brews") == brews:
            assert time.monotonic() < deadline, "the machine never got the brew command"
            page.wait_for_timeout(200)
        expect(refusal).to_be_hidden()
        expect(page.get_by_text("Failed to perform the action")).to_be_hidden()
        assert_no_raw_keys(page)

    browser_environment.browser.run_on_page("confirm_gate", scenario, locale="en-US")
