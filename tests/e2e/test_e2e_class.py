"""A class at work: four students send at once to `pracownia serve`; everything lands intact.

One module-scoped session (`lab`) produces the traffic; the tests read the stopped store. The
reindex test works on a copy of that store.
"""

import json
import os
import shutil
import uuid

import pytest

from .e2e_content import (by_student, make_blend, make_png, sender_factory, sha256, store_files,
                          write)
from .e2e_support import MIB, RFC3339_MS, serve_factory, time_limit, wait_for

# login, chunk size (None: the transport's default, 1 MiB), blend size
STUDENTS = [
    ("Łucja", None, 3 * MIB + 4321),
    ("anna.kowalska", 64 << 10, 4 * MIB + 17),
    ("jan_nowak", None, 6 * MIB),
    ("Zoë Ölander", 64 << 10, 5 * MIB - 1),
]
# Screenshots are placed after their decode check, so a blend sent after one may be stored first.
KINDS = ["join", "chat", "hand", "hand", "chat", {"screenshot", "blend"}, "leave"]


@pytest.fixture(scope="module")
def lab(pracownia_bin, cli, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    store = tmp / "store"
    sent = {}
    with time_limit(90, "the lab session"), serve_factory(pracownia_bin, store) as start, \
            sender_factory() as make:
        serve = start()
        senders = []
        for i, (login, chunk, blend_size) in enumerate(STUDENTS):
            sid = str(uuid.uuid4())
            png, blend = make_png(200, 100, seed=i), make_blend(blend_size)
            png_path = write(tmp / "out" / str(i) / "widok.png", png)
            blend_path = write(tmp / "out" / str(i) / "scena łódź.blend", blend)
            kw = {"chunk_size": chunk} if chunk else {}
            s = make(serve.endpoint, login, sid, **kw)
            chats = ["Dzień dobry, tu %s!" % login, "Zażółć gęślą jaźń #%d 🙂" % i]
            s.send_chat(chats[0])
            s.send_hand(True)
            s.send_hand(False)
            s.send_chat(chats[1])
            s.send_file(png_path, "screenshot")
            s.send_file(blend_path, "blend")
            senders.append(s)
            sent[sid] = {"login": login, "chats": chats, "screenshot": png, "blend": blend,
                         "names": {"screenshot": "widok.png", "blend": "scena łódź.blend"}}
        wait_for(lambda: all(s.status()["sent_files"] == 2 for s in senders), 60,
                 "every student's two files to be sent")
        wait_for(lambda: sum(e["kind"] in ("screenshot", "blend", "rejected")
                             for e in cli.timeline(store)) == 2 * len(STUDENTS), 30,
                 "8 files on the timeline")
        for s in senders:
            assert s.stop(timeout=2.0)
        wait_for(lambda: sum(e["kind"] == "leave" for e in cli.timeline(store)) == len(STUDENTS),
                 10, "a leave entry per student after bye")
        serve.finish()
    return {"store": store, "sent": sent, "timeline": cli.timeline(store),
            "students": cli.students(store)}


def test_stored_files_are_byte_identical(lab):
    store = lab["store"]
    files = [e for e in lab["timeline"] if e["kind"] in ("screenshot", "blend")]
    assert len(files) == 2 * len(STUDENTS)
    for e in files:
        want = lab["sent"][e["student"]][e["kind"]]
        path = store / e["path"]
        assert path.read_bytes() == want, e
        assert e["size"] == len(want) == os.path.getsize(path)
        assert e["sha256"] == sha256(want)
        assert e["name"] == lab["sent"][e["student"]]["names"][e["kind"]]
        if e["kind"] == "screenshot":  # with a JPEG thumbnail
            assert e["path"].endswith(".png")
            assert (store / e["thumb"]).read_bytes()[:3] == b"\xff\xd8\xff"
        else:
            assert e["path"].endswith(".blend")
    assert not [e for e in lab["timeline"] if e["kind"] in ("rejected", "incomplete")]


def test_timeline_per_student_in_order(lab):
    per = by_student(lab["timeline"])
    assert set(per) == set(lab["sent"])
    for sid, events in per.items():
        sent = lab["sent"][sid]
        kinds = [e["kind"] for e in events]
        assert kinds[:5] + [set(kinds[5:7])] + kinds[7:] == KINDS, (sent["login"], kinds)
        assert all(e["login"] == sent["login"] for e in events)
        assert all(RFC3339_MS.match(e["ts"]) for e in events), events
        assert [e["text"] for e in events if e["kind"] == "chat"] == sent["chats"]
        assert [e["raised"] for e in events if e["kind"] == "hand"] == [True, False]


def test_timeline_is_in_time_order(lab):
    stamps = [e["ts"] for e in lab["timeline"]]
    assert stamps == sorted(stamps)
    assert [e["id"] for e in lab["timeline"]] == sorted(e["id"] for e in lab["timeline"])


def test_timeline_of_one_student_by_login_or_id(lab, cli):
    for sid, sent in lab["sent"].items():
        mine = [e for e in lab["timeline"] if e["student"] == sid]
        assert cli.timeline(lab["store"], sent["login"]) == mine
        assert cli.timeline(lab["store"], sid.upper()) == mine
        if sent["login"].isascii():
            assert cli.timeline(lab["store"], sent["login"].upper()) == mine


def test_timeline_student_lookup_folds_polish_letters(lab, cli):
    sid = next(sid for sid, sent in lab["sent"].items() if sent["login"] == "Łucja")
    mine = [e for e in lab["timeline"] if e["student"] == sid]
    assert cli.timeline(lab["store"], "łucja") == mine


def test_students_counts_and_own_folders(lab):
    rows = {r["id"]: r for r in lab["students"]}
    assert set(rows) == set(lab["sent"])
    folders = set()
    for sid, sent in lab["sent"].items():
        r = rows[sid]
        assert (r["login"], r["chats"], r["screenshots"], r["blends"]) == (sent["login"], 2, 1, 1)
        assert r["login_shared"] is False
        assert (lab["store"] / r["folder"]).is_dir()
        mine = [e["path"] for e in lab["timeline"] if e["student"] == sid and "path" in e]
        assert len(mine) == 2 and all(p.startswith(r["folder"] + "/") for p in mine)
        assert r["latest_screenshot"] in mine
        folders.add(r["folder"])
    assert len(folders) == len(STUDENTS)
    assert sorted(os.listdir(lab["store"])) == sorted(folders | {".pracownia"})
    files = store_files(lab["store"])
    assert all(f.split(os.sep)[0] in folders for f in files)


def test_reindex_rebuilds_the_same_timeline(lab, cli, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(lab["store"], copy)
    for suffix in ("", "-wal", "-shm"):
        p = copy / ".pracownia" / ("index.sqlite" + suffix)
        if p.exists():
            p.unlink()
    assert not (copy / ".pracownia" / "index.sqlite").exists()
    out = cli.run("reindex", "--store", copy)
    assert out.startswith("reindexed %d students" % len(STUDENTS)), out

    def strip(timeline):
        return [{k: v for k, v in e.items() if k != "id"} for e in timeline]

    def same_ms_any_order(timeline):  # events of one millisecond have no defined order
        return sorted(strip(timeline), key=lambda e: (e["ts"], json.dumps(e, sort_keys=True)))

    again = cli.timeline(copy)
    assert len(again) == len(lab["timeline"])
    assert same_ms_any_order(again) == same_ms_any_order(lab["timeline"])
    for sid in lab["sent"]:  # one student's events keep their exact order
        assert strip(cli.timeline(copy, sid)) == strip(e for e in lab["timeline"]
                                                       if e["student"] == sid)
    assert cli.students(copy) == lab["students"]
    for e in again:
        if "path" in e:
            assert sha256((copy / e["path"]).read_bytes()) == e["sha256"]
