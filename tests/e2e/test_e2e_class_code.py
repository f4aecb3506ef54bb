"""`serve --class-code`: only students who typed the lecturer's code get through."""

import os

import pytest

from .e2e_content import make_blend, make_png, sha256, write
from .e2e_support import wait_for

CODE = "Kod-ąę"


@pytest.mark.timeout_s(40)
def test_only_the_right_class_code_gets_through(start_serve, make_sender, cli, tmp_path):
    serve = start_serve(class_code=CODE)
    store = serve.store
    png = make_png(200, 100, seed=7)
    png_path = write(tmp_path / "out" / "widok.png", png)
    blend_path = write(tmp_path / "out" / "obcy.blend", make_blend(100_000))

    good = make_sender(serve.endpoint, "Łucja", class_code=CODE, chunk_size=16 << 10)
    wrong = make_sender(serve.endpoint, "intruz", class_code="kod-ąę")  # case differs
    missing = make_sender(serve.endpoint, "bez.kodu")
    for s in (wrong, missing):
        s.send_chat("wpuść mnie")
        s.send_hand(True)
        s.send_file(blend_path, "blend")
    good.send_chat("Dzień dobry")
    good.send_file(png_path, "screenshot")

    # The refused students did send (they see the receiver's subscription, as everyone does).
    wait_for(lambda: all(s.status()["sent_messages"] == 2 and s.status()["sent_files"] == 1
                         for s in (wrong, missing)), 20, "the refused students to send")
    cli.wait_timeline(store, lambda tl: any(e["kind"] == "screenshot" for e in tl), 20,
                      "the screenshot signed with the right code")
    wait_for(lambda: "bad_mac" in serve.stderr, 10, "serve to log bad_mac refusals")
    assert wrong.stop(timeout=2.0) and missing.stop(timeout=2.0)
    good.send_chat("Do widzenia")  # a last message, after everything the others sent
    cli.wait_timeline(store, lambda tl: tl[-1].get("text") == "Do widzenia", 10, "the last chat")
    assert good.stop(timeout=2.0)
    serve.finish()

    timeline = cli.timeline(store)
    assert {e["student"] for e in timeline} == {good.student_id}
    assert [e["kind"] for e in timeline] == ["join", "chat", "screenshot", "chat", "leave"]
    assert [e["text"] for e in timeline if e["kind"] == "chat"] == ["Dzień dobry", "Do widzenia"]
    shot = next(e for e in timeline if e["kind"] == "screenshot")
    assert (tmp_path / "store" / shot["path"]).read_bytes() == png
    assert shot["sha256"] == sha256(png) and shot["size"] == len(png)
    students = cli.students(store)
    assert [(r["id"], r["login"]) for r in students] == [(good.student_id, "Łucja")]
    assert sorted(os.listdir(store)) == sorted([".pracownia", students[0]["folder"]])
    log = serve.stderr
    assert "wpuść mnie" not in log  # a refused chat is never shown
    assert not [line for line in log.splitlines() if "refused" in line and "bad_mac" not in line]
    # Who used a wrong code is named (from the refused messages' unsigned headers), not who had it right.
    named = [line for line in log.splitlines() if "wrong class code (bad_mac) was used by" in line]
    assert len(named) == 1, log
    assert "intruz" in named[0] and "bez.kodu" in named[0] and "Łucja" not in named[0], named
