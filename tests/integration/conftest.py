"""Integration tests share the session fixtures of tests/conftest.py (contract_db, api)."""
