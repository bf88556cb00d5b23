"""The protocol library must stay usable without Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path

LIBRARY = Path(__file__).parents[2] / "custom_components" / "kitchen_connect" / "kitchenlib"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_library_never_imports_home_assistant() -> None:
    """No module of kitchenlib imports homeassistant (or our integration package)."""
    files = sorted(LIBRARY.rglob("*.py"))
    assert len(files) > 5
    offenders = {
        str(path.relative_to(LIBRARY)): sorted(
            name
            for name in _imported_modules(path)
            if name.split(".")[0] in {"homeassistant", "custom_components"}
        )
        for path in files
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_library_ships_type_information() -> None:
    """PEP 561 marker, so users of the library get our types."""
    assert (LIBRARY / "py.typed").is_file()


def test_integration_folder_ships_no_simulator() -> None:
    """HACS installs the integration folder as it is: the simulators live outside it."""
    shipped = LIBRARY.parent
    simulator_files = [
        str(path.relative_to(shipped))
        for path in shipped.rglob("*.py")
        if "simulator" in path.name or path.name.startswith("sim_")
    ]
    assert simulator_files == []
    modules = {name for path in shipped.rglob("*.py") for name in _imported_modules(path)}
    assert not any(name.split(".")[0] == "simulators" for name in modules)
