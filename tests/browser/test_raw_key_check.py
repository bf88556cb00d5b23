"""The untranslated-key scan the page tests rely on does find a raw key, even in a shadow root."""

from __future__ import annotations

from playwright.sync_api import Page
import pytest

from .conftest import BrowserEnvironment
from .ui import assert_no_raw_keys

SHADOW_PAGE = """
<div id="host"></div>
<script>
  document.getElementById("host").attachShadow({mode: "open"}).innerHTML =
    "<span>component.kitchen_connect.entity.switch.jura_panel_lock.name</span>";
</script>
"""


def test_scan_finds_a_raw_key_inside_a_shadow_root(
    browser_environment: BrowserEnvironment,
) -> None:
    def scenario(page: Page) -> None:
        page.set_content("<p>Panel lock</p>")
        assert_no_raw_keys(page)
        page.set_content(SHADOW_PAGE)
        with pytest.raises(AssertionError, match="jura_panel_lock"):
            assert_no_raw_keys(page)
        page.set_content("<p>Panel lock</p>")

    browser_environment.browser.run_on_page("raw_key_check", scenario, locale="en-US")
