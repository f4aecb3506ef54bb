"""Fixtures of the end-to-end tests; the helpers are in e2e_support.py and e2e_content.py."""

import pytest

from .e2e_content import RawStudent, sender_factory
from .e2e_fixtures import cli, pracownia_bin, start_serve  # noqa: F401 (fixtures)


@pytest.fixture
def make_sender():
    """make_sender(endpoint, login, student_id=None, **Sender kwargs) -> a started Sender."""
    with sender_factory() as make:
        yield make


@pytest.fixture
def raw_student():
    """raw_student(endpoint, student_id=None, login=...) -> a subscribed RawStudent."""
    made = []

    def make(endpoint, **kw):
        r = RawStudent(endpoint, **kw).wait_subscribed()
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()
