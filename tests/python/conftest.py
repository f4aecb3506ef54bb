"""Fixtures of the transport tests: the vectors and a fake lecturer (the per-test time limit is
tests/conftest.py's). The helpers themselves are in py_support.py."""

import pytest

from tests.python.py_support import Lecturer, load_vectors


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
