"""The transport reproduces the shared vectors byte for byte; the vectors are self-consistent."""

import collections
import hashlib
import json
import os
import subprocess
import sys

import pytest

from tests.python.py_support import VECTORS
from tests.python import reference_receiver
from pracownia_student import bl_info
from pracownia_student.transport import chunking, protocol as P

CODES = ["frame_count", "bad_topic", "unknown_kind", "header_too_large", "bad_mac", "bad_json",
         "missing_field", "bad_uuid", "bad_login", "deceptive_login", "bad_name", "bad_field", "bad_body",
         "bad_chunk"]


def data(size):
    return bytes((i * 31 + 7) % 251 for i in range(size))


def test_encode_reproduces_frames_json(frames_vectors):
    cases = frames_vectors["cases"]
    assert len(cases) >= 30
    for case in cases:
        kind = case["topic"][len("pracownia/1/"):]
        body = bytes.fromhex(case["body_hex"])
        code = case.get("sender_class_code", case["class_code"])
        frames = P.encode(kind, case["header"], body, code)
        assert [f.hex() for f in frames] == case["frames_hex"], case["name"]
        if code is not None:
            assert P.mac(code, *frames[:3]) == frames[3]


def test_frames_json_covers_every_kind_with_and_without_code(frames_vectors):
    seen = {(c["topic"], c["class_code"]) for c in frames_vectors["cases"]}
    for kind in P.KINDS:
        for code in (None, "Kod-ąę"):
            assert ("pracownia/1/" + kind, code) in seen


def test_valid_frames_pass_reference_checks(frames_vectors):
    for case in frames_vectors["cases"]:
        frames = [bytes.fromhex(f) for f in case["frames_hex"]]
        assert reference_receiver.check(frames, case["class_code"]) is None, case["name"]


def test_invalid_cases_use_the_fourteen_message_level_codes(invalid_vectors):
    count = collections.Counter(c["reason"] for c in invalid_vectors["cases"])
    assert set(count) == set(CODES)
    assert all(n >= 3 for n in count.values()), count
    assert invalid_vectors["codes"] == CODES


def test_invalid_cases_fail_exactly_at_their_check(invalid_vectors):
    for case in invalid_vectors["cases"]:
        frames = [bytes.fromhex(f) for f in case["frames_hex"]]
        assert reference_receiver.check(frames, case["class_code"]) == case["reason"], case["name"]


def test_plan_reproduces_chunks_json(chunk_vectors):
    assert "(i * 31 + 7) % 251" in chunk_vectors["data"]
    for case in chunk_vectors["cases"]:
        want = [(c["index"], c["offset"], c["len"]) for c in case["chunks"]]
        assert chunking.plan(case["size"], case["chunk_size"]) == want, case["name"]
        assert chunking.chunk_count(case["size"], case["chunk_size"]) == case["count"]


@pytest.mark.parametrize("name", ["size_1", "odd_12345_by_1000", "odd_50_by_7", "chunk_size_1"])
def test_chunk_digest_and_iteration(chunk_vectors, tmp_path, name):
    case = next(c for c in chunk_vectors["cases"] if c["name"] == name)
    path = tmp_path / "f.bin"
    blob = data(case["size"])
    path.write_bytes(blob)
    assert chunking.file_digest(str(path), block=7) == case["sha256"]
    assert hashlib.sha256(blob).hexdigest() == case["sha256"]
    got = list(chunking.iter_chunks(str(path), case["chunk_size"]))
    assert [(i, o, len(b)) for i, o, b in got] == [(c["index"], c["offset"], c["len"])
                                                  for c in case["chunks"]]
    assert b"".join(b for _, _, b in got) == blob


def test_generate_is_deterministic(tmp_path):
    subprocess.run([sys.executable, os.path.join(VECTORS, "generate.py"), "--out", str(tmp_path)],
                   check=True, timeout=60)
    for name in ("frames.json", "invalid.json", "chunks.json", "return.json", "freshness.json"):
        with open(os.path.join(VECTORS, name), "rb") as committed:
            assert (tmp_path / name).read_bytes() == committed.read(), name


def test_generate_uses_only_the_standard_library():
    with open(os.path.join(VECTORS, "generate.py"), encoding="utf-8") as f:
        src = f.read()
    assert "pracownia_student" not in src and "zmq" not in src


def test_addon_version_matches_bl_info():
    assert bl_info["version"] == tuple(int(x) for x in P.ADDON_VERSION.split("."))
    assert bl_info["blender"] == (3, 4, 0) and bl_info["category"] == "System"


def test_reserved_windows_names_follow_the_shared_vectors():
    """The add-on refuses the logins and file names the receiver refuses (one rule, vectors)."""
    with open(os.path.join(VECTORS, "reserved.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    assert len(cases) >= 20
    for case in cases:
        assert P._is_reserved(case["name"]) == case["reserved"], case["name"]
        if case["reserved"]:
            assert P.validate_login(case["name"]) is not None, case["name"]
