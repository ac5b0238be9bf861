"""What a staff member may see and act on: everything (admin) or their stations' cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.errors import DomainError
from storage.enums import StaffRole
from storage.models import Issue, Staff, StaffStation


@dataclass(frozen=True)
class StaffScope:
    """A staff member's reach; ``station_ids`` matters only for station staff."""

    staff_id: int
    name: str
    admin: bool
    station_ids: frozenset[int]

    def covers(self, station_id: int) -> bool:
        """Whether cases and residents of this station are within reach."""
        return self.admin or station_id in self.station_ids

    def stations_clause(self, column: Any) -> Any:
        """A WHERE clause limiting ``column`` (a station id column) to this scope."""
        if self.admin:
            return true()
        return col(column).in_(sorted(self.station_ids))

    def issues_clause(self) -> Any:
        """A WHERE clause limiting issues to this scope."""
        return self.stations_clause(Issue.station_id)

    def require(self, station_id: int) -> None:
        """Refuse a station outside this scope."""
        if not self.covers(station_id):
            raise DomainError("out_of_scope")


async def scope_of(session: AsyncSession, staff: Staff) -> StaffScope:
    """The scope of an active staff member."""
    assert staff.id is not None
    stations = (
        await session.execute(
            select(col(StaffStation.station_id)).where(col(StaffStation.staff_id) == staff.id)
        )
    ).scalars()
    return StaffScope(
        staff_id=staff.id,
        name=staff.name,
        admin=staff.role == StaffRole.ADMIN,
        station_ids=frozenset(stations),
    )
