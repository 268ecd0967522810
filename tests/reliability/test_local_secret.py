"""The local API's JWT secret (hostile environment): created 0600 from the start, never too short."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from telesales_dev import local_api
from telesales_reports.settings import SettingsError, get_settings


@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("TELESALES_JWT_SECRET", raising=False)
    monkeypatch.setenv("TELESALES_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_generated_secret_is_never_readable_by_others(data_folder: Path, monkeypatch) -> None:
    # With a permissive umask and no later chmod, the file must still be 0600: it is created so.
    monkeypatch.setattr(Path, "chmod", lambda self, mode: None)
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    old_umask = os.umask(0)
    try:
        secret = local_api.jwt_secret()
    finally:
        os.umask(old_umask)
    mode = stat.S_IMODE((data_folder / "jwt-secret").stat().st_mode)
    assert mode == 0o600, oct(mode)
    assert len(secret.encode()) >= 32
    assert local_api.jwt_secret() == secret  # generated once


def test_a_short_secret_file_is_refused(data_folder: Path) -> None:
    (data_folder / "jwt-secret").write_text("tooshort\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="at least 32 bytes"):
        local_api.jwt_secret()


def test_a_short_environment_secret_is_refused(data_folder: Path, monkeypatch) -> None:
    monkeypatch.setenv("TELESALES_JWT_SECRET", "0123456789")
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="TELESALES_JWT_SECRET: must be at least 32 bytes"):
        local_api.jwt_secret()
