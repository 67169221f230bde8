"""The examples in the package's docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import crmsim

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(crmsim.__path__, "crmsim.")
    # the dashboard's examples are run by tests/test_app.py; __main__ runs the command line
    if not info.name.startswith("crmsim.app") and info.name != "crmsim.__main__"
)


def test_the_package_has_examples_to_run():
    assert {"crmsim.model", "crmsim.events", "crmsim.checks", "crmsim.analysis"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_of_a_module_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
