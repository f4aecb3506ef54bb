"""Registration: classes, the timer, the save handler, the status bar and clean shutdown.

The timer runs only while connected or while pyzmq is being installed. Each tick runs on the main
thread and does at most one capture (controller.tick). Disconnect, unregister and quitting
Blender (exit_pre where it exists, atexit otherwise) stop the timer and the threads.
"""

import atexit
import os

import bpy
from bpy.app.handlers import persistent

from . import capture, deps, identity, notify, ops, prefs, runtime, ui

ctl = runtime.controller
TICK_S = 0.5
_capture = capture.BlenderCapture()
_last_drawn = [None]
_atexit_done = [False]


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


@persistent
def on_save_post(*_args):
    if ctl.connected and not capture.saving_copy():
        ctl.schedule.request("blend")


@persistent
def on_exit(*_args):
    shutdown()


def shutdown():
    """Quitting Blender: stop everything without a traceback (called at most once)."""
    if _atexit_done[0]:
        return
    _atexit_done[0] = True
    try:
        stop_timer()
    except Exception:
        pass
    ctl.disconnect(timeout=1.0)


def _setup_paths():
    config = bpy.utils.user_resource("CONFIG", path="pracownia", create=True)
    runtime.config_dir = config
    runtime.id_path = os.path.join(config, "student_id")
    runtime.student_id = identity.load_or_create(runtime.id_path)
    # One file per lecturer address under the user config: it survives restarts and updates.
    runtime.conversation_dir = os.path.join(config, "conversations")
    runtime.deps_dir = bpy.utils.user_resource("SCRIPTS", path=os.path.join("modules",
                                                                         "pracownia_deps"))
    deps.add_to_path(runtime.deps_dir)


_CLASSES = prefs.CLASSES + ops.CLASSES + notify.CLASSES + ui.CLASSES


def register():
    _setup_paths()
    for cls in _CLASSES:
        bpy.utils.register_class(cls)
    prefs.register_props()
    bpy.app.handlers.save_post.append(on_save_post)
    for handlers in (bpy.app.handlers.depsgraph_update_post, bpy.app.handlers.load_post):
        handlers.append(capture.on_data_changed)
    exit_pre = getattr(bpy.app.handlers, "exit_pre", None)
    if exit_pre is not None:
        exit_pre.append(on_exit)
    if not _atexit_done[0]:
        atexit.unregister(shutdown)
        atexit.register(shutdown)
    bpy.types.STATUSBAR_HT_header.append(ui.statusbar_hook)


def unregister():
    stop_timer()
    ctl.disconnect()
    atexit.unregister(shutdown)
    bpy.types.STATUSBAR_HT_header.remove(ui.statusbar_hook)
    for handlers, fn in ((bpy.app.handlers.save_post, on_save_post),
                         (bpy.app.handlers.depsgraph_update_post, capture.on_data_changed),
                         (bpy.app.handlers.load_post, capture.on_data_changed),
                         (getattr(bpy.app.handlers, "exit_pre", None), on_exit)):
        if handlers is not None and fn in handlers:
            handlers.remove(fn)
    prefs.unregister_props()
    for cls in reversed(_CLASSES):
        bpy.utils.unregister_class(cls)
