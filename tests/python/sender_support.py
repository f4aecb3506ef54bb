"""Helpers shared by the sender tests: a Sender factory, test files, chunk collection."""

import os
import time

import pytest

from pracownia_student.transport import Sender

STUDENT = "3f2b8c1e-9a4d-4c6b-8e1f-2a7d5c9b0e14"
MIB = 1 << 20


@pytest.fixture
def make_sender():
    made = []

    def make(endpoint, **kw):
        kw.setdefault("heartbeat_every", 0.5)
        s = Sender(endpoint, STUDENT, kw.pop("login", "anna.kowalska"), **kw)
        s.start()
        made.append(s)
        return s

    yield make
    for s in made:
        s.stop(timeout=1.0)


def write_file(tmp_path, size, name="scena.blend"):
    path = tmp_path / name
    blob = b"BLENDER" + os.urandom(size - 7)
    path.write_bytes(blob)
    return str(path), blob


def collect_chunks(lec, transfer_id, count, timeout=30.0, class_code=None, delay=0.0, got=None):
    """{index: (header, body)} until every index arrived; fails on a timeout."""
    got = {} if got is None else got
    deadline = time.monotonic() + timeout
    while len(got) < count:
        msg = lec.next(kinds=("chunk",), timeout=max(0.1, deadline - time.monotonic()),
                       class_code=class_code)
        assert msg is not None, "only %d of %d chunks arrived" % (len(got), count)
        _, h, body = msg
        assert h["transfer"] == transfer_id
        got[h["index"]] = (h, body)
        if delay:
            time.sleep(delay)
    return got


def reassemble(got, size):
    out = bytearray(size)
    for h, body in got.values():
        out[h["offset"]:h["offset"] + len(body)] = body
    return bytes(out)
