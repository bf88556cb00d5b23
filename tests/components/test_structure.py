"""The shape the brands plug into: shared modules know no brand, brands keep their keys apart."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from custom_components.kitchen_connect.brands import brand_spec, registered_brands
from custom_components.kitchen_connect.spec import BrandAction, BrandSpec

COMPONENT = Path(__file__).parents[2] / "custom_components" / "kitchen_connect"
BRAND_PACKAGES = frozenset(
    path.parent.name for path in COMPONENT.glob("*/__init__.py") if path.parent.name != "kitchenlib"
)


def _specs() -> list[BrandSpec]:
    """Every declared brand's spec (importing every brand package)."""
    return [brand_spec(brand.key) for brand in registered_brands()]


def _imports(path: Path) -> set[str]:
    """Modules imported by ``path``, relative ones resolved against the integration package."""
    package = path.relative_to(COMPONENT).parent.parts
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = (node.module or "").split(".")
                if base[:2] == ["custom_components", "kitchen_connect"]:
                    base = base[2:]
                else:
                    names.add(node.module or "")
                    continue
            else:
                base = list(package[: len(package) - node.level + 1])
                base += (node.module or "").split(".") if node.module else []
            if node.module:
                names.add(".".join(["kc", *base]))
            else:
                names.update(".".join(["kc", *base, alias.name]) for alias in node.names)
    return names


def test_shared_modules_import_no_brand() -> None:
    """No shared module imports a brand, not even the registry: brands load on demand."""
    shared = list(COMPONENT.glob("*.py"))
    assert len(shared) > 10
    offenders = {
        path.name: sorted(
            name
            for name in _imports(path)
            if name.split(".")[1:2] and name.split(".")[1] in BRAND_PACKAGES
        )
        for path in shared
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_every_brand_package_is_registered() -> None:
    """A brand package that brands.py does not declare would never load."""
    assert {brand.key for brand in registered_brands()} == set(BRAND_PACKAGES)
    for brand in registered_brands():
        assert brand.module == f"custom_components.kitchen_connect.{brand.key}"
        assert brand_spec(brand.key).key == brand.key


def _fields(actions: tuple[BrandAction, ...]) -> dict[str, set[str]]:
    return {action.name: {str(marker) for marker in action.fields} for action in actions}


def test_declarations_say_what_the_brands_do() -> None:
    """What the shared parts know before a brand loads matches the brand's own spec."""
    for brand, spec in zip(registered_brands(), _specs(), strict=True):
        assert brand.in_menu == spec.in_menu, brand.key
        assert brand.has_options == (spec.options_flow is not None), brand.key
        assert brand.discovery == set(spec.discovery), brand.key
        assert _fields(brand.actions) == _fields(spec.actions), brand.key


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(node: str, trail: list[str]) -> list[str] | None:
        if node in trail:
            return [*trail[trail.index(node) :], node]
        if node in done:
            return None
        for target in sorted(graph.get(node, ())):
            if (found := visit(target, [*trail, node])) is not None:
                return found
        done.add(node)
        return None

    for start in sorted(graph):
        if (found := visit(start, [])) is not None:
            return found
    return None


def test_no_import_cycle_inside_a_brand() -> None:
    """Runtime, coordinators, entities and platforms import in one direction only."""
    for brand in BRAND_PACKAGES:
        modules = {path.stem: path for path in (COMPONENT / brand).glob("*.py")}
        prefix = f"kc.{brand}."
        graph = {
            name: {
                imported.removeprefix(prefix).split(".")[0]
                for imported in _imports(path)
                if imported.startswith(prefix)
                and imported.removeprefix(prefix).split(".")[0] in modules
            }
            for name, path in modules.items()
        }
        # Every module of a package runs its __init__ first; that is no cycle of ours.
        graph.pop("__init__", None)
        assert _cycle(graph) is None, f"{brand}: {_cycle(graph)}"


# Keys every brand shares; everything else carries a brand's prefix.
SHARED_KEYS = {
    "exceptions": {
        "unknown_device",
        "entry_not_loaded",
        "invalid_value",
        "action_not_supported",
        "action_field_not_supported",
        "action_field_invalid",
        "action_field_too_high",
        "action_field_too_low",
        "action_field_not_a_number",
        "action_field_not_an_option",
    },
    "config.abort": {"already_configured", "unique_id_mismatch", "not_supported"},
    "config.step": {"user"},
    # The choices of the shared actions' fields.
    "selector": {"temperature", "process"},
}


def _sections(translations: dict[str, object]) -> dict[str, list[str]]:
    def keys(*path: str) -> list[str]:
        node: object = translations
        for part in path:
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return list(node) if isinstance(node, dict) else []

    entity = translations.get("entity", {})
    assert isinstance(entity, dict)
    return {
        "entity": [key for platform in entity for key in keys("entity", platform)],
        "exceptions": keys("exceptions"),
        "issues": keys("issues"),
        "selector": keys("selector"),
        "config.step": keys("config", "step"),
        "config.error": keys("config", "error"),
        "config.abort": keys("config", "abort"),
        "config.progress": keys("config", "progress"),
        "options.step": keys("options", "step"),
    }


def test_translation_keys_carry_their_brands_prefix() -> None:
    """Jura's `status` and GE's `status` can never collide: each key names its brand."""
    prefixes = tuple(f"{spec.translation_prefix}_" for spec in _specs())
    own_names = {spec.translation_prefix for spec in _specs()}
    for language in ("en", "de"):
        translations = json.loads((COMPONENT / "translations" / f"{language}.json").read_text())
        for section, keys in _sections(translations).items():
            stray = [
                key
                for key in keys
                if key not in SHARED_KEYS.get(section, set())
                and key not in own_names
                and not key.startswith(prefixes)
            ]
            assert stray == [], f"{language} {section}: {stray}"


def _leaves(node: object, path: str = "") -> dict[str, object]:
    """Every text of a translation file by its dotted path."""
    if isinstance(node, dict):
        return {
            leaf: text
            for key, value in node.items()
            for leaf, text in _leaves(value, f"{path}.{key}").items()
        }
    return {path: node}


def _translations(language: str) -> dict[str, object]:
    return _leaves(json.loads((COMPONENT / "translations" / f"{language}.json").read_text()))


def test_german_translates_no_key_english_lacks() -> None:
    """A German text for a key that no longer exists is a leftover of a rename."""
    assert set(_translations("de")) - set(_translations("en")) == set()


def test_german_has_every_text_english_has() -> None:
    """A German user never meets an English fallback: each new English text needs German."""
    english, german = _translations("en"), _translations("de")

    assert sorted(set(english) - set(german)) == []
    # Texts Home Assistant fills in from its own catalog stay references in both.
    assert [
        path
        for path, text in english.items()
        if isinstance(text, str) and text.startswith("[%key:") and german[path] != text
    ] == []


def test_actions_are_declared_once_and_described() -> None:
    """Each brand offers a verb once; services.yaml and the texts describe exactly those verbs."""
    from homeassistant.util.yaml import load_yaml_dict

    offered: set[str] = set()
    for spec in _specs():
        names = [action.name for action in spec.actions]
        assert len(names) == len(set(names)), spec.key
        offered.update(names)
    services = load_yaml_dict(str(COMPONENT / "services.yaml"))
    english = json.loads((COMPONENT / "translations" / "en.json").read_text())["services"]
    assert set(services) == offered
    assert set(english) == offered
    for name, service in services.items():
        assert _field_names(service["fields"]) == set(english[name]["fields"]), name


def _field_names(fields: dict[str, dict[str, object]]) -> set[str]:
    """The fields of an action, those inside collapsible sections included."""
    names: set[str] = set()
    for key, value in fields.items():
        section = value.get("fields")
        names |= set(section) if isinstance(section, dict) else {key}
    return names
