"""Where the project lives on disk: the dbt project root and the local data folder."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The folder holding dbt_project.yml (the repository root).

    `TELESALES_PROJECT_DIR` wins; else the repository this package was installed from
    (editable install), else the current directory.
    """
    env = os.environ.get("TELESALES_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    for candidate in (PACKAGE_DIR.parent.parent, Path.cwd()):
        if (candidate / "dbt_project.yml").exists():
            return candidate
    return Path.cwd()


def data_dir() -> Path:
    """Project-local folder (git-ignored) for the embedded database and the local JWT secret."""
    path = Path(os.environ.get("TELESALES_DATA_DIR") or project_root() / ".data")
    path.mkdir(parents=True, exist_ok=True)
    return path
