"""Transfers the hard way: hand-made chunks (corrupt, conflicting, shuffled); a lecturer restart."""

import os
import random
import uuid

import pytest

from .e2e_content import make_blend, make_png, sha256, store_files, write
from .e2e_support import MIB, wait_for


def chunks_of(data, chunk_size):
    return [(i, off, data[off:off + chunk_size])
            for i, off in enumerate(range(0, len(data), chunk_size))]


def send_chunk(raw, transfer, size, digest, offset, body, index, count, kind="blend",
               name="scena.blend"):
    raw.send("chunk", body, transfer=transfer, kind=kind, name=name, size=size, sha256=digest,
             offset=offset, index=index, count=count)


def send_file(raw, data, chunk_size, order=None, digest=None, name="scena.blend", transfer=None):
    """Send `data` as chunks in `order` (indexes, may repeat); returns the transfer id."""
    transfer = transfer or str(uuid.uuid4())
    parts = chunks_of(data, chunk_size)
    for i in (range(len(parts)) if order is None else order):
        index, offset, body = parts[i]
        send_chunk(raw, transfer, len(data), digest or sha256(data), offset, body, index,
                   len(parts), name=name)
    return transfer


def files_and_refusals(timeline):
    return [e for e in timeline if e["kind"] in ("screenshot", "blend", "rejected", "incomplete")]


def has_blend(timeline):
    return any(e["kind"] == "blend" for e in timeline)


@pytest.mark.timeout_s(30)
def test_corrupt_and_conflicting_transfers_are_discarded(start_serve, raw_student, cli):
    serve = start_serve()
    store = serve.store
    raw = raw_student(serve.endpoint, login="Łucja")
    raw.send("hello")
    size, step = 300_000, 64 << 10
    data = make_blend(size)
    n = -(-size // step)
    shuffled = random.Random(5).sample(range(n), n)
    # 1. Every byte arrives (shuffled, one chunk twice) but the digest names other content.
    corrupt = send_file(raw, data, step, shuffled + [0], digest=sha256(data + b"!"))
    # 2. A chunk overlaps an earlier one with different bytes.
    conflict = send_file(raw, data, step, [0])
    overlap = bytearray(data[step // 2:step // 2 + step])
    overlap[10] ^= 0xFF
    send_chunk(raw, conflict, size, sha256(data), step // 2, bytes(overlap), 1, n)
    # 3. A sound transfer sent backwards with repeats arrives whole (and after the others).
    good = send_file(raw, data, step, list(reversed(range(n))) + [2, n - 1], name="dobra.blend")

    timeline = cli.wait_timeline(store, has_blend, 15, "the sound blend")
    got = [(e["kind"], e.get("reason"), e["transfer"]) for e in files_and_refusals(timeline)]
    assert got == [("rejected", "corrupt", corrupt), ("rejected", "conflict", conflict),
                   ("blend", None, good)]
    blend = next(e for e in timeline if e["kind"] == "blend")
    with open(os.path.join(store, blend["path"]), "rb") as f:
        assert f.read() == data
    assert blend["sha256"] == sha256(data) and blend["size"] == size
    folder = cli.students(store)[0]["folder"]
    assert store_files(store) == sorted([os.path.join(folder, "journal.jsonl"),
                                         os.path.join(folder, "student.json"),
                                         os.path.normpath(blend["path"])])
    # Late chunks of a discarded transfer do not revive it.
    send_file(raw, data, step, [0], digest=sha256(data + b"!"), transfer=corrupt)
    raw.send("chat", b"koniec", id=str(uuid.uuid4()))
    cli.wait_timeline(store, lambda tl: tl[-1]["kind"] == "chat", 10, "the closing chat")
    assert files_and_refusals(cli.timeline(store)) == files_and_refusals(timeline)
    assert not os.listdir(os.path.join(store, ".pracownia", "staging"))


@pytest.mark.timeout_s(60)
def test_lecturer_restart_mid_file(start_serve, make_sender, cli, tmp_path):
    first = start_serve()
    store = first.store
    data = make_blend(40 * MIB)
    path = write(tmp_path / "out" / "duża scena.blend", data)
    # 64 KiB chunks pace the sender by the receiver's writing: with 1 MiB chunks the receiver's
    # queues take the whole file at once, and "part-way" is not visible in status().
    s = make_sender(first.endpoint, "Łucja", chunk_size=64 << 10)
    s.send_chat("Czy to się zapisze?")  # resent after the restart (same id): kept once
    tid = s.send_file(path, "blend")

    def sent():
        t = s.status()["transfer"]
        return t["sent"] if t and t["id"] == tid else 0

    wait_for(lambda: sent() >= 4 * MIB, 30, "4 MiB to be sent", interval=0.005)
    assert sent() < 20 * MIB
    first.finish()  # SIGTERM: exit code 0, no panic

    def rewound():  # the sender noticed, and will start over from chunk 0
        st = s.status()
        return st["state"] == "waiting" and st["transfer"] and st["transfer"]["sent"] == 0

    wait_for(rewound, 10, "the sender to wait with the file rewound")
    assert s.status()["transfer"]["id"] == tid
    second = start_serve(port=first.port)
    assert second.port == first.port
    timeline = cli.wait_timeline(store, has_blend, 40, "the blend after the restart")
    assert [e["kind"] for e in timeline] == ["join", "chat", "incomplete", "join", "blend"]
    incomplete, blend = timeline[2], timeline[4]
    assert incomplete["transfer"] == blend["transfer"] == tid
    assert 0 < incomplete["received"] < incomplete["size"] == len(data)
    assert blend["size"] == len(data) and blend["sha256"] == sha256(data)
    assert blend["name"] == "duża scena.blend"
    with open(os.path.join(store, blend["path"]), "rb") as f:
        assert f.read() == data
    wait_for(lambda: s.status()["sent_files"] == 1, 10, "the sender to count the file once")
    assert s.stop(timeout=2.0)
    second.finish()
    assert [(r["chats"], r["blends"]) for r in cli.students(store)] == [(1, 1)]


@pytest.mark.timeout_s(40)
def test_file_finished_before_a_restart_is_stored_once(start_serve, make_sender, cli, tmp_path):
    first = start_serve()
    store = first.store
    data = make_blend(2 * MIB)
    s = make_sender(first.endpoint, "Łucja")
    tid = s.send_file(write(tmp_path / "out" / "scena.blend", data), "blend")
    cli.wait_timeline(store, has_blend, 20, "the blend")
    first.finish()  # within the sender's 10 s resend window
    wait_for(lambda: s.status()["state"] == "waiting", 10, "the sender to notice")
    second = start_serve(port=first.port)

    def idle():
        st = s.status()
        return st["state"] == "connected" and not st["queued"] and st["transfer"] is None

    wait_for(idle, 20, "the sender to be done with the new receiver")
    s.send_chat("już")  # after any resent chunks on the same connection
    cli.wait_timeline(store, lambda tl: tl[-1]["kind"] == "chat", 20, "the chat")
    second.finish()
    blends = [e for e in cli.timeline(store) if e["kind"] == "blend"]
    assert [e["transfer"] for e in blends] == [tid]
    assert [r["blends"] for r in cli.students(store)] == [1]


@pytest.mark.timeout_s(60)
def test_screenshot_overtakes_a_blend_in_progress(start_serve, make_sender, cli, tmp_path):
    """The real receiver takes a screenshot sent between a blend's chunks and stores it first."""
    serve = start_serve()
    blend = make_blend(40 * MIB)
    shot = make_png(640, 360, seed=3)
    # 64 KiB chunks pace the sender by the receiver, so the blend is still going when the
    # screenshot is queued.
    s = make_sender(serve.endpoint, "Łucja", chunk_size=64 << 10)
    bid = s.send_file(write(tmp_path / "out" / "scena.blend", blend), "blend")

    def blend_sent():
        st = s.status()
        t = st["transfer"] if st["transfer"] and st["transfer"]["id"] == bid else st.get("parked")
        return t["sent"] if t and t["id"] == bid else 0

    wait_for(lambda: blend_sent() >= 2 * MIB, 30, "2 MiB of the blend to be sent", interval=0.005)
    sid = s.send_file(write(tmp_path / "out" / "shot.png", shot), "screenshot")
    assert blend_sent() < 30 * MIB
    timeline = cli.wait_timeline(serve.store, has_blend, 40, "the blend")
    files = [e for e in timeline if e["kind"] in ("screenshot", "blend")]
    assert [(e["kind"], e["transfer"]) for e in files] == [("screenshot", sid), ("blend", bid)]
    for e, data in zip(files, (shot, blend)):
        assert e["sha256"] == sha256(data)
        with open(os.path.join(serve.store, e["path"]), "rb") as f:
            assert f.read() == data
