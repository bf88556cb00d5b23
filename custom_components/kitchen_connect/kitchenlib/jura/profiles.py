"""Typed Jura machine profiles, built on first use from the generated ``profile_data``."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
import re

from . import profile_data as data
from .models import (
    AlertDef,
    ChoiceParam,
    MachineProfile,
    Process,
    ProductDef,
    RangeParam,
    RecipeParam,
    SettingDef,
    Severity,
)

BASELINE_EF = "EF536"  # S8: the profile jura-connect also falls back to

_SEVERITIES = {"E": Severity.ERROR, "P": Severity.MAINTENANCE, "I": Severity.INFO}
_EF_CODE = re.compile(r"(?<![A-Za-z0-9])EF(\d+)", re.IGNORECASE)


def _alert(bit: int, row: data.AlertRow) -> AlertDef:
    key, severity, blocks, process = row
    return AlertDef(
        bit=bit,
        key=key,
        severity=_SEVERITIES[severity],
        blocks=blocks,
        process=Process(process) if process else None,
    )


def _param(row: data.ParamRow) -> RecipeParam:
    if len(row) == 4:
        name, position, item_set, default = row
        items = tuple((option, int(wire, 16)) for option, wire in data.ITEM_SETS[item_set])
        return ChoiceParam(name, position, items, int(default, 16))
    name, position, minimum, maximum, step, default_amount = row
    return RangeParam(name, position, minimum, maximum, step, default_amount)


def _product(row: data.ProductRow) -> ProductDef:
    code, key, kind, active, double, params = row
    return ProductDef(
        code=int(code, 16),
        key=key,
        kind=kind,
        active=active,
        params=tuple(_param(data.PARAMS[index]) for index in params),
        double=int(double, 16) if double else None,
    )


def _setting(row: data.SettingRow) -> SettingDef:
    if len(row) == 5:
        argument, key, kind, default, item_set = row
        return SettingDef(int(argument, 16), key, kind, default, items=data.ITEM_SETS[item_set])
    argument, key, kind, default, minimum, maximum, step = row
    return SettingDef(int(argument, 16), key, kind, default, minimum, maximum, step)


def _accept_command(declared: tuple[str, ...]) -> str | None:
    # The data lists every AcceptCommand of the model's state table but a profile holds
    # one; @TG:10 is the confirm verb of most models, so it wins when declared.
    if "@TG:10" in declared:
        return "@TG:10"
    return declared[0] if declared else None


def _build(ef_code: str, model: data.ModelData) -> MachineProfile:
    rows = {bit: row for bit, row in data.BASE_ALERTS.items() if bit not in model["alerts_missing"]}
    rows.update(model["alerts_changed"])
    return MachineProfile(
        ef_code=ef_code,
        names=model["names"],
        articles=model["articles"],
        alerts=tuple(_alert(bit, rows[bit]) for bit in sorted(rows)),
        products=tuple(_product(row) for row in model["products"]),
        settings=tuple(_setting(row) for row in model["settings"]),
        maintenance_counter_fields=tuple(Process(name) for name in model["maint43"]),
        maintenance_percent_fields=tuple(Process(name) for name in model["maintC0"]),
        processes=tuple((Process(name), verb) for name, verb in model["processes"]),
        accept_command=_accept_command(model["accept"]),
        intake_f18=model["intake_f18"],
    )


@cache
def _by_ef_code() -> dict[str, MachineProfile]:
    return {code.upper(): _build(code, model) for code, model in data.MODELS.items()}


@cache
def _by_article() -> dict[int, MachineProfile]:
    return {article: profile for profile in _by_ef_code().values() for article in profile.articles}


@cache
def all_profiles() -> tuple[MachineProfile, ...]:
    """Every known profile, sorted by friendly name."""
    return tuple(
        sorted(_by_ef_code().values(), key=lambda item: (item.name.casefold(), item.ef_code))
    )


def get_profile(ef_code: str) -> MachineProfile | None:
    """The profile for ``ef_code``, compared case-insensitively (``ef1091`` finds EF1091)."""
    return _by_ef_code().get(ef_code.strip().upper())


def profile_for_article(article: int) -> MachineProfile | None:
    """The profile of the machine with this article number (from the UDP reply)."""
    return _by_article().get(article)


@cache
def baseline_profile() -> MachineProfile:
    """The S8 (EF536) profile marked as a fallback for machines no profile describes."""
    profile = get_profile(BASELINE_EF)
    assert profile is not None, "the generated data must contain the baseline model"
    return replace(profile, is_baseline=True)


def resolve_profile(ef_code: str | None = None, article: int | None = None) -> MachineProfile:
    """The best profile: by article number, else by EF code, else the baseline."""
    profile = profile_for_article(article) if article is not None else None
    if profile is None and ef_code:
        profile = get_profile(ef_code)
    return profile if profile is not None else baseline_profile()


def model_choices() -> list[tuple[str, str]]:
    """``(ef_code, label)`` pairs for a model dropdown; labels read "S8 (EB) \u2013 EF1091"."""
    return [
        (profile.ef_code, f"{profile.name} \u2013 {profile.ef_code}") for profile in all_profiles()
    ]


def ef_code_from_machine_firmware(text: str) -> str | None:
    """The bare EF code in a machine type string: ``EF1030M V01.06`` gives ``EF1030``."""
    match = _EF_CODE.search(text)
    return f"EF{match.group(1)}" if match else None
