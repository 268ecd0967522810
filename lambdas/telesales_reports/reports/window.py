"""Cutting a UTC window into the pieces the rollups answer (pure; no database).

A window [start, end) is cut into whole coarse periods (UTC days), whole 15-minute slots and the
partial slots at its edges; every instant of the window lands in exactly one piece (DECISIONLOG 18-19).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SLOT_SECONDS = 900
HOUR_SECONDS = 3600
DAY_SECONDS = 86400
WEEK_SECONDS = 7 * DAY_SECONDS
# The origin of every period, as in the marts (macros/utc_bin.sql: date_bin from 2000-01-01 00:00 UTC, a
# Saturday): a 7-day period starts on a Saturday; 15 minutes and days fall the same from any midnight.
ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _offset(moment: datetime) -> int:
    """`moment` as whole microseconds since ORIGIN: exact (a float timestamp is not, to the microsecond, far
    from 1970), and free of the datetime range, which a period around year 1 or 9999 can leave."""
    return (moment - ORIGIN) // _MICROSECOND


def _at(offset: int) -> datetime:
    return ORIGIN + offset * _MICROSECOND


def _floor(offset: int, seconds: int) -> int:
    """Start (an _offset) of the UTC period of `seconds` (15 minutes, a day, 7 days) that holds `offset`."""
    return offset - offset % (seconds * 1_000_000)


def _ceil(offset: int, seconds: int) -> int:
    return -_floor(-offset, seconds)


def is_day_aligned(moment: datetime) -> bool:
    return _offset(moment) % (DAY_SECONDS * 1_000_000) == 0


@dataclass(frozen=True)
class Pieces:
    """A window [start, end) cut into whole coarse periods, whole 15-minute slots and raw edges."""

    coarse: tuple[datetime, datetime] | None
    slots: tuple[tuple[datetime, datetime], ...]
    edges: tuple[tuple[datetime, datetime], ...]


def decompose(start: datetime, end: datetime, coarse_seconds: int | None, slot_seconds: int = SLOT_SECONDS) -> Pieces:
    """Cut [start, end): the middle in whole `coarse_seconds` periods (if any), then whole slots, and the
    partial slots at both ends as raw edges. Every instant of the window lands in exactly one piece."""
    # Bounds are compared as offsets and made datetimes only once inside [start, end]: a period that
    # starts before year 1 or ends after 9999 (a window at the calendar's edges) never becomes one.
    first_slot, last_slot = _ceil(_offset(start), slot_seconds), _floor(_offset(end), slot_seconds)
    if first_slot >= last_slot:
        return Pieces(None, (), ((start, end),))
    edges = tuple(r for r in ((start, _at(first_slot)), (_at(last_slot), end)) if r[0] < r[1])
    if coarse_seconds:
        first_coarse, last_coarse = _ceil(first_slot, coarse_seconds), _floor(last_slot, coarse_seconds)
        if first_coarse < last_coarse:
            slots = tuple(
                (_at(lo), _at(hi)) for lo, hi in ((first_slot, first_coarse), (last_coarse, last_slot)) if lo < hi
            )
            return Pieces((_at(first_coarse), _at(last_coarse)), slots, edges)
    return Pieces(None, ((_at(first_slot), _at(last_slot)),), edges)
