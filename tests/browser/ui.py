"""What the browser tests do in Home Assistant's frontend, in the words a user would use."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

# A raw translation key on screen: the frontend shows the key itself when a string is missing.
RAW_KEY = re.compile(r"component\.kitchen_connect|\b(?:jura|ge|lamarzocco|nespresso)_[a-z_]+\b")


def flow_dialog(page: Page) -> Locator:
    """The config flow's dialog."""
    return page.locator("dialog-data-entry-flow")


def start_adding_kitchen_connect(page: Page, url: str) -> Locator:
    """Settings > Devices & services > Add integration > Kitchen Connect; the flow's dialog."""
    wait_for_frontend(page, url)
    page.get_by_role("button", name="Add integration").click()
    brands = page.locator("dialog-add-integration")
    brands.get_by_placeholder("Search for a brand name").fill("Kitchen Connect")
    brands.get_by_text("Kitchen Connect", exact=True).click()
    # With a machine discovered (a Nespresso on the simulated proxy), the frontend first
    # offers it; adding another appliance is the dialog's second choice.
    another = brands.get_by_text("Set up another instance of Kitchen Connect")
    dialog = flow_dialog(page)
    expect(another.or_(dialog)).to_be_visible()
    if another.is_visible():
        another.click()
    expect(dialog.get_by_text("Which kind of appliance do you want to add?")).to_be_visible()
    return dialog


def call_ws(page: Page, message: dict[str, Any]) -> Any:
    """Send a websocket command over the frontend's own connection, as its pages do."""
    return page.evaluate(
        "message => document.querySelector('home-assistant').hass.callWS(message)", message
    )


def wait_for_frontend(page: Page, url: str, path: str = "/config/integrations/dashboard") -> None:
    """Open ``path`` once Home Assistant has finished starting."""
    page.goto(f"{url}{path}")
    page.wait_for_function(
        "() => document.querySelector('home-assistant')?.hass?.config?.state === 'RUNNING'"
    )


def assert_no_raw_keys(page: Page) -> None:
    """No untranslated key anywhere on the visible page (shadow roots included)."""
    text = page.locator("body").inner_text()
    shadow_text = page.evaluate(
        """() => {
            const parts = [];
            const walk = root => {
                for (const el of root.querySelectorAll('*')) {
                    if (el.shadowRoot) {
                        parts.push(el.shadowRoot.textContent);
                        walk(el.shadowRoot);
                    }
                }
            };
            walk(document);
            return parts.join(' ');
        }"""
    )
    found = RAW_KEY.findall(text + " " + shadow_text)
    assert not found, f"raw translation keys on the page: {sorted(set(found))}"


def use_server_language(page: Page, language: str) -> None:
    """Settings > System > General > Language, then reload the entries to rename entities.

    Entity names follow the server's language, fixed when an entry sets up.
    """
    current = page.evaluate("() => document.querySelector('home-assistant').hass.config.language")
    if current == language:
        return
    call_ws(page, {"type": "config/core/update", "language": language})
    entries = call_ws(page, {"type": "config_entries/get", "domain": "kitchen_connect"})
    page.evaluate(
        """ids => Promise.all(ids.map(id => document.querySelector('home-assistant').hass
            .callApi('POST', `config/config_entries/entry/${id}/reload`)))""",
        [entry["entry_id"] for entry in entries],
    )
