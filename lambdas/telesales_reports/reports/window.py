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
ORIGIN = datetime(2000, 1, 1, tzinfo=UTC).timestamp()


def _floor(moment: datetime, seconds: int) -> datetime:
    """Start of the UTC period of `seconds` (15 minutes, a day, 7 days) that holds `moment`."""
    since = moment.timestamp() - ORIGIN
    return datetime.fromtimestamp(ORIGIN + since - since % seconds, tz=UTC)


def _ceil(moment: datetime, seconds: int) -> datetime:
    floor = _floor(moment, seconds)
    return floor if floor == moment else floor + timedelta(seconds=seconds)


def is_day_aligned(moment: datetime) -> bool:
    return moment.timestamp() % DAY_SECONDS == 0


@dataclass(frozen=True)
class Pieces:
    """A window [start, end) cut into whole coarse periods, whole 15-minute slots and raw edges."""

    coarse: tuple[datetime, datetime] | None
    slots: tuple[tuple[datetime, datetime], ...]
    edges: tuple[tuple[datetime, datetime], ...]


def decompose(start: datetime, end: datetime, coarse_seconds: int | None, slot_seconds: int = SLOT_SECONDS) -> Pieces:
    """Cut [start, end): the middle in whole `coarse_seconds` periods (if any), then whole slots, and the
    partial slots at both ends as raw edges. Every instant of the window lands in exactly one piece."""
    first_slot, last_slot = _ceil(start, slot_seconds), _floor(end, slot_seconds)
    if first_slot >= last_slot:
        return Pieces(None, (), ((start, end),))
    edges = tuple(r for r in ((start, first_slot), (last_slot, end)) if r[0] < r[1])
    if coarse_seconds:
        first_coarse, last_coarse = _ceil(first_slot, coarse_seconds), _floor(last_slot, coarse_seconds)
        if first_coarse < last_coarse:
            slots = tuple(r for r in ((first_slot, first_coarse), (last_coarse, last_slot)) if r[0] < r[1])
            return Pieces((first_coarse, last_coarse), slots, edges)
    return Pieces(None, ((first_slot, last_slot),), edges)
