"""The add-on's timer and redraws, apart from registration so that operators (ops.py) can start
and stop sharing without importing addon.py, which registers them: no import cycle.

The timer runs only while connected or while pyzmq is being installed. Each tick runs on the main
thread and does at most one capture (controller.tick).
"""

import bpy

from . import capture, deps, notify, prefs, runtime

ctl = runtime.controller
TICK_S = 0.5
_capture = capture.BlenderCapture()
_last_drawn = [None]


def _tick():
    try:
        inst = runtime.installer
        if inst is not None and inst.state == "done":
            deps.add_to_path(runtime.deps_dir)
            deps.zmq_available(refresh=True)
        p = prefs.get_prefs()
        if p is not None:
            ctl.schedule.set_intervals(p.screenshot_every_s, p.blend_every_min * 60.0)
        ctl.tick(_capture)
        notify.check()  # a new reply or broadcast: a status-bar report, never a dialog
    except Exception as e:  # a timer must never die silently: show it
        ctl.error = "Internal error: %s" % e
    redraw_if_changed()
    if ctl.connected or (runtime.installer is not None and runtime.installer.state == "running"):
        return TICK_S
    return None  # nothing left to do: the timer ends


def start_timer():
    if not bpy.app.timers.is_registered(_tick):
        bpy.app.timers.register(_tick, first_interval=0.05, persistent=True)


def stop_timer():
    if bpy.app.timers.is_registered(_tick):
        bpy.app.timers.unregister(_tick)


def stop_sharing():
    """Disconnect: timer off, threads stopped (bounded), panel and status bar updated."""
    stop_timer()
    ctl.disconnect()
    redraw()


def redraw():
    wm = getattr(bpy.context, "window_manager", None)
    if wm is None:
        return
    for win in wm.windows:
        for area in win.screen.areas:
            if area.type in ("VIEW_3D", "PREFERENCES"):
                area.tag_redraw()
        _redraw_statusbar(win)


def _redraw_statusbar(win):
    """The status bar is a global area, not in screen.areas, so tag_redraw() cannot reach it.
    Clearing the workspace's status text redraws the status bar (checked in 3.4 under Xvfb; the
    call exists in 5.0 too). Called only when what we show changed."""
    try:
        with bpy.context.temp_override(window=win, screen=win.screen):
            ws = bpy.context.workspace
            # The internal call leaves a Python tool's own status-bar draw function in place.
            getattr(ws, "status_text_set_internal", ws.status_text_set)(None)
    except Exception:
        pass  # no window or workspace (background mode): nothing to redraw


def redraw_if_changed():
    st = ctl.status()
    inst = runtime.installer
    conv = ctl.conversation
    key = (st["state"], st["text"], round(st["progress"] or 0, 2), st["notice"], st["error"],
           st["fallback"],
           ctl.paused, inst.state if inst is not None else None, st["two_way"], st["unread"],
           ctl.hand_raised, ctl.hand_acknowledged, len(conv),
           tuple(i["state"] for i in list(conv)[-8:]))
    if key != _last_drawn[0]:
        _last_drawn[0] = key
        redraw()
