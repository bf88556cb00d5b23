"""Firmware of the machine and of its gateway, as update entities with install and progress."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityDescription,
    UpdateEntityFeature,
)
from homeassistant.const import EntityCategory
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity import Entity

from ..const import DOMAIN
from ..kitchenlib import KitchenError
from ..kitchenlib.lamarzocco.firmware import FirmwareUpdate
from ..kitchenlib.lamarzocco.models import Firmware, FirmwareType
from ..kitchenlib.lamarzocco.settings import Settings
from .entity import SideEntity, SideEntityDescription, entities_setup, side_entities
from .runtime import LaMarzoccoRuntimeData

RELEASE_URL: Final = "https://support-iot.lamarzocco.com/firmware-updates/"
# The cloud reports progress; it is read this often while an update runs, for at most
# this many reads (about seven and a half minutes).
PROGRESS_INTERVAL: Final = 3.0
PROGRESS_READS: Final = 150


@dataclass(frozen=True, kw_only=True)
class FirmwareDescription(SideEntityDescription[Settings], UpdateEntityDescription):
    """The firmware of one part."""

    firmware_type: FirmwareType


def _has(firmware_type: FirmwareType) -> FirmwareDescription:
    return FirmwareDescription(
        key=f"{firmware_type.value.lower()}_firmware",
        translation_key=f"{firmware_type.value.lower()}_firmware",
        device_class=UpdateDeviceClass.FIRMWARE,
        entity_category=EntityCategory.DIAGNOSTIC,
        firmware_type=firmware_type,
        exists_fn=lambda settings: settings.firmware(firmware_type) is not None,
    )


FIRMWARES: tuple[FirmwareDescription, ...] = (
    _has(FirmwareType.MACHINE),
    _has(FirmwareType.GATEWAY),
)


class FirmwareUpdateEntity(SideEntity[Settings], UpdateEntity):
    """Installed and offered firmware; installing shows the cloud's progress."""

    entity_description: FirmwareDescription
    _attr_supported_features = UpdateEntityFeature.INSTALL | UpdateEntityFeature.PROGRESS
    _attr_release_url = RELEASE_URL

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._progress: FirmwareUpdate | None = None

    @property
    def firmware(self) -> Firmware:
        """This part's firmware (the entity is available only with it)."""
        firmware = self.data.firmware(self.entity_description.firmware_type)
        assert firmware is not None
        return firmware

    @property
    def installed_version(self) -> str:
        """The build the part runs."""
        return self.firmware.version

    @property
    def latest_version(self) -> str:
        """The build on offer, or the installed one."""
        return self.firmware.available_version or self.firmware.version

    @property
    def in_progress(self) -> bool:
        """While the cloud reports the update running."""
        return self._progress is not None and self._progress.in_progress

    @property
    def update_percentage(self) -> int | None:
        """The cloud's progress figure."""
        return None if self._progress is None else self._progress.progress_percentage

    async def async_install(self, version: str | None, backup: bool, **kwargs: Any) -> None:
        """Start the update and follow its progress until it ends."""
        machine = self.coordinator.machine
        cloud, serial = machine.account.cloud, machine.serial
        try:
            self._progress = await cloud.async_start_firmware_update(serial)
            self.async_write_ha_state()
            for _ in range(PROGRESS_READS):
                if not self._progress.in_progress:
                    break
                await asyncio.sleep(PROGRESS_INTERVAL)
                self._progress = await cloud.async_firmware_update_status(serial)
                self.async_write_ha_state()
        except KitchenError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="lamarzocco_update_failed",
                translation_placeholders={"name": machine.config_entry.title},
            ) from err
        finally:
            self._progress = None
            self.async_write_ha_state()
        await self.coordinator.async_request_refresh()


def _firmware_entities(runtime: LaMarzoccoRuntimeData) -> list[Entity]:
    return side_entities(runtime.settings, FIRMWARES, FirmwareUpdateEntity)


async_setup_entry = entities_setup(_firmware_entities)
