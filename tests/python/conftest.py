"""Shared test setup: the add-on on sys.path, the vectors, a per-test timeout, a fake lecturer.
The helpers themselves are in py_support.py."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.append(os.path.join(os.path.dirname(HERE), "e2e"))  # last: its conftest must not shadow ours

from py_support import Lecturer, load_vectors  # noqa: E402
# The per-test time limit (marker `timeout_s`, default 60 s) shared with the e2e and add-on tests.
from e2e_fixtures import _per_test_timeout  # noqa: E402,F401 (fixture)


@pytest.fixture(scope="session")
def frames_vectors():
    return load_vectors("frames.json")


@pytest.fixture(scope="session")
def invalid_vectors():
    return load_vectors("invalid.json")


@pytest.fixture(scope="session")
def chunk_vectors():
    return load_vectors("chunks.json")


@pytest.fixture
def lecturer():
    lec = Lecturer()
    yield lec
    lec.close()
