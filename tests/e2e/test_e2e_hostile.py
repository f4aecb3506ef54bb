"""Hostile input: every malformed message of tests/vectors/invalid.json, and files that lie."""

import collections
import json
import os
import re
import time
import uuid

import pytest

from .e2e_content import make_blend, store_files, write
from .e2e_support import VECTORS, wait_for
from pracownia_student.transport import TOPIC_PREFIX

# Names a path traversal through the vectors' logins and file names would create.
TRAVERSAL_NAMES = {"etc", "passwd", "x", "x.blend", "C:\\x"}


def hostile_cases():
    with open(os.path.join(VECTORS, "invalid.json"), encoding="utf-8") as f:
        cases = [c for c in json.load(f)["cases"] if c["class_code"] is None]
    assert len(cases) >= 100
    return cases


def chats_of(cli, store, student):
    return [e["text"] for e in cli.timeline(store)
            if e["student"] == student and e["kind"] == "chat"]


@pytest.mark.timeout_s(40)
def test_invalid_vectors_are_refused_and_leave_no_trace(start_serve, raw_student, make_sender, cli,
                                                        tmp_path):
    serve = start_serve()
    store = serve.store
    cases = hostile_cases()
    raw = raw_student(serve.endpoint, login="po.ataku")
    for case in cases:
        raw.send_frames([bytes.fromhex(f) for f in case["frames_hex"]])
    # Valid messages on the same connection arrive after every hostile one was handled.
    raw.send("hello")
    raw.send("chat", "nadal tu jestem".encode(), id=str(uuid.uuid4()))
    wait_for(lambda: chats_of(cli, store, raw.student), 15, "the chat sent after the corpus")
    assert serve.alive()

    s = make_sender(serve.endpoint, "Łucja")
    s.send_chat("czy serwer działa?")
    wait_for(lambda: chats_of(cli, store, s.student_id), 15, "a normal student's chat")
    assert serve.alive()
    # Message-level refusals are logged (at most 5 a reason per 10 s), never journalled.
    logged = collections.Counter(re.findall(r"refused a message from a student: (\w+):",
                                            serve.stderr))
    # (ZeroMQ's own topic filter drops what does not start with the subscribed prefix.)
    expected = collections.Counter(c["reason"] for c in cases
                                   if bytes.fromhex(c["frames_hex"][0]).startswith(TOPIC_PREFIX))
    assert logged == {reason: min(n, 5) for reason, n in expected.items()}

    timeline = cli.timeline(store)
    assert {e["student"] for e in timeline} == {raw.student, s.student_id}
    assert [e["kind"] for e in timeline] == ["join", "chat", "join", "chat"]
    assert chats_of(cli, store, raw.student) == ["nadal tu jestem"]
    folders = sorted(r["folder"] for r in cli.students(store))
    assert len(folders) == 2
    assert sorted(os.listdir(store)) == sorted([".pracownia"] + folders)
    assert store_files(store) == sorted(os.path.join(folder, name) for folder in folders
                                        for name in ("journal.jsonl", "student.json"))
    # Nothing was written next to the store or anywhere else under pytest's temp root.
    assert os.listdir(tmp_path) == ["store"]
    for dirpath, dirnames, filenames in os.walk(tmp_path.parent):
        for name in dirnames + filenames:
            assert name not in TRAVERSAL_NAMES and ".." not in name, os.path.join(dirpath, name)
    serve.finish()


@pytest.mark.timeout_s(40)
def test_files_that_are_not_what_they_claim_are_rejected(start_serve, make_sender, cli, tmp_path):
    serve = start_serve()
    store = serve.store
    out = tmp_path / "out"
    lies = {
        "screenshot": [write(out / "zrzut.png", "To nie jest obrazek.\n".encode() * 500),
                       write(out / "ucięty.png", b"\x89PNG\r\n\x1a\n" + os.urandom(5000)),
                       write(out / "jpeg.jpg", b"\xff\xd8\xff\xe0" + os.urandom(3000))],
        "blend": [write(out / "scena.blend", b"NOT-A-BLEND" + os.urandom(200_000)),
                  write(out / "pusty.blend", b"BLENDE")],  # the magic cut short
    }
    good = write(out / "dobra.blend", make_blend(50_000))
    s = make_sender(serve.endpoint, "Łucja", chunk_size=32 << 10)
    ids = {s.send_file(path, kind): kind for kind, paths in lies.items() for path in paths}
    good_id = s.send_file(good, "blend")

    timeline = cli.wait_timeline(
        store, lambda tl: sum(e["kind"] in ("rejected", "blend") for e in tl) == len(ids) + 1, 20,
        "five rejections and one blend")
    rejected = [e for e in timeline if e["kind"] == "rejected"]
    assert sorted(e["transfer"] for e in rejected) == sorted(ids)
    assert all(e["reason"] == "bad_file" and e["student"] == s.student_id for e in rejected)
    blends = [e for e in timeline if e["kind"] == "blend"]
    assert [e["name"] for e in blends] == ["dobra.blend"] and blends[0]["transfer"] == good_id
    folder = cli.students(store)[0]["folder"]
    assert store_files(store) == sorted([os.path.join(folder, "student.json"),
                                         os.path.join(folder, "journal.jsonl"),
                                         os.path.normpath(blends[0]["path"])])
    wait_for(lambda: not os.listdir(os.path.join(store, ".pracownia", "staging")), 5,
             "the staging folder to be empty")
    assert serve.alive()


@pytest.mark.timeout_s(40)
def test_a_chat_flood_is_rate_limited_and_another_student_is_still_served(
        start_serve, raw_student, make_sender, cli):
    """300 chats from one id: at most the burst plus the rate are stored, at most the journal's
    burst plus its rate of refusals are journaled, the rest counted; another student's chat is
    stored within seconds (issue 12)."""
    serve = start_serve()
    store = serve.store
    raw = raw_student(serve.endpoint, login="zalewacz")
    start = time.monotonic()
    raw.send("hello")
    for _ in range(300):
        raw.send("chat", b"spam", id=str(uuid.uuid4()))
    s = make_sender(serve.endpoint, "Łucja")
    s.send_chat("czy serwer działa?")
    wait_for(lambda: chats_of(cli, store, s.student_id), 15, "another student's chat")
    elapsed = time.monotonic() - start
    stored = len(chats_of(cli, store, raw.student))
    assert 20 <= stored <= 20 + 5 * elapsed + 1, (stored, elapsed)
    journaled = [e for e in cli.timeline(store)
                 if e["student"] == raw.student and e["kind"] == "rejected"]
    assert len(journaled) <= 10 + 2 * elapsed + 1, (len(journaled), elapsed)
    assert journaled and {e.get("reason") for e in journaled} == {"rate_limited"}
    assert "rate_limited" in serve.stderr
    assert serve.alive()
