"""Fixtures shared by the end-to-end tests and the add-on's tests (tests/blender imports them):
the `pracownia` binary, a per-test time limit, `pracownia serve` with a checked clean exit, the CLI."""

import pytest

from .e2e_support import DEFAULT_TIMEOUT_S, Cli, require_binary, serve_factory, time_limit

__all__ = ["pracownia_bin", "_per_test_timeout", "start_serve", "cli"]


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
    """start_serve(store=tmp_path/'store', port=0, class_code=None) -> Serve; its clean exit is
    checked at the end."""
    with serve_factory(pracownia_bin, tmp_path / "store") as start:
        yield start


@pytest.fixture(scope="session")
def cli(pracownia_bin):
    return Cli(pracownia_bin)
