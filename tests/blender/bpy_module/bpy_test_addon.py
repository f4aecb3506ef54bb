"""The add-on in Blender as a module (bpy 4.2+): enable/disable, operators, panel, a .blend copy
arriving byte-identical at `pracownia serve`, open file untouched, persistence, clean quit.

Run with .venv-bpy*/bin/python -m pytest tests/blender/bpy_module/bpy_test_addon.py (timers never
fire in module mode: the tests call the tick themselves).
"""

import os
import subprocess
import sys
import textwrap
import time

from tests.blender.bpy_module import bpy_env  # noqa: F401,I001  (user folders first, then bpy)
import addon_utils
import bpy
import pytest

from tests.blender.layout_recorder import Recorder  # noqa: F401  (bpy_test_twoway imports it)
from tests.blender.support import ROOT, entries, our_threads, tick_report

ADDON = "pracownia_student"


@pytest.fixture
def addon():
    mod = addon_utils.enable(ADDON, default_set=True, handle_error=None)
    assert mod is not None, "the add-on did not enable"
    from pracownia_student import runtime, timers  # the tick, and the capture it uses
    yield timers, runtime
    addon_utils.disable(ADDON, default_set=True, handle_error=None)
    assert our_threads() == []


def tick_until(reg, runtime, cond, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not cond():
        ctl = runtime.controller
        assert time.monotonic() < deadline, (ctl.status(), ctl.sent, ctl.gate.skipped,
                                             ctl.schedule.pending, ctl.schedule.requested)
        reg._tick()
        time.sleep(0.02)


def connect(runtime, port, login="ewa.zielinska"):
    from pracownia_student.prefs import get_prefs
    p = get_prefs()
    p.login, p.address = "  %s " % login, "127.0.0.1:%d" % port
    assert bpy.ops.pracownia.connect() == {"FINISHED"}
    assert p.login == login  # trimmed
    assert runtime.controller.connected


def test_enable_and_disable_cleanly(addon):
    reg, runtime = addon
    assert ADDON in bpy.context.preferences.addons
    assert hasattr(bpy.types, "PRACOWNIA_PT_panel") and hasattr(bpy.ops.pracownia, "connect")
    assert len(runtime.student_id) == 36
    addon_utils.disable(ADDON, default_set=True, handle_error=None)
    assert ADDON not in bpy.context.preferences.addons
    assert not hasattr(bpy.types, "PRACOWNIA_PT_panel")
    assert not hasattr(bpy.types.WindowManager, "pracownia")
    assert addon_utils.enable(ADDON, default_set=True, handle_error=None) is not None


@pytest.mark.timeout_s(90)
def test_two_logins_on_one_configuration_are_two_students_and_the_first_comes_back(addon, start_serve,
                                                                                    cli):
    reg, runtime = addon
    ctl = runtime.controller
    serve = start_serve()
    ids = []
    for login in ("anna", "bartek", "anna"):
        connect(runtime, serve.port, login=login)
        ids.append(runtime.student_id)
        cli.wait_timeline(serve.store, lambda t, n=len(ids): len(entries(t, "join")) >= n, 20, "a join")
        bpy.ops.pracownia.connect()  # disconnect
        assert not ctl.connected
    assert ids[0] != ids[1] and ids[2] == ids[0], ids
    students = {s["login"]: s for s in cli.students(serve.store)}
    assert set(students) == {"anna", "bartek"}
    assert students["anna"]["id"] == ids[0] and students["bartek"]["id"] == ids[1]
    # hello's seat: the same configuration for both, apart from their ids
    assert {s["seat"] for s in students["anna"]["seats"] + students["bartek"]["seats"]} == {runtime.seat_id}


@pytest.mark.timeout_s(90)
def test_blend_copy_arrives_byte_identical_and_open_file_is_untouched(addon, start_serve, cli,
                                                                      tmp_path):
    reg, runtime = addon
    ctl = runtime.controller
    serve = start_serve()
    work = str(tmp_path / "my scene.blend")
    bpy.ops.wm.save_as_mainfile(filepath=work)
    bpy.ops.mesh.primitive_cube_add(location=(3, 0, 0))  # unsaved change: the file is dirty
    before = (bpy.data.filepath, bpy.data.is_dirty)
    assert before == (work, True)
    saved = []
    original = reg._capture.blend_copy

    def keep_a_copy(path):
        original(path)
        saved.append(open(path, "rb").read())
    reg._capture.blend_copy = keep_a_copy
    ctl.schedule.rand = lambda: 0.0  # no jitter: the first .blend copy is due at once
    try:
        connect(runtime, serve.port)
        # the network side runs in the courier process, no sender thread inside Blender
        assert type(ctl.session).__name__ == "CourierSession" and ctl.fallback is None
        assert "pracownia-sender" not in our_threads()
        courier = ctl.session.proc
        reg._tick()
        st = ctl.status()
        assert st["sharing"] and "without a window" in st["notice"]
        tick_until(reg, runtime, lambda: ctl.sent["blend"] == 1)
        assert (bpy.data.filepath, bpy.data.is_dirty) == before
        assert bpy.ops.pracownia.send_now(kind="blend") == {"FINISHED"}
        # nothing changed since the copy sent: skipped before any copy is written
        tick_until(reg, runtime, lambda: ctl.gate.skipped["blend"] == 1)
        bpy.ops.mesh.primitive_uv_sphere_add()
        bpy.ops.pracownia.send_now(kind="blend")
        tick_until(reg, runtime, lambda: ctl.sent["blend"] == 2)
        assert (bpy.data.filepath, bpy.data.is_dirty) == before
    finally:
        reg._capture.blend_copy = original
    assert ctl.sent["screenshot"] == 0
    tl = cli.wait_timeline(serve.store, lambda t: len(entries(t, "blend")) == 2, 20, "2 blends")
    stored = [open(os.path.join(serve.store, e["path"]), "rb").read() for e in entries(tl, "blend")]
    assert len(saved) == 2 and saved[0] != saved[1]
    assert stored == saved  # byte-identical
    assert entries(tl, "blend")[0]["name"] == "my scene.blend"
    assert stored[0][:7] == b"BLENDER" or stored[0][:4] == b"\x28\xb5\x2f\xfd"
    # save_post: the student's own save queues a copy (our copies do not trigger it)
    bpy.ops.mesh.primitive_monkey_add()
    bpy.ops.wm.save_mainfile()
    assert ctl.schedule.requested["blend"]
    tick_until(reg, runtime, lambda: ctl.sent["blend"] == 3)
    stats = tick_report("bpy-module", ctl.tick_times)
    assert stats["blend"][1] < 5.0  # sanity only; speed targets belong to benchmarks
    bpy.ops.pracownia.connect()  # disconnect
    assert not ctl.connected and our_threads() == []
    assert courier.returncode == 0  # it exited by itself when told


def test_operators_refuse_with_sentences_and_panel_shows_state(addon, start_serve):
    reg, runtime = addon
    ctl = runtime.controller
    wm = bpy.context.window_manager
    from pracownia_student import ui
    from pracownia_student.prefs import get_prefs
    rec = Recorder()
    ui.draw_panel(rec, bpy.context)
    assert "pracownia.connect" in rec.ops() and "Not connected" in rec.texts()
    assert "pracownia.hand" not in rec.ops()
    get_prefs().login = "con"
    get_prefs().address = "127.0.0.1:5570"
    with pytest.raises(RuntimeError, match="reserved"):
        bpy.ops.pracownia.connect()
    with pytest.raises(RuntimeError, match="Connect"):
        bpy.ops.pracownia.hand()
    serve = start_serve()
    connect(runtime, serve.port)
    wm.pracownia.chat_text = "   "
    with pytest.raises(RuntimeError, match="empty"):
        bpy.ops.pracownia.chat_send()
    wm.pracownia.chat_text = "Gotowe!"
    assert bpy.ops.pracownia.chat_send() == {"FINISHED"} and wm.pracownia.chat_text == ""
    assert bpy.ops.pracownia.hand() == {"FINISHED"} and ctl.hand_raised
    with pytest.raises(RuntimeError, match="without a window"):
        bpy.ops.pracownia.send_now(kind="screenshot")
    tick_until(reg, runtime, lambda: ctl.status()["state"] == "connected")
    rec = Recorder()
    ui.draw_panel(rec, bpy.context)
    assert {"pracownia.pause", "pracownia.hand", "pracownia.chat_send"} <= set(rec.ops())
    assert "Sharing is ON" in rec.texts() and "Gotowe!" in rec.texts()
    bar = Recorder()
    ui.draw_statusbar(bar)
    assert "sharing your screen" in bar.texts() and bar.ops() == ["pracownia.pause"]
    assert bpy.ops.pracownia.pause() == {"FINISHED"} and ctl.paused
    bar = Recorder()
    ui.draw_statusbar(bar)
    assert "paused" in bar.texts()
    bpy.ops.pracownia.pause()
    bpy.ops.pracownia.connect()  # disconnect: history stays
    rec = Recorder()
    ui.draw_chat(rec, bpy.context)
    assert "Gotowe!" in rec.texts()


def test_missing_pyzmq_shows_the_install_button(addon, monkeypatch):
    reg, runtime = addon
    from pracownia_student import deps, ui
    monkeypatch.setitem(sys.modules, "zmq", None)
    assert not deps.zmq_available(refresh=True)
    rec = Recorder()
    ui.draw_panel(rec, bpy.context)
    assert rec.ops() == ["pracownia.install_pyzmq"], rec.log
    with pytest.raises(RuntimeError, match="pyzmq is missing"):
        bpy.ops.pracownia.connect()
    if not getattr(bpy.app, "online_access", True):  # module bpy: offline by default
        with pytest.raises(RuntimeError, match="Online Access"):
            bpy.ops.pracownia.install_pyzmq()
        rec = Recorder()
        ui.draw_panel(rec, bpy.context)
        assert "Online Access" in rec.texts()
    monkeypatch.undo()
    assert deps.zmq_available(refresh=True)
    runtime.installer = None


# Blender 4.2 as a module crashes in wm.read_userpref (a segfault: it reloads the icon textures
# with no GPU in background mode; 4.5 does not), and module mode reads no preferences at start:
# there the restart checks the student id only, the other versions the preferences too.
NO_READ_USERPREF = (4, 2)

PERSIST = textwrap.dedent("""
    import sys
    sys.path.insert(0, {addon_dir!r})
    import bpy
    import addon_utils
    step = sys.argv[1]
    NO_READ_USERPREF = {no_read_userpref!r}
    if step == "save":
        addon_utils.enable("pracownia_student", default_set=True, handle_error=None)
        from pracownia_student.prefs import get_prefs
        p = get_prefs()
        p.screenshot_every_s, p.blend_every_min, p.login = 42, 7, "marta"
        bpy.ops.wm.save_userpref()
    elif bpy.app.version[:2] != NO_READ_USERPREF:  # a restart: Blender reads the saved
        bpy.ops.wm.read_userpref()                   # preferences, which enable the add-on
        assert "pracownia_student" in bpy.context.preferences.addons  # remembered as enabled
    if step != "save":
        addon_utils.enable("pracownia_student", default_set=True, handle_error=None)
    from pracownia_student import runtime
    from pracownia_student.prefs import get_prefs
    p = get_prefs()
    print("RESULT", runtime.student_id, p.screenshot_every_s, p.blend_every_min, p.login)
    if step == "quit":  # quitting while connected: no traceback, a bye
        if bpy.app.version[:2] == NO_READ_USERPREF:
            p.login = "marta"  # typed again: the preferences were not read back
        p.address = "127.0.0.1:" + sys.argv[2]
        assert bpy.ops.pracownia.connect() == {{"FINISHED"}}
        import time
        from pracownia_student import timers
        t = time.monotonic()
        while runtime.controller.status()["state"] != "connected" and time.monotonic() - t < 20:
            timers._tick(); time.sleep(0.05)
        print("STATE", runtime.controller.status()["state"])
""")


@pytest.mark.timeout_s(120)
def test_preferences_and_student_id_persist_and_quitting_is_clean(tmp_path, start_serve, cli):
    script = tmp_path / "persist.py"
    script.write_text(PERSIST.format(addon_dir=os.path.join(ROOT, "blender_addon"),
                                     no_read_userpref=NO_READ_USERPREF))
    home = tmp_path / "home"
    env = dict(os.environ, HOME=str(home), BLENDER_USER_CONFIG=str(home / "config"),
               BLENDER_USER_SCRIPTS=str(home / "scripts"))

    def run(*args):
        r = subprocess.run([sys.executable, str(script)] + list(args), env=env, timeout=90,
                           capture_output=True, text=True)
        assert r.returncode == 0 and "Traceback" not in r.stderr, r.stdout + r.stderr
        return r.stdout

    def result(out):
        return [line.split()[1:] for line in out.splitlines() if line.startswith("RESULT")][0]

    first = result(run("save"))
    assert first[1:] == ["42", "7", "marta"]
    serve = start_serve()
    out = run("quit", str(serve.port))
    if bpy.app.version[:2] == NO_READ_USERPREF:
        assert result(out)[0] == first[0]  # same id; its preferences cannot be read back there
    else:
        assert result(out) == first  # same id, same preferences after a restart
    assert "STATE connected" in out
    tl = cli.wait_timeline(serve.store, lambda t: entries(t, "leave"), 15, "the student's leave")
    assert entries(tl, "leave")[0]["reason"] == "bye" and entries(tl, "leave")[0]["student"] == first[0]
    assert os.path.isfile(home / "config" / "pracownia" / "student_id")
