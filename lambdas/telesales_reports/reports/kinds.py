"""What a JSON field carries, for the file writers (reports/schemas.py marks each response field).

Apart from the pydantic response models so that the export package and the registry name them without
building those models on the JSON path (DECISIONLOG 102).
"""

from __future__ import annotations

INT = "int"  # JSON integer -> integer cell
NUMBER = "number"  # JSON number (float) -> numeric cell
DECIMAL = "decimal"  # decimal string -> numeric cell in XLSX, text as-is in CSV
TEXT = "text"
DATETIME = "datetime"  # ISO 8601 UTC string -> date-time cell in XLSX

# (field, kind) of a report's items, in JSON order: the generic export layout.
FieldLayout = tuple[tuple[str, str], ...]
