"""The conda route (environment.yml) installs the same dependencies as pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _normalise(requirement: str) -> str:
    # "Mesa[rec] >= 3.5, <4" and "mesa[rec]>=3.5,<4" are the same requirement
    requirement = requirement.replace(" ", "")
    match = re.match(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?(.*)", requirement)
    assert match, requirement
    name, extras, spec = match.groups()
    name = re.sub(r"[-_.]+", "-", name).lower()
    extras = ",".join(sorted((extras or "[]")[1:-1].split(","))) if extras else ""
    spec = ",".join(sorted(filter(None, spec.split(","))))
    return f"{name}[{extras}]{spec}" if extras else f"{name}{spec}"


def pyproject_requirements() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {})
    return {_normalise(r) for r in project["dependencies"] + sum(extras.values(), [])}


def environment_requirements() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert pip_lists, "environment.yml has no pip section"
    return {_normalise(r) for r in pip_lists[0] if not r.startswith("-e")}


def test_environment_yml_lists_exactly_the_pyproject_dependencies():
    in_pyproject, in_environment = pyproject_requirements(), environment_requirements()
    only_env, only_pyproject = in_environment - in_pyproject, in_pyproject - in_environment
    assert not only_env, f"only in environment.yml: {sorted(only_env)}"
    assert not only_pyproject, f"only in pyproject.toml: {sorted(only_pyproject)}"


def test_environment_yml_installs_the_package_itself_and_a_new_enough_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_list = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert any(r.startswith("-e .") for r in pip_list)
    assert any(str(d).replace(" ", "") == "python>=3.12" for d in env["dependencies"])


def test_normalising_keeps_different_requirements_apart():
    assert _normalise("Mesa[rec] >= 3.5, <4") == _normalise("mesa[rec]>=3.5,<4")
    assert _normalise("numpy>=1.26") != _normalise("numpy>=2")
    assert _normalise("mesa[rec]>=3.5") != _normalise("mesa>=3.5")
