"""docs/api-reference.md §1 and DECISIONLOG 18-19: `decompose` cuts a window into whole UTC days, whole
15-minute slots and the partial slots at its edges, and every instant lands in exactly one piece."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from telesales_reports.reports.window import DAY_SECONDS, SLOT_SECONDS, WEEK_SECONDS, Pieces, decompose, is_day_aligned

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
moments = st.integers(min_value=0, max_value=120 * DAY_SECONDS).map(lambda s: EPOCH + timedelta(seconds=s))
windows = st.tuples(moments, st.integers(min_value=1, max_value=91 * DAY_SECONDS)).map(
    lambda w: (w[0], w[0] + timedelta(seconds=w[1]))
)
coarse = st.sampled_from([None, DAY_SECONDS])


def ranges(pieces: Pieces) -> list[tuple[datetime, datetime]]:
    return [*([pieces.coarse] if pieces.coarse else []), *pieces.slots, *pieces.edges]


@settings(max_examples=300, deadline=None)
@given(window=windows, coarse_seconds=coarse)
def test_pieces_tile_the_window_exactly(window, coarse_seconds):
    start, end = window
    # Given any window cut to the second
    parts = sorted(ranges(decompose(start, end, coarse_seconds)))
    # Then the pieces are non-empty, do not overlap, leave no gap and cover exactly [start, end)
    assert all(lo < hi for lo, hi in parts)
    assert parts[0][0] == start and parts[-1][1] == end
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:], strict=False))


@settings(max_examples=300, deadline=None)
@given(window=windows, coarse_seconds=coarse, offset=st.floats(min_value=0, max_value=1))
def test_every_instant_lands_in_exactly_one_piece(window, coarse_seconds, offset):
    start, end = window
    instant = start + (end - start) * offset
    if instant >= end:
        instant = end - timedelta(microseconds=1)
    pieces = decompose(start, end, coarse_seconds)
    assert sum(lo <= instant < hi for lo, hi in ranges(pieces)) == 1


@settings(max_examples=300, deadline=None)
@given(window=windows, coarse_seconds=coarse)
def test_rollup_pieces_are_whole_periods_and_edges_stay_within_one_slot(window, coarse_seconds):
    start, end = window
    pieces = decompose(start, end, coarse_seconds)
    if pieces.coarse:
        lo, hi = pieces.coarse
        assert is_day_aligned(lo) and is_day_aligned(hi)
    for lo, hi in pieces.slots:
        assert lo.timestamp() % SLOT_SECONDS == 0 and hi.timestamp() % SLOT_SECONDS == 0
    for lo, hi in pieces.edges:
        assert (hi - lo).total_seconds() < SLOT_SECONDS or not (pieces.coarse or pieces.slots)


def test_window_inside_one_slot_is_one_edge():
    start = EPOCH + timedelta(minutes=3)
    assert decompose(start, start + timedelta(minutes=5), DAY_SECONDS) == Pieces(
        None, (), ((start, start + timedelta(minutes=5)),)
    )


def test_whole_days_come_as_one_coarse_piece():
    start, end = EPOCH + timedelta(hours=23, minutes=50), EPOCH + timedelta(days=3, minutes=20)
    pieces = decompose(start, end, DAY_SECONDS)
    assert pieces.coarse == (EPOCH + timedelta(days=1), EPOCH + timedelta(days=3))
    assert pieces.slots == ((EPOCH + timedelta(days=3), EPOCH + timedelta(days=3, minutes=15)),)
    assert pieces.edges == (
        (start, EPOCH + timedelta(hours=24)),
        (EPOCH + timedelta(days=3, minutes=15), end),
    )


@settings(max_examples=300, deadline=None)
@given(window=windows, offset=st.floats(min_value=0, max_value=1))
def test_weeks_then_days_then_edges_tile_the_window(window, offset):
    # caller-ID health: whole 7-day periods, whole days around them, partial days at the ends
    start, end = window
    pieces = decompose(start, end, WEEK_SECONDS, slot_seconds=DAY_SECONDS)
    parts = sorted(ranges(pieces))
    assert parts[0][0] == start and parts[-1][1] == end
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:], strict=False))
    instant = min(start + (end - start) * offset, end - timedelta(microseconds=1))
    assert sum(lo <= instant < hi for lo, hi in parts) == 1
    if pieces.coarse:
        for moment in pieces.coarse:
            # the marts' 7-day periods: date_bin('7 days', ..., '2000-01-01'), so they start on a Saturday
            assert moment.weekday() == 5 and moment == moment.replace(hour=0, minute=0, second=0, microsecond=0)
    for lo, hi in pieces.slots:
        # whole days: fewer than 7 beside the weeks, fewer than 14 when no whole week fits
        assert is_day_aligned(lo) and is_day_aligned(hi)
        assert hi - lo < timedelta(days=7 if pieces.coarse else 14)


def test_a_90_day_window_reads_whole_weeks_and_the_days_around_them():
    start, end = datetime(2026, 9, 3, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC)
    pieces = decompose(start, end, WEEK_SECONDS, slot_seconds=DAY_SECONDS)
    # Saturday 2026-09-05 to Saturday 2026-11-28: 12 weeks; Thu-Fri before, Sat-Tue after
    assert pieces.coarse == (datetime(2026, 9, 5, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC))
    assert pieces.slots == ((start, datetime(2026, 9, 5, tzinfo=UTC)), (datetime(2026, 11, 28, tzinfo=UTC), end))
    assert pieces.edges == ()


# Windows anywhere on the calendar, to the microsecond: a request may name any ISO date, year 1 and 9999
# included, and the periods around such a window start before year 1 or end after 9999.
FIRST, LAST = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
SPAN = (LAST - FIRST) // timedelta(microseconds=1)


def _calendar_window(start: int, length: int, at_the_end: bool) -> tuple[datetime, datetime]:
    """A window of `length` microseconds `start` microseconds into the calendar, clamped to it; or, with
    `at_the_end`, as far from its end."""
    if at_the_end:
        start = SPAN - start
    lo, hi = max(0, min(start, SPAN - 1)), max(1, min(start + length, SPAN))
    return FIRST + timedelta(microseconds=lo), FIRST + timedelta(microseconds=hi)


calendar_windows = st.builds(
    _calendar_window,
    st.one_of(st.integers(0, 30 * DAY_SECONDS * 1_000_000), st.integers(0, SPAN)),
    st.integers(min_value=1, max_value=91 * DAY_SECONDS * 1_000_000),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(
    window=calendar_windows,
    grains=st.sampled_from([(None, SLOT_SECONDS), (DAY_SECONDS, SLOT_SECONDS), (WEEK_SECONDS, DAY_SECONDS)]),
)
def test_windows_at_the_edges_of_the_calendar_tile_exactly(window, grains):
    start, end = window
    pieces = decompose(start, end, grains[0], slot_seconds=grains[1])
    parts = sorted(ranges(pieces))
    assert all(lo < hi for lo, hi in parts)
    assert parts[0][0] == start and parts[-1][1] == end
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:], strict=False))


def test_a_window_in_the_first_week_of_year_1_is_cut_like_any_other():
    # the 7-day period holding 0001-01-01 starts in year 0, which no datetime holds (it answered 500)
    start, end = datetime(1, 1, 1, tzinfo=UTC), datetime(1, 3, 1, tzinfo=UTC)
    pieces = decompose(start, end, WEEK_SECONDS, slot_seconds=DAY_SECONDS)
    assert pieces.coarse is not None and pieces.coarse[0].weekday() == 5
    assert sorted(ranges(pieces))[0][0] == start
    last_day = datetime(9999, 12, 31, 12, tzinfo=UTC)
    assert decompose(last_day, LAST, DAY_SECONDS) == Pieces(
        None,
        ((datetime(9999, 12, 31, 12, tzinfo=UTC), datetime(9999, 12, 31, 23, 45, tzinfo=UTC)),),
        ((datetime(9999, 12, 31, 23, 45, tzinfo=UTC), LAST),),
    )
