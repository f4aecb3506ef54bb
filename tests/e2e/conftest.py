"""Fixtures of the end-to-end tests; the helpers are in e2e_support.py and e2e_content.py."""

import pytest

from .e2e_content import RawStudent, sender_factory
from .e2e_support import DEFAULT_TIMEOUT_S, Cli, require_binary, serve_factory, time_limit


@pytest.fixture(scope="session")
def pracownia_bin():
    return require_binary()


@pytest.fixture(autouse=True)
def _per_test_timeout(request):
    marker = request.node.get_closest_marker("timeout_s")
    with time_limit(marker.args[0] if marker else DEFAULT_TIMEOUT_S, request.node.name):
        yield


@pytest.fixture
def start_serve(pracownia_bin, tmp_path):
    """start_serve(store=tmp_path/'store', port=0, class_code=None) -> Serve, checked at the end."""
    with serve_factory(pracownia_bin, tmp_path / "store") as start:
        yield start


@pytest.fixture(scope="session")
def cli(pracownia_bin):
    return Cli(pracownia_bin)


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
