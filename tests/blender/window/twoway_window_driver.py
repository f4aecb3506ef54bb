"""Runs INSIDE Debian's Blender 3.4 with a window (under Xvfb), started by window_twoway_e2e.py:

  blender --factory-startup --enable-event-simulate -setaudio None --python THIS -- ZIP PORT

The lecturer (TwoWayLecturer) lives in the pytest process; this driver and the test talk only
through the protocol and the lines printed here (MARK WORD ...). Steps: install the add-on from
the zip, open the Pracownia tab, connect; once the lecturer has answered (two-way) and a reply
arrived, wait until the panel was drawn with it and the notice was reported in the status bar,
save a window screenshot (PRACOWNIA_NOTICE_SHOT), print READY-REQUEST; after the requested
screenshot was sent, pause sharing and print PAUSED; after the second request was answered
(nothing captured), disable the add-on and quit. Any failure prints FAILED and exits 1 itself
(a failing timer alone would let Blender exit 0).
"""

import os
import sys
import time

import addon_utils
import bpy

# Blender runs this as a script: the repository root on sys.path (pytest.ini does not apply here).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))))
from tests.blender.window.driver_kit import (  # noqa: E402
    Kit, Recorder, click_sidebar_tab, ctl, screenshot, view3d, window)

MARK = "PRACOWNIA-TWOWAY-TEST"
ZIP, PORT = sys.argv[sys.argv.index("--") + 1:][:2]
DEADLINE = time.monotonic() + float(os.environ.get("PRACOWNIA_DRIVER_TIMEOUT_S", "150"))
state = {"step": "install", "panel_drawn": 0, "cycles": 0, "at": 0.0}
kit = Kit(MARK)
say, fail = kit.say, kit.fail


def on_panel_drawn(self, context):
    state["panel_drawn"] += 1
    state["panel_unread"] = ctl().conversation.unread_count  # what this draw showed


def on_statusbar_drawn(self, context):
    state["bar_unread"] = ctl().conversation.unread_count


def show_info_log():
    """The timeline becomes the Info editor, where the notice stays listed: the screenshot then
    shows it even though Xvfb never makes the window active (the status bar banner needs that)."""
    for area in window().screen.areas:
        if area.type == "DOPESHEET_EDITOR":
            area.type = "INFO"


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
        bpy.ops.preferences.addon_install(filepath=ZIP, overwrite=True)
        if addon_utils.enable("pracownia_student", default_set=True, handle_error=None) is None:
            fail("the add-on did not enable")
        from pracownia_student.prefs import get_prefs
        p = get_prefs()
        p.login, p.address = "okno.dwustronne", "127.0.0.1:" + PORT
        p.screenshot_every_s, p.blend_every_min = 3600, 120  # only requests capture later
        ctl().schedule.rand = lambda: 0.999
        bpy.types.PRACOWNIA_PT_panel.append(on_panel_drawn)
        bpy.types.STATUSBAR_HT_header.append(on_statusbar_drawn)  # after the add-on's marker
        view3d().spaces.active.show_region_ui = True
        state["step"] = "tab"
    elif s == "tab":
        if state["panel_drawn"]:
            in_window(bpy.ops.pracownia.connect)
            say("CONNECTED")
            state["step"] = "reply"
        elif now - state["at"] > 0.5:
            if state["cycles"] >= 30:
                fail("the Pracownia tab never showed")
            click_sidebar_tab(state["cycles"])
            state["cycles"], state["at"] = state["cycles"] + 1, now
    elif s == "reply":
        if c.conversation.unread_count:
            state["step"] = "shown"
    elif s == "shown":
        from pracownia_student import notify
        texts = panel_texts()
        reported = [t for t, how in notify.log if how == "reported"]
        if (state.get("panel_unread") and state.get("bar_unread")  # both redrawn since
                and "Lecturer: Zaraz podejdę" in texts
                and "1 new message from the lecturer" in texts and reported):
            say("panel and status bar redrawn with the reply; notice reported:", reported[-1])
            say("two-way:", c.status()["two_way"])
            show_info_log()
            state["step"], state["at"] = "shot", now
        elif [how for _, how in notify.log if how != "reported"]:
            fail("the notice was not reported: %r" % notify.log)
        elif now - state["at"] > 5.0:  # what is missing, for the person reading a failure
            state["at"] = now
            say("waiting: unread when the panel / status bar last drew: %r / %r, notices %r"
                % (state.get("panel_unread"), state.get("bar_unread"), notify.log))
    # The status bar has drawn the report, and the automatic first screenshot is out: on a busy
    # machine it could come after READY-REQUEST and be taken for the requested one (the pause
    # then came before the request, which was answered "paused").
    elif (s == "shot" and now - state["at"] > 0.4 and c.sent["screenshot"] >= 1
          and not any(c.schedule.pending.values())):
        screenshot(os.environ["PRACOWNIA_NOTICE_SHOT"])
        state["sent_before"] = c.sent["screenshot"]
        say("READY-REQUEST")
        state["step"] = "requested"
    elif s == "requested":
        if c.sent["screenshot"] > state["sent_before"]:
            in_window(bpy.ops.pracownia.pause)
            state["files"] = dict(c.sent)
            say("PAUSED")
            state["step"] = "paused"
    elif s == "paused":
        requests = [i for i in c.conversation if i["kind"] == "request"]
        if len(requests) >= 2:
            state["step"], state["at"] = "settle", now
    elif s == "settle" and now - state["at"] > 2.0:
        if c.sent != state["files"] or any(c.schedule.pending.values()):
            fail("a file was captured while sharing was paused: %r" % c.sent)
        finish()
        return None
    return 0.1


def finish():
    bpy.types.PRACOWNIA_PT_panel.remove(on_panel_drawn)
    bpy.types.STATUSBAR_HT_header.remove(on_statusbar_drawn)
    addon_utils.disable("pracownia_student", default_set=True, handle_error=None)
    if ctl().connected:
        fail("still connected after disabling")
    say("OK")
    with bpy.context.temp_override(window=window()):
        bpy.ops.wm.quit_blender()


if bpy.app.background:
    fail("this test needs Blender with a window (run it under xvfb-run, without -b)")
bpy.app.timers.register(kit.guarded(_step), first_interval=1.0)
