"""Fixtures of the add-on's tests: the same `pracownia serve` and CLI as the end-to-end tests
(tests/e2e/e2e_fixtures.py; the per-test time limit is tests/conftest.py's)."""

import pytest

from pracownia_student.controller import Controller
from pracownia_student.schedule import Schedule
from tests.e2e.e2e_fixtures import cli, pracownia_bin, start_serve  # noqa: F401 (fixtures)


@pytest.fixture
def controllers():
    """controllers(**Controller kwargs) -> a Controller whose first automatic .blend is ~30 s
    away; every one made is disconnected after the test."""
    made = []

    def make(**kw):
        ctl = Controller(**kw)
        ctl.schedule = Schedule(rand=lambda: 0.99)
        made.append(ctl)
        return ctl

    yield make
    for ctl in made:
        ctl.disconnect()
