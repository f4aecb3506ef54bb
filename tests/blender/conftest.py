"""Fixtures of the add-on's tests: the same per-test time limit, `pracownia serve` and CLI as the
end-to-end tests (tests/e2e/e2e_fixtures.py)."""

import support  # noqa: F401  (puts tests/e2e and blender_addon on sys.path)
from e2e_fixtures import _per_test_timeout, cli, pracownia_bin, start_serve  # noqa: F401 (fixtures)


import pytest  # noqa: E402

from pracownia_student.controller import Controller  # noqa: E402
from pracownia_student.schedule import Schedule  # noqa: E402


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
