"""Registration: classes, the save handler, the status bar and clean shutdown.

The timer itself is in timers.py. Disconnect, unregister and quitting Blender (exit_pre where it
exists, atexit otherwise) stop the timer and the threads. Nothing imports this module but the
package's register hooks.
"""

import atexit
import os

import bpy
from bpy.app.handlers import persistent

from . import capture, deps, identity, notify, ops, prefs, runtime, timers, ui

ctl = runtime.controller
_atexit_done = [False]


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
        timers.stop_timer()
    except Exception:
        pass
    ctl.disconnect(timeout=1.0)


def _setup_paths():
    config = bpy.utils.user_resource("CONFIG", path="pracownia", create=True)
    runtime.config_dir = config
    # One id per login on this configuration (shared lab accounts), in student_ids.json; the id
    # of add-ons before that (student_id) becomes the id of the login that used it last.
    runtime.id_path = os.path.join(config, "student_ids.json")
    runtime.legacy_id_path = os.path.join(config, "student_id")
    runtime.student_id = identity.load_or_create(runtime.legacy_id_path)
    # One file per lecturer address under the user config: it survives restarts and updates.
    runtime.conversation_dir = os.path.join(config, "conversations")
    runtime.deps_dir = bpy.utils.user_resource("SCRIPTS", path=os.path.join("modules",
                                                                         "pracownia_deps"))
    deps.add_to_path(runtime.deps_dir)


_CLASSES = prefs.CLASSES + ops.CLASSES + notify.CLASSES + ui.CLASSES


def _setup_identity():
    """The seat id, and the id of the login in the preferences (the pre-identity id stays with
    it: the login that used it last)."""
    p = prefs.get_prefs()
    runtime.last_login = (p.login.strip() if p is not None else "")
    runtime.seat_id = identity.seat_id(runtime.id_path, runtime.legacy_id_path, runtime.last_login)
    runtime.student_id = identity.peek(runtime.id_path, runtime.last_login) or runtime.student_id


def register():
    _setup_paths()
    for cls in _CLASSES:
        bpy.utils.register_class(cls)
    _setup_identity()
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
    timers.stop_timer()
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
