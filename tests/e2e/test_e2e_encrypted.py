"""`serve --encrypt`: the add-on's transport joins with the printed join text (its server key),
sends chat and files over CurveZMQ, gets the lecturer's reply; another key claiming that
student is refused, and a student without the key gets nothing through."""

import uuid

import pytest

from pracownia_student import joinstring, keys

from .e2e_content import make_png, sha256, write
from .e2e_support import wait_for

CODE = "KOT-LAS-42"


@pytest.mark.timeout_s(60)
def test_an_encrypted_class_with_the_add_ons_transport(start_serve, make_sender, cli, tmp_path):
    serve = start_serve(class_code=CODE, extra=["--encrypt"])
    join = joinstring.read_join(serve.stdout_line("join: ")[len("join: "):])
    assert join.class_code == CODE and join.server_key is not None and join.port == serve.port
    sid = str(uuid.uuid4())
    public, secret = keys.load_or_create(str(tmp_path / "config"), sid)
    curve = {"server": join.server_key, "public": public, "secret": secret}

    inbox = []
    ola = make_sender(serve.endpoint, "ola", student_id=sid, class_code=CODE, curve=curve,
                      chunk_size=16 << 10, return_endpoint=serve.return_endpoint, on_event=inbox.append)
    png = make_png(300, 200, seed=3)
    ola.send_chat("Szyfrowane pozdrowienia")
    ola.send_file(write(tmp_path / "out" / "ekran.png", png), "screenshot")
    timeline = cli.wait_timeline(serve.store, lambda tl: any(e["kind"] == "screenshot" for e in tl)
                                 and any(e.get("text") == "Szyfrowane pozdrowienia" for e in tl), 30,
                                 "ola's chat and screenshot over CURVE")
    shot = next(e for e in timeline if e["kind"] == "screenshot")
    assert shot["sha256"] == sha256(png)
    assert wait_for(lambda: ola.status()["two_way"], 20, "ola's return path (encrypted too)")
    serve.tell("say", "--to", "ola", "Widzę")
    wait_for(lambda: any(e.get("type") == "lecturer_message" and e.get("text") == "Widzę" for e in list(inbox)),
             20, "the lecturer's reply, encrypted")

    # Someone else's computer claiming ola's id, with the class code and the server key, but
    # another key pair: refused and flagged; nothing of theirs lands in ola's history.
    other_pub, other_sec = keys.load_or_create(str(tmp_path / "elsewhere"), sid)
    mallory = make_sender(serve.endpoint, "ola", student_id=sid, class_code=CODE,
                          curve={"server": join.server_key, "public": other_pub, "secret": other_sec})
    mallory.send_chat("To ja, naprawdę")
    wait_for(lambda: "key_mismatch" in serve.stderr, 20, "serve to refuse the second key")
    # A student without the key (an older add-on) gets nothing through either.
    plain = make_sender(serve.endpoint, "stary.dodatek", class_code=CODE)
    plain.send_chat("jawnym tekstem")
    ola.send_chat("Ostatnia")
    cli.wait_timeline(serve.store, lambda tl: tl[-1].get("text") == "Ostatnia", 20, "ola's last chat")
    texts = [e.get("text") for e in cli.timeline(serve.store)]
    assert "To ja, naprawdę" not in texts and "jawnym tekstem" not in texts
    assert [s["login"] for s in cli.students(serve.store)] == ["ola"]
    assert mallory.stop(timeout=2.0) and plain.stop(timeout=2.0) and ola.stop(timeout=2.0)
