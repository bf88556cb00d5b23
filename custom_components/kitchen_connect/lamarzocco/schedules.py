"""Schedule entities: smart standby (switch, minutes, what it counts from) and wake-up schedules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from homeassistant.components.number import NumberDeviceClass, NumberEntity, NumberEntityDescription
from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..kitchenlib.lamarzocco import commands
from ..kitchenlib.lamarzocco.commands import Command, StandByAfter
from ..kitchenlib.lamarzocco.scheduling import Scheduling, SmartStandBy, WakeUpSchedule
from .entity import SideEntity, SideEntityDescription, side_entities
from .runtime import LaMarzoccoRuntimeData

STANDBY_AFTER = MappingProxyType(
    {"power_on": StandByAfter.POWER_ON, "last_brewing": StandByAfter.LAST_BREWING}
)


def _has_standby(scheduling: Scheduling) -> bool:
    return scheduling.smart_standby is not None


def standby_command(
    standby: SmartStandBy,
    *,
    enabled: bool | None = None,
    minutes: float | None = None,
    after: str | None = None,
) -> Command:
    """Smart standby with one part changed and the others as the machine has them."""
    return commands.smart_standby(
        standby.enabled if enabled is None else enabled,
        standby.minutes if minutes is None else minutes,
        after or standby.after or StandByAfter.POWER_ON,
        standby.limits,
    )


@dataclass(frozen=True, kw_only=True)
class StandbySwitchDescription(SideEntityDescription[Scheduling], SwitchEntityDescription):
    """Smart standby on or off."""


@dataclass(frozen=True, kw_only=True)
class StandbyNumberDescription(SideEntityDescription[Scheduling], NumberEntityDescription):
    """Smart standby minutes."""


@dataclass(frozen=True, kw_only=True)
class StandbySelectDescription(SideEntityDescription[Scheduling], SelectEntityDescription):
    """What smart standby counts from."""


STANDBY_SWITCH = StandbySwitchDescription(
    key="smart_standby",
    translation_key="smart_standby",
    entity_category=EntityCategory.CONFIG,
    exists_fn=_has_standby,
)
STANDBY_MINUTES = StandbyNumberDescription(
    key="smart_standby_time",
    translation_key="smart_standby_time",
    device_class=NumberDeviceClass.DURATION,
    native_unit_of_measurement=UnitOfTime.MINUTES,
    entity_category=EntityCategory.CONFIG,
    exists_fn=_has_standby,
)
STANDBY_AFTER_SELECT = StandbySelectDescription(
    key="smart_standby_mode",
    translation_key="smart_standby_mode",
    options=list(STANDBY_AFTER),
    entity_category=EntityCategory.CONFIG,
    exists_fn=_has_standby,
)


class ScheduleEntity(SideEntity[Scheduling]):
    """An entity of the machine's schedules."""

    @property
    def standby(self) -> SmartStandBy:
        """The machine's smart standby (the entity exists only with it)."""
        standby = self.data.smart_standby
        assert standby is not None
        return standby

    async def async_send_standby(self, **changes: Any) -> None:
        """Send smart standby with ``changes``; the machine pushes the result."""
        standby = self.standby
        await self.async_send(lambda: standby_command(standby, **changes))


class SmartStandbySwitch(ScheduleEntity, SwitchEntity):
    """Standby after a while."""

    entity_description: StandbySwitchDescription

    @property
    def is_on(self) -> bool:
        """As the machine reports."""
        return self.standby.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn smart standby on."""
        await self.async_send_standby(enabled=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn smart standby off."""
        await self.async_send_standby(enabled=False)


class SmartStandbyMinutes(ScheduleEntity, NumberEntity):
    """Minutes until standby, in the machine's range."""

    entity_description: StandbyNumberDescription

    @property
    def native_value(self) -> float:
        """As the machine reports."""
        return self.standby.minutes

    @property
    def native_min_value(self) -> float:
        """The machine's range."""
        return self.standby.limits.minimum

    @property
    def native_max_value(self) -> float:
        """The machine's range."""
        return self.standby.limits.maximum

    @property
    def native_step(self) -> float:
        """The machine's step."""
        return self.standby.limits.step

    async def async_set_native_value(self, value: float) -> None:
        """Checked against the machine's range, then sent."""
        await self.async_send_standby(minutes=value)


class SmartStandbyAfter(ScheduleEntity, SelectEntity):
    """Counted from power-on or from the last shot."""

    entity_description: StandbySelectDescription

    @property
    def current_option(self) -> str | None:
        """As the machine reports."""
        return next((k for k, v in STANDBY_AFTER.items() if v == self.standby.after), None)

    async def async_select_option(self, option: str) -> None:
        """Send the new starting point."""
        await self.async_send_standby(after=STANDBY_AFTER[option])


def schedule_command(schedule: WakeUpSchedule, **changes: Any) -> Command:
    """A wake-up schedule with some of its parts changed."""
    values: dict[str, Any] = {
        "enabled": schedule.enabled,
        "on_minutes": schedule.on_minutes,
        "off_minutes": schedule.off_minutes,
        "steam_boiler": schedule.steam_boiler,
        "days": schedule.days,
        **changes,
    }
    return commands.wake_up_schedule(schedule_id=schedule.schedule_id, **values)


def _wake_up(schedule_id: str) -> Callable[[Scheduling], WakeUpSchedule | None]:
    return lambda scheduling: scheduling.schedule(schedule_id)


@dataclass(frozen=True, kw_only=True)
class WakeUpSwitchDescription(SideEntityDescription[Scheduling], SwitchEntityDescription):
    """One wake-up schedule on or off."""

    schedule_id: str


class WakeUpScheduleSwitch(SideEntity[Scheduling], SwitchEntity):
    """Whether one wake-up schedule runs."""

    entity_description: WakeUpSwitchDescription

    @property
    def schedule(self) -> WakeUpSchedule:
        """The schedule (the entity is available only while it exists)."""
        schedule = self.data.schedule(self.entity_description.schedule_id)
        assert schedule is not None
        return schedule

    @property
    def is_on(self) -> bool:
        """As the machine reports."""
        return self.schedule.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Let the schedule run."""
        schedule = self.schedule
        await self.async_send(lambda: schedule_command(schedule, enabled=True))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Pause the schedule."""
        schedule = self.schedule
        await self.async_send(lambda: schedule_command(schedule, enabled=False))


def _wake_up_description(number: int, schedule: WakeUpSchedule) -> WakeUpSwitchDescription:
    return WakeUpSwitchDescription(
        key=f"wake_up_{schedule.schedule_id}",
        translation_key="wake_up_schedule",
        translation_placeholders={"number": str(number)},
        entity_category=EntityCategory.CONFIG,
        schedule_id=schedule.schedule_id,
        exists_fn=lambda scheduling: scheduling.schedule(schedule.schedule_id) is not None,
    )


def switches(runtime: LaMarzoccoRuntimeData) -> list[Entity]:
    """Smart standby and one switch per wake-up schedule."""
    schedule = runtime.schedule
    entities = side_entities(schedule, (STANDBY_SWITCH,), SmartStandbySwitch)
    if schedule is not None and schedule.data is not None:
        descriptions = [
            _wake_up_description(number, item)
            for number, item in enumerate(schedule.data.schedules, start=1)
        ]
        entities += side_entities(schedule, descriptions, WakeUpScheduleSwitch)
    return entities


def async_follow_new_schedules(
    runtime: LaMarzoccoRuntimeData, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """A switch for each schedule created later (in the calendar or the app), as it appears."""
    coordinator = runtime.schedule
    if coordinator is None:
        return
    scheduling: Scheduling | None = coordinator.data
    known = {item.schedule_id for item in scheduling.schedules} if scheduling else set()

    @callback
    def _add_new() -> None:
        data: Scheduling | None = coordinator.data
        if data is None:
            return
        new = [
            _wake_up_description(number, item)
            for number, item in enumerate(data.schedules, start=1)
            if item.schedule_id not in known
        ]
        known.update(description.schedule_id for description in new)
        if new:
            async_add_entities([WakeUpScheduleSwitch(coordinator, d) for d in new])

    runtime.coordinator.config_entry.async_on_unload(coordinator.async_add_listener(_add_new))


def numbers(runtime: LaMarzoccoRuntimeData) -> list[Entity]:
    """Smart standby minutes."""
    return side_entities(runtime.schedule, (STANDBY_MINUTES,), SmartStandbyMinutes)


def selects(runtime: LaMarzoccoRuntimeData) -> list[Entity]:
    """What smart standby counts from."""
    return side_entities(runtime.schedule, (STANDBY_AFTER_SELECT,), SmartStandbyAfter)
