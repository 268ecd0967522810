"""Data access of the Lambda: the reused connection and its transactions (`connection`), and the
tenant-scoped id and timezone lookups of request validation (`lookups`)."""
