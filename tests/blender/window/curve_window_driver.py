"""Runs INSIDE Debian's Blender 3.4 with a window (under Xvfb), started by window_twoway_e2e.py's
encrypted test:

  blender --factory-startup --enable-event-simulate -setaudio None --python THIS -- ZIP JOIN

JOIN is the join string of an encrypted class (pracownia://127.0.0.1:PORT/CODE?key=KEY). Steps:
install the add-on from the zip, paste JOIN into the Lecturer field, open the Pracownia tab,
press Connect (the operator reads the code and the server key from the join text); once the
lecturer answered (two-way) the panel must say "Encrypted connection" and the student's key file
must be owner-only; send a chat with the panel's Send operator, print CHAT-SENT once the courier
sent it, save a window screenshot (PRACOWNIA_CURVE_SHOT), disable the add-on and quit (OK).
Any failure prints FAILED and exits 1.
"""

import os
import stat
import sys
import time

import addon_utils
import bpy

# Blender runs this as a script: the repository root on sys.path (pytest.ini does not apply here).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))))
from tests.blender.window.driver_kit import (  # noqa: E402
    Kit, Recorder, click_sidebar_tab, ctl, screenshot, view3d, window)

MARK = "PRACOWNIA-CURVE-TEST"
ZIP, JOIN = sys.argv[sys.argv.index("--") + 1:][:2]
CHAT = "Szyfrowane pytanie z Blendera"
DEADLINE = time.monotonic() + float(os.environ.get("PRACOWNIA_DRIVER_TIMEOUT_S", "150"))
state = {"step": "install", "panel_drawn": 0, "cycles": 0, "at": 0.0}
kit = Kit(MARK)
say, fail = kit.say, kit.fail


def on_panel_drawn(self, context):
    state["panel_drawn"] += 1


def panel_texts():
    from pracownia_student import ui
    rec = Recorder()
    ui.draw_panel(rec, bpy.context)
    return rec.texts()


def in_window(op, **kw):
    with bpy.context.temp_override(window=window(), area=view3d()):
        if op(**kw) != {"FINISHED"}:
            fail("%s did not finish" % op)


def _step():
    now = time.monotonic()
    if now > DEADLINE:
        fail("timed out in step %s; status %r" % (state["step"], ctl().status()))
    s = state["step"]
    c = ctl() if s != "install" else None
    if s == "install":
        import zmq  # Debian's python3-zmq, which this Blender uses
        if not zmq.has("curve"):
            fail("this Blender's pyzmq %s (libzmq %s) has no CURVE" % (zmq.__version__,
                                                                        zmq.zmq_version()))
        say("PYZMQ", zmq.__version__, zmq.zmq_version(), "curve")
        bpy.ops.preferences.addon_install(filepath=ZIP, overwrite=True)
        if addon_utils.enable("pracownia_student", default_set=True, handle_error=None) is None:
            fail("the add-on did not enable")
        from pracownia_student.prefs import get_prefs
        p = get_prefs()
        p.login, p.address = "okno.szyfr", JOIN
        p.screenshot_every_s, p.blend_every_min = 3600, 120
        ctl().schedule.rand = lambda: 0.999
        bpy.types.PRACOWNIA_PT_panel.append(on_panel_drawn)
        view3d().spaces.active.show_region_ui = True
        state["step"] = "tab"
    elif s == "tab":
        if state["panel_drawn"]:
            in_window(bpy.ops.pracownia.connect)
            st = c.status()
            if not st["encrypted"] or c.fallback:
                fail("not an encrypted courier connection: %r" % (st,))
            say("CONNECTED", bpy.context.window_manager.pracownia.class_code)
            state["step"] = "two_way"
        elif now - state["at"] > 0.5:
            if state["cycles"] >= 30:
                fail("the Pracownia tab never showed")
            click_sidebar_tab(state["cycles"])
            state["cycles"], state["at"] = state["cycles"] + 1, now
    elif s == "two_way":
        st = c.status()
        if st["two_way"] and st["state"] == "connected":
            texts = panel_texts()
            if "Encrypted connection" not in texts:
                fail("the panel does not say the connection is encrypted: %r" % texts)
            from pracownia_student import keys, runtime
            path = keys.key_path(runtime.config_dir, runtime.student_id)
            mode = stat.S_IMODE(os.stat(path).st_mode)
            if mode != 0o600:
                fail("the key file %s has mode %o" % (path, mode))
            say("ENCRYPTED", path)
            bpy.context.window_manager.pracownia.chat_text = CHAT
            in_window(bpy.ops.pracownia.chat_send)
            state["step"] = "chat"
    elif s == "chat":
        mine = [i for i in c.conversation if i["who"] == "me"]
        if mine and mine[-1]["state"] in ("sent", "delivered"):
            say("CHAT-SENT", mine[-1]["id"])
            state["step"], state["at"] = "shot", now
    elif s == "shot" and now - state["at"] > 0.5:  # the panel has drawn the sent chat
        screenshot(os.environ["PRACOWNIA_CURVE_SHOT"])
        finish()
        return None
    return 0.1


def finish():
    bpy.types.PRACOWNIA_PT_panel.remove(on_panel_drawn)
    addon_utils.disable("pracownia_student", default_set=True, handle_error=None)
    if ctl().connected:
        fail("still connected after disabling")
    say("OK")
    with bpy.context.temp_override(window=window()):
        bpy.ops.wm.quit_blender()


if bpy.app.background:
    fail("this test needs Blender with a window (run it under xvfb-run, without -b)")
bpy.app.timers.register(kit.guarded(_step), first_interval=1.0)
