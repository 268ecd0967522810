"""The Lambda package (`infra/Makefile`, what `sam build` runs): the dependencies from the Lambda lock and
the package, and bytecode for the runtime's Python (DECISIONLOG 102). Lambda's /var/task is read-only:
without .pyc files every cold start compiles every module from source.

The Makefile targets CPython 3.12 on arm64; here it builds for this interpreter's version (the same
rules, the wheels of another version) so that the .pyc files can be loaded and checked.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"


def build(target: Path, compiler: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-s", "-f", str(REPO / "infra" / "Makefile"), "lambda-package", f"ARTIFACTS_DIR={target}",
         f"LAMBDA_PYTHON_VERSION={VERSION}", f"LAMBDA_COMPILER={compiler}", f"PYTHON={sys.executable}"],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("lambda") / "artifact"
    done = build(target, sys.executable)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "has no bytecode" not in done.stderr
    return target


def test_the_package_holds_the_report_code_and_not_the_build_or_developer_tools(package):
    assert (package / "telesales_reports" / "api" / "handler.py").is_file()
    assert (package / "psycopg").is_dir() and (package / "pydantic").is_dir()
    for absent in ("telesales_build", "telesales_dev", "dbt", "pydantic_settings", "boto3", "bin"):
        assert not (package / absent).exists(), absent


def test_every_module_has_bytecode_that_does_not_depend_on_file_times(package):
    tag = sys.implementation.cache_tag
    sources = sorted(package.rglob("*.py"))
    assert len(sources) > 500
    missing = []
    for source in sources:
        compiled = Path(importlib.util.cache_from_source(str(source)))
        if not compiled.is_file():
            missing.append(str(source.relative_to(package)))
            continue
        header = compiled.read_bytes()[:16]
        assert header[:4] == importlib.util.MAGIC_NUMBER, source
        # PEP 552 flags: bit 0 hash-based, bit 1 check the source: 0b01 is "unchecked hash".
        assert int.from_bytes(header[4:8], "little") == 0b01, source
        assert compiled.name.split(".")[1] == tag
    assert missing == []


def test_python_loads_the_shipped_bytecode_even_when_the_sources_look_newer(package):
    # The zip does not keep file times exactly: touch the sources, forbid writing (as /var/task), and
    # the interpreter still takes the shipped .pyc files instead of compiling.
    for source in (package / "telesales_reports").rglob("*.py"):
        os.utime(source)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(package), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-v", "-c", "import telesales_reports.limits, telesales_reports.rounding"],
        capture_output=True, text=True, env=env, check=True, cwd=package,
    )  # fmt: skip
    loaded = [line for line in done.stderr.splitlines() if "telesales_reports" in line and "code object from" in line]
    assert len(loaded) == 3, loaded  # the package, limits and rounding
    assert all(".pyc" in line for line in loaded), loaded


def test_without_the_runtimes_python_the_build_says_the_package_has_no_bytecode(tmp_path):
    done = build(tmp_path / "artifact", "/nonexistent/python")
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"no Python {VERSION}" in done.stderr and "has no bytecode" in done.stderr
    assert not list((tmp_path / "artifact").rglob("*.pyc"))
