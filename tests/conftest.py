"""Fixtures shared by the test modules (helpers they import are in support.py and catalogs.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from crmsim import i18n


@pytest.fixture
def english_afterwards(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """English before and after a test, whatever it sets: one module's Persian must not reach
    the next. A module of language tests uses it for every test (``pytestmark``)."""
    monkeypatch.delenv(i18n.LANGUAGE_VARIABLE, raising=False)
    i18n.set_language(None)
    yield
    i18n.set_language(None)


@pytest.fixture(scope="module")
def persian_server() -> Iterator[str]:
    """``crmsim app`` started with ``CRMSIM_LANG=fa`` (the address); stopped afterwards."""
    from test_app_browser import browser_available, serving

    browser_available()
    with ExitStack() as stack:
        # The server learns Persian from its environment; this process stays in English.
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(i18n.LANGUAGE_VARIABLE, "fa")
            url = stack.enter_context(serving())
        yield url
