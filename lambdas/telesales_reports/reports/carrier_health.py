"""carrier-health: caller-ID health rolled up by carrier (docs/api-reference.md §6.4).

Built on exactly the rows of caller-id-health (compute.caller_id_measures: same window, filters,
rollups and short-call threshold) and its health rule (compute.health_status), so the sums and the
status counts of the two reports agree for every request.
"""

from __future__ import annotations

import psycopg

from ..rounding import pct_number, ratio_int
from . import compute

STATUSES = ("healthy", "warning", "suspected_block", "no_data")
MEASURES = ("total_calls", "answered_calls", "talk_sec", "short_calls", "rejected_calls")


def carrier_health(conn: psycopg.Connection, req) -> list[dict]:
    carriers: dict[str, dict] = {}
    for r in compute.caller_id_measures(conn, req, with_today=False):
        sums = carriers.setdefault(r["carrier"], dict.fromkeys(("caller_ids", *MEASURES, *STATUSES), 0))
        sums["caller_ids"] += 1
        for measure in MEASURES:
            sums[measure] += r[measure]
        sums[compute.health_status(r["total_calls"], r["answered_calls"], r["short_calls"], r["rejected_calls"])] += 1
    data = []
    for carrier, s in carriers.items():
        total, answered = s["total_calls"], s["answered_calls"]
        data.append(
            {
                "carrier": carrier,
                "caller_ids": s["caller_ids"],
                "total_calls": total,
                "answered_calls": answered,
                "asr_pct": pct_number(answered, total, 1),
                "acd_sec": ratio_int(s["talk_sec"], answered),
                "short_call_ratio_pct": pct_number(s["short_calls"], total, 1),
                "rejected_ratio_pct": pct_number(s["rejected_calls"], total, 1),
                **{status: s[status] for status in STATUSES},
            }
        )
    # total_calls desc, carrier asc in code point order (Python compares str by code point)
    return sorted(data, key=lambda item: (-item["total_calls"], item["carrier"]))
