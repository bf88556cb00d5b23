"""What the browser tests do in Home Assistant's frontend, in the words a user would use."""

from __future__ import annotations

from dataclasses import dataclass
import os
from pathlib import Path
import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

# A raw translation key on screen: the frontend shows the key itself when a string is missing,
# ours (component.kitchen_connect..., a brand-prefixed id) or its own (ui.panel...).
RAW_KEY = re.compile(
    r"\bcomponent\.[a-z_]+\.|\bui\.(?:panel|card|dialogs|components|common)\."
    r"|\b(?:jura|ge|lamarzocco|nespresso)_[a-z_]+\b"
)
# scripts/screenshots names the folder; the tests save their main pages there.
SCREENSHOTS_VARIABLE = "KC_SCREENSHOTS"
SCREENSHOT_SETTLE_MS = 500


@dataclass(frozen=True, slots=True)
class Words:
    """What the frontend and our flow say, in one language."""

    add_integration: str
    search_brand: str
    another_instance: str
    submit: str
    which_kind: str


WORDS = {
    "en": Words(
        "Add integration",
        "Search for a brand name",
        "Set up another instance of Kitchen Connect",
        "Submit",
        "Which kind of appliance do you want to add?",
    ),
    "de": Words(
        "Integration hinzufügen",
        "Nach einem Markennamen suchen",
        "Eine weitere Instanz von Kitchen Connect einrichten",
        "OK",
        "Welche Art von Gerät möchtest du hinzufügen?",
    ),
}


def flow_dialog(page: Page) -> Locator:
    """The config flow's dialog."""
    return page.locator("dialog-data-entry-flow")


def open_kitchen_connect_brand(page: Page, url: str, language: str = "en") -> Locator:
    """Settings > Devices & services > Add integration > Kitchen Connect; the brand dialog."""
    words = WORDS[language]
    wait_for_frontend(page, url)
    page.get_by_role("button", name=words.add_integration).click()
    brands = page.locator("dialog-add-integration")
    brands.get_by_placeholder(words.search_brand).fill("Kitchen Connect")
    brands.get_by_text("Kitchen Connect", exact=True).click()
    return brands


def start_adding_kitchen_connect(page: Page, url: str, language: str = "en") -> Locator:
    """The add dialog's menu of appliance kinds; returns the flow's dialog."""
    words = WORDS[language]
    brands = open_kitchen_connect_brand(page, url, language)
    # With a machine discovered (a Nespresso on the simulated proxy), the frontend first
    # offers it; adding another appliance is the dialog's second choice.
    another = brands.get_by_text(words.another_instance)
    dialog = flow_dialog(page)
    expect(another.or_(dialog)).to_be_visible()
    if another.is_visible():
        another.click()
    expect(dialog.get_by_text(words.which_kind)).to_be_visible()
    assert_no_raw_keys(page)
    return dialog


def submit(dialog: Locator, language: str = "en") -> None:
    """The flow dialog's submit button."""
    dialog.get_by_role("button", name=WORDS[language].submit, exact=True).click()


def skip_naming(dialog: Locator) -> None:
    """The entry exists; leave the new devices' names and areas as they are."""
    dialog.get_by_role("button", name="Skip and finish").click()
    expect(dialog).to_be_hidden()


def tick(dialog: Locator, label: str) -> None:
    """Turn on the boolean field labelled ``label``.

    The frontend gives a boolean field's switch or checkbox no accessible name; its label
    is a paragraph beside it.
    """
    dialog.get_by_role("paragraph").filter(has_text=re.compile(f"^{re.escape(label)}$")).click()


def screenshot(page: Page, name: str) -> None:
    """Save the visible page as ``<folder>/<name>.png`` when scripts/screenshots asks for it."""
    folder = os.environ.get(SCREENSHOTS_VARIABLE)
    if folder:
        # Icons load after the text the tests wait for.
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(SCREENSHOT_SETTLE_MS)
        page.screenshot(path=Path(folder) / f"{name}.png")


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


def device_id(page: Page, name: str) -> str:
    """The id of the device called ``name``."""
    devices = call_ws(page, {"type": "config/device_registry/list"})
    return str(next(d["id"] for d in devices if d["name"] == name))


def entity_named(page: Page, device: str, name: str) -> str:
    """The id of the entity ``name`` of the device ``device``."""
    return str(
        page.evaluate(
            """name => Object.values(document.querySelector('home-assistant').hass.states)
                .find(s => s.attributes.friendly_name === name).entity_id""",
            f"{device} {name}",
        )
    )


def wait_for_state(page: Page, entity_id: str, wanted: str) -> None:
    """Until Home Assistant tells the frontend that ``entity_id`` is ``wanted``."""
    page.wait_for_function(
        """([id, wanted]) =>
            document.querySelector('home-assistant').hass.states[id]?.state === wanted""",
        arg=[entity_id, wanted],
    )


def perform_action(page: Page, url: str, action_yaml: str) -> None:
    """Developer tools > Actions in YAML mode: type ``action_yaml`` and perform it."""
    page.goto(f"{url}/developer-tools/action")
    page.get_by_text("YAML mode", exact=True).click()
    page.locator("ha-code-editor .cm-content").fill(action_yaml)
    page.get_by_role("button", name="Perform action").click()
