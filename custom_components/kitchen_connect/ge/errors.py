"""How GE's library errors reach the user: translated, under the brand's own keys."""

from __future__ import annotations

import contextlib

from ..entity import translate_library_errors


def translate_ge_errors(name: str) -> contextlib.AbstractAsyncContextManager[None]:
    """Turn library errors into the translated errors Home Assistant shows the user."""
    return translate_library_errors(
        name, refused_key="ge_write_refused", not_connected_key="ge_not_connected"
    )
