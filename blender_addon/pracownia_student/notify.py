"""Telling the student that the lecturer wrote, without blocking their work.

The add-on timer (timers._tick, main thread) calls check() after each controller tick. A new
reply or broadcast becomes an INFO report: it flashes in the status bar and stays in the Info
editor's log. Nothing modal, nothing to click away; the status bar's unread marker (ui.py) stays
until the student presses "Mark as read".

Why a modal operator: a timer has no operator, and an operator run from Python with bpy.ops keeps
its reports to itself (they reach the terminal only). Reports made in modal() go to the window
manager, which shows them in the status bar. The operator waits for one event-timer tick, reports
and finishes; every other event passes through untouched. Checked in Blender 3.4 (window under
Xvfb); the same calls exist in 4.x and 5.x. In background mode (no window) only the marker is kept.
"""

import bpy
from bpy.props import StringProperty

from . import runtime

ctl = runtime.controller
_NOTICED_KINDS = ("reply", "broadcast")
_TEXT_MAX = 120
noticed = set()   # lecturer message ids already announced (once each per Blender session)
log = []          # (text, "reported" | "no window" | "failed: ...") for tests and debugging


def new_messages(conversation):
    """Unread replies and broadcasts not announced yet (marks them announced)."""
    items = [i for i in conversation if i["kind"] in _NOTICED_KINDS and i["state"] == "unread"
             and i["id"] not in noticed]
    noticed.update(i["id"] for i in items)
    return items


def notice_text(items):
    if len(items) > 1:
        return "%d new messages from the lecturer: see the Pracownia panel." % len(items)
    item = items[0]
    text = " ".join(item["text"].split())
    if len(text) > _TEXT_MAX:
        text = text[:_TEXT_MAX - 1] + "…"
    who = "Message to everyone" if item["who"] == "class" else "The lecturer wrote"
    return "%s: %s" % (who, text)


def check():
    """Announce new lecturer messages, if any. Never raises (called from the timer)."""
    items = new_messages(ctl.conversation)
    if items:
        show(notice_text(items))


def show(text):
    wm = getattr(bpy.context, "window_manager", None)
    windows = list(wm.windows) if wm is not None and not bpy.app.background else []
    if not windows:
        log.append((text, "no window"))
        return
    win = bpy.context.window or windows[0]
    try:
        with bpy.context.temp_override(window=win, screen=win.screen):
            bpy.ops.pracownia.notice("INVOKE_DEFAULT", text=text)
    except Exception as e:  # a notice must never break the timer; the marker still shows
        log.append((text, "failed: %s" % e))


class PRACOWNIA_OT_notice(bpy.types.Operator):
    """Show a message from the lecturer in the status bar"""
    bl_idname = "pracownia.notice"
    bl_label = "Message from the lecturer"
    bl_options = {"INTERNAL"}

    text: StringProperty(options={"SKIP_SAVE"})

    def invoke(self, context, event):
        wm = context.window_manager
        self._timer = wm.event_timer_add(0.05, window=context.window)
        wm.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        if event.type != "TIMER":
            return {"PASS_THROUGH"}  # the student's input is never taken
        context.window_manager.event_timer_remove(self._timer)
        self.report({"INFO"}, self.text)
        log.append((self.text, "reported"))
        return {"FINISHED", "PASS_THROUGH"}

    def cancel(self, context):
        context.window_manager.event_timer_remove(self._timer)


CLASSES = (PRACOWNIA_OT_notice,)
