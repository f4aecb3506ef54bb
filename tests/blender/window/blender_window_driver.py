"""Runs INSIDE Debian's Blender 3.4 with a window (under Xvfb), started by window_test.py:

  blender --factory-startup --enable-event-simulate -setaudio None --python THIS -- ZIP PORT

Installs the add-on from the built legacy zip, edits the scene (unsaved changes), opens the 3D
View sidebar on the "Pracownia" tab, connects to `pracownia serve` on 127.0.0.1:PORT, waits until a
screenshot and a .blend copy were sent (the add-on's own timer does the work), sends one more
screenshot with the panel drawn, then checks the unsaved-changes flag after Blender's event loop
has run: still set after the automatic copy and after a manual copy of a further edit, and still
clear after the student saves for real (which sends a copy too). Then it disables the add-on (MODE "disable"; with MODE "quit" it stays connected and Blender's own exit
must stop it), prints the success marker and quits. The network side must run in the courier
process (its pid is printed after "COURIER"); it must have exited once the add-on is disabled.
MODE "kill" prints "KILLME <blender pid> <courier pid>" after the first two files and waits for
the test to SIGKILL Blender. Any failure prints a FAILED line and
exits 1 itself (a failing timer alone would let Blender exit 0).
"""

import os
import sys
import threading
import time

import addon_utils
import bpy

# Blender runs this as a script: the repository root on sys.path (pytest.ini does not apply here).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))))
from tests.blender.window.driver_kit import (  # noqa: E402
    Kit, click_sidebar_tab, ctl, view3d, window)

MARK = "PRACOWNIA-WINDOW-TEST"
ZIP, PORT, MODE = sys.argv[sys.argv.index("--") + 1:][:3]  # MODE: disable | quit | kill
DEADLINE = time.monotonic() + float(os.environ.get("PRACOWNIA_DRIVER_TIMEOUT_S", "150"))
state = {"step": "install", "panel_drawn": 0, "cycles": 0, "at": 0.0}
kit = Kit(MARK)
say, fail = kit.say, kit.fail


def on_panel_drawn(self, context):
    state["panel_drawn"] += 1


def _step():
    now = time.monotonic()
    if now > DEADLINE:
        fail("timed out in step %s; status %r" % (state["step"], _status()))
    s = state["step"]
    if s == "install":
        bpy.ops.preferences.addon_install(filepath=ZIP, overwrite=True)
        mod = addon_utils.enable("pracownia_student", default_set=True, handle_error=None)
        if mod is None or not mod.__file__.startswith(bpy.utils.user_resource("SCRIPTS")):
            fail("the add-on was not installed from the zip: %r" % mod)
        from pracownia_student.prefs import get_prefs
        p = get_prefs()
        p.login, p.address, p.screenshot_every_s = "okno.student", "127.0.0.1:" + PORT, 10
        bpy.types.PRACOWNIA_PT_panel.append(on_panel_drawn)
        view3d().spaces.active.show_region_ui = True
        student_edit("first")
        state["step"] = "tab"
    elif s == "tab":
        if state["panel_drawn"]:
            say("panel drawn after", state["cycles"], "clicks")
            ctl().schedule.rand = lambda: 0.0  # no jitter: the first .blend copy at once
            with bpy.context.temp_override(window=window(), area=view3d()):
                if bpy.ops.pracownia.connect() != {"FINISHED"}:
                    fail("connect did not finish")
            check_courier()
            state["step"] = "first"
        elif now - state["at"] > 0.5:
            if state["cycles"] >= 30:
                fail("the Pracownia tab never showed")
            click_sidebar_tab(state["cycles"])
            state["cycles"] += 1
            state["at"] = now
    elif s == "first":
        c = ctl()
        if c.sent["screenshot"] >= 1 and c.sent["blend"] >= 1:
            say("first screenshot and .blend sent; status", _status())
            state["step"], state["at"] = "again", now
            if MODE == "kill":  # the test SIGKILLs Blender now; the courier must go too
                say("KILLME", os.getpid(), state["courier"].pid)
                state["step"] = "waiting_to_be_killed"
    elif s == "waiting_to_be_killed":
        return 0.2
    elif s == "again" and now - state["at"] > 2.0:
        c = ctl()
        expect_dirty(True, "the automatic .blend copy")
        state["skipped_before"] = c.gate.skipped["screenshot"]
        with bpy.context.temp_override(window=window(), area=view3d()):
            bpy.ops.pracownia.send_now(kind="screenshot")
        state["step"] = "second"
    elif s == "second":
        c = ctl()
        if c.sent["screenshot"] >= 2 or c.gate.skipped["screenshot"] > state["skipped_before"]:
            student_edit("second")
            with bpy.context.temp_override(window=window(), area=view3d()):
                bpy.ops.pracownia.send_now(kind="blend")
            state["step"] = "manual_blend"
    elif s == "manual_blend":
        if ctl().sent["blend"] >= 2:
            state["step"], state["at"] = "manual_settle", now
    elif s == "manual_settle" and now - state["at"] > 1.0:
        expect_dirty(True, "a manual .blend copy")
        # The student saves for real: the save handler asks for a copy; the file stays clean.
        state["saved_as"] = os.path.join(os.environ["HOME"], "student-work.blend")
        student_edit("third")  # so the copy differs from the last one sent and is not skipped
        with bpy.context.temp_override(window=window()):
            bpy.ops.wm.save_as_mainfile(filepath=state["saved_as"])
        state["step"] = "saved_blend"
    elif s == "saved_blend":
        if ctl().sent["blend"] >= 3:
            state["step"], state["at"] = "saved_settle", now
    elif s == "saved_settle" and now - state["at"] > 1.0:
        expect_dirty(False, "the copy after the student's own save")
        state["step"] = "quitting"
        finish()
        return None  # this timer ends; Blender quits on its next event loop
    elif s == "quitting":
        return None
    return 0.2


def check_courier():
    """The network side runs in the courier process, not in a thread inside Blender."""
    c = ctl()
    session = c.session
    if c.fallback is not None or type(session).__name__ != "CourierSession":
        fail("the courier is not used: %r" % (c.fallback,))
    if session.proc.poll() is not None:
        fail("the courier exited at once: %r" % (session.proc.returncode,))
    state["courier"] = session.proc
    inside = [t.name for t in threading.enumerate() if t.name in ("pracownia-sender",
                                                                  "pracownia-hasher")]
    if inside:
        fail("network threads inside Blender: %r" % inside)
    say("COURIER", session.proc.pid, "python", session.python)


def student_edit(what):
    """A change as the student makes one: data changed and an undo step (marks the file dirty)."""
    mesh = bpy.data.meshes.new("edit-" + what)
    mesh.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [], [(0, 1, 2)])
    bpy.context.scene.collection.objects.link(bpy.data.objects.new("edit-" + what, mesh))
    with bpy.context.temp_override(window=window()):
        bpy.ops.ed.undo_push(message="student edit " + what)
    if not bpy.data.is_dirty:
        fail("the test's own edit did not mark the file unsaved")


def expect_dirty(want, after):
    """Checked a second or more after the copy, so Blender's notifiers have been processed."""
    if bpy.data.is_dirty != want:
        fail("unsaved-changes flag is %r after %s (expected %r): %s" % (
            bpy.data.is_dirty, after, want,
            "quitting would not ask to save" if want else "the file looks changed"))
    say("unsaved-changes flag kept (%r) after %s" % (want, after))


def _status():
    try:
        return ctl().status()
    except Exception as e:
        return repr(e)


def finish():
    c = ctl()
    if bpy.data.is_dirty or bpy.data.filepath != state["saved_as"]:
        fail("the open file changed: %r dirty=%r" % (bpy.data.filepath, bpy.data.is_dirty))
    for what, seconds in c.tick_times:
        print("TICKTIME", what, "%.6f" % seconds)
    say("sent", c.sent, "skipped", c.gate.skipped)
    bpy.types.PRACOWNIA_PT_panel.remove(on_panel_drawn)
    if MODE == "quit":  # quitting while connected: exit_pre/atexit must say bye and stop
        say("OK")
        with bpy.context.temp_override(window=window()):
            bpy.ops.wm.quit_blender()
        return
    addon_utils.disable("pracownia_student", default_set=True, handle_error=None)
    left = [t.name for t in threading.enumerate() if t.name.startswith("pracownia-")]
    if left or c.connected:
        fail("threads left after disabling: %r" % left)
    courier = state["courier"]
    if courier.poll() != 0:  # unregister waited for it: it exited by itself, with code 0
        fail("the courier did not exit with the add-on: %r" % (courier.poll(),))
    say("courier exited with the add-on")
    say("OK")
    with bpy.context.temp_override(window=window()):
        bpy.ops.wm.quit_blender()


if bpy.app.background:
    fail("this test needs Blender with a window (run it under xvfb-run, without -b)")
bpy.app.timers.register(kit.guarded(_step), first_interval=1.0)
