"""A confirm-gated action run from Developer tools > Actions, as a user tries it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import BrowserEnvironment
from .ui import assert_no_raw_keys, call_ws, use_server_language, wait_for_frontend

JURA = "Simulated Jura S8"


def test_brew_without_confirm_shows_the_translated_refusal(
    browser_environment: BrowserEnvironment,
) -> None:
    url = browser_environment.hass.url

    def scenario(page: Page) -> None:
        wait_for_frontend(page, url)
        use_server_language(page, "en")
        devices = call_ws(page, {"type": "config/device_registry/list"})
        device_id = next(d["id"] for d in devices if d["name"] == JURA)

        # Developer tools > Actions, in YAML mode, without confirm: true.
        page.goto(f"{url}/developer-tools/action")
        page.get_by_text("YAML mode", exact=True).click()
        editor = page.locator("ha-code-editor .cm-content")
        editor.fill(
            f"action: kitchen_connect.brew\ndata:\n  device_id: {device_id}\n  product: espresso\n"
        )
        page.get_by_role("button", name="Perform action").click()
        expect(
            page.get_by_text(f"Nothing was sent. This starts brewing on {JURA} at once")
        ).to_be_visible()
        assert_no_raw_keys(page)

    browser_environment.browser.run_on_page("confirm_gate", scenario, locale="en-US")
