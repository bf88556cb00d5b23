"""Wake-up schedules as a calendar: each schedule is a weekly event the user can edit.

An event runs from the wake-up time to the sleep time on the schedule's days. Creating an
event creates a schedule, editing it changes the schedule (for every week), deleting it
deletes the schedule; the machine pushes the new schedules back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEvent,
)
from homeassistant.components.calendar.const import CalendarEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import Entity
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..kitchenlib.lamarzocco import commands
from ..kitchenlib.lamarzocco.commands import Weekday
from ..kitchenlib.lamarzocco.scheduling import Scheduling, WakeUpSchedule
from .entity import SideEntity, SideEntityDescription, entities_setup, side_entities
from .runtime import LaMarzoccoRuntimeData

WEEKDAYS: Final = tuple(Weekday)  # Monday first, as date.weekday() counts
RRULE_DAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MINUTES_PER_DAY: Final = 24 * 60


@dataclass(frozen=True, kw_only=True)
class ScheduleCalendarDescription(SideEntityDescription[Scheduling], CalendarEntityDescription):
    """The machine's wake-up schedules."""


CALENDAR = ScheduleCalendarDescription(
    key="wake_up_schedules",
    translation_key="wake_up_schedules",
    exists_fn=lambda scheduling: scheduling.wake_up_supported,
)


def _rrule(schedule: WakeUpSchedule) -> str:
    days = [RRULE_DAYS[WEEKDAYS.index(Weekday(day))] for day in schedule.days]
    return f"FREQ=WEEKLY;BYDAY={','.join(days)}"


def _days_from_rrule(rrule: str | None, start: datetime) -> list[str]:
    """The weekdays of a weekly rule (``BYDAY``), or the start's weekday for a single event."""
    if not rrule:
        return [WEEKDAYS[start.weekday()].value]
    parts = dict(part.split("=", 1) for part in rrule.split(";") if "=" in part)
    if parts.get("FREQ") != "WEEKLY":
        raise _invalid("lamarzocco_schedule_weekly_only")
    codes = parts.get("BYDAY", RRULE_DAYS[start.weekday()]).split(",")
    if any(code not in RRULE_DAYS for code in codes):
        raise _invalid("lamarzocco_schedule_weekly_only")
    return [WEEKDAYS[RRULE_DAYS.index(code)].value for code in codes]


def _invalid(key: str) -> ServiceValidationError:
    return ServiceValidationError(translation_domain=DOMAIN, translation_key=key)


def _minutes(moment: datetime) -> int:
    local = dt_util.as_local(moment)
    return local.hour * 60 + local.minute


def _as_datetime(value: Any) -> datetime:
    if not isinstance(value, datetime):  # an all-day event has no times to wake up at
        raise _invalid("lamarzocco_schedule_needs_times")
    return value


def schedule_fields(event: dict[str, Any]) -> dict[str, Any]:
    """The wake-up schedule a calendar event stands for."""
    start, end = _as_datetime(event["dtstart"]), _as_datetime(event["dtend"])
    on_minutes, off_minutes = _minutes(start), _minutes(end)
    if (end - start) >= timedelta(days=1) or on_minutes == off_minutes:
        raise _invalid("lamarzocco_schedule_within_a_day")
    return {
        "on_minutes": on_minutes,
        "off_minutes": off_minutes,
        "days": _days_from_rrule(event.get("rrule"), dt_util.as_local(start)),
    }


class WakeUpCalendar(SideEntity[Scheduling], CalendarEntity):
    """The machine's wake-up schedules."""

    entity_description: ScheduleCalendarDescription
    _attr_supported_features = (
        CalendarEntityFeature.CREATE_EVENT
        | CalendarEntityFeature.UPDATE_EVENT
        | CalendarEntityFeature.DELETE_EVENT
    )

    def _occurrences(self, start: datetime, end: datetime) -> list[CalendarEvent]:
        events: list[CalendarEvent] = []
        day = dt_util.as_local(start).date() - timedelta(days=1)
        last = dt_util.as_local(end).date()
        while day <= last:
            weekday = WEEKDAYS[day.weekday()].value
            midnight = dt_util.start_of_local_day(day)
            for schedule in self.data.schedules:
                if not schedule.enabled or weekday not in schedule.days:
                    continue
                on = midnight + timedelta(minutes=schedule.on_minutes)
                off = midnight + timedelta(minutes=schedule.off_minutes)
                if off <= on:
                    off += timedelta(days=1)  # sleeps after midnight
                if off > start and on < end:
                    events.append(
                        CalendarEvent(
                            start=on,
                            end=off,
                            summary=self.coordinator.machine.config_entry.title,
                            uid=schedule.schedule_id,
                            rrule=_rrule(schedule),
                            recurrence_id=on.strftime("%Y%m%dT%H%M%S"),
                        )
                    )
            day += timedelta(days=1)
        return sorted(events, key=lambda event: event.start_datetime_local)

    @property
    def event(self) -> CalendarEvent | None:
        """The running or next wake-up within a week."""
        now = dt_util.now()
        upcoming = self._occurrences(now, now + timedelta(days=8))
        return upcoming[0] if upcoming else None

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Every wake-up between the two times."""
        return self._occurrences(start_date, end_date)

    async def async_create_event(self, **kwargs: Any) -> None:
        """A new wake-up schedule (a weekly event, or one day of the week)."""
        fields = schedule_fields(kwargs)
        await self.async_send(
            lambda: commands.wake_up_schedule(enabled=True, steam_boiler=True, **fields)
        )

    async def async_update_event(
        self,
        uid: str,
        event: dict[str, Any],
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Change the schedule (every week: a schedule has no exceptions)."""
        schedule = self.data.schedule(uid)
        if schedule is None:
            raise _invalid("lamarzocco_schedule_unknown")
        fields = schedule_fields(event)
        await self.async_send(
            lambda: commands.wake_up_schedule(
                schedule_id=uid,
                enabled=schedule.enabled,
                steam_boiler=schedule.steam_boiler,
                **fields,
            )
        )

    async def async_delete_event(
        self,
        uid: str,
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Delete the schedule."""
        if self.data.schedule(uid) is None:
            raise _invalid("lamarzocco_schedule_unknown")
        await self.async_send(lambda: commands.delete_wake_up_schedule(uid))


def _calendars(runtime: LaMarzoccoRuntimeData) -> list[Entity]:
    return side_entities(runtime.schedule, (CALENDAR,), WakeUpCalendar)


async_setup_entry = entities_setup(_calendars)
