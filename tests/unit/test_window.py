"""docs/api-reference.md §1 and DECISIONLOG 18-19: `decompose` cuts a window into whole UTC days, whole
15-minute slots and the partial slots at its edges, and every instant lands in exactly one piece."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from telesales_reports.reports.window import DAY_SECONDS, SLOT_SECONDS, Pieces, decompose, is_day_aligned

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
