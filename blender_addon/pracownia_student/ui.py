"""The panel in the 3D View sidebar (tab "Pracownia") and the status-bar notice while sharing.

draw_panel() and draw_statusbar() take any layout-like object, so tests can draw them into a
recorder. They only read state: no operator runs, nothing is changed while drawing.
"""

import bpy

from . import deps, runtime, ui_conversation
from .prefs import get_prefs

ctl = runtime.controller
_STATE_ICON = {"not_connected": "UNLINKED", "waiting": "TIME", "connected": "LINKED",
               "sending": "EXPORT", "error": "ERROR"}


def _progress(layout, factor, text):
    if hasattr(layout, "progress"):  # Blender 4.0+
        layout.progress(factor=factor, type="BAR", text=text)
    else:
        filled = int(round(factor * 20))
        layout.label(text="%s %s %d%%" % ("█" * filled + "░" * (20 - filled), text,
                                          int(factor * 100)))


def draw_deps(layout):
    """The one-button install of pyzmq; True when pyzmq is missing (the rest is then hidden)."""
    inst = runtime.installer
    if deps.zmq_available():
        if inst is not None and inst.state == "done":
            layout.label(text=inst.message, icon="CHECKMARK")
        return False
    box = layout.box()
    box.label(text="Pracownia needs pyzmq, which is missing.", icon="ERROR")
    if inst is not None and inst.state == "running":
        box.label(text=inst.message, icon="SORTTIME")
    else:
        box.operator("pracownia.install_pyzmq", icon="IMPORT")
        if inst is not None and inst.message:
            box.label(text=inst.message, icon="ERROR" if inst.state == "failed" else "INFO")
    return True


def draw_panel(layout, context):
    if draw_deps(layout):
        return
    prefs = get_prefs(context)
    st = ctl.status()
    box = layout.box()
    box.label(text=st["text"], icon=_STATE_ICON.get(st["state"], "INFO"))
    if st["progress"] is not None:
        _progress(box, st["progress"], "")
    if st["notice"]:
        box.label(text=st["notice"], icon="INFO")
    if st.get("fallback"):  # the courier process did not start: the thread inside Blender sends
        ui_conversation.wrapped_label(box, st["fallback"], context, "INFO")
    if st["error"] and st["state"] != "error":
        # wrapped: e.g. why an encrypted connection fails is a sentence the student must read whole
        col = ui_conversation.wrapped_label(box, st["error"], context, "ERROR")
        col.alert = True
    if ctl.connected:
        row = box.row()
        row.alert = not ctl.paused
        if ctl.paused:
            row.label(text="Sharing paused", icon="PAUSE")
            box.operator("pracownia.pause", text="Resume sharing", icon="PLAY")
        else:
            row.label(text="Sharing is ON", icon="REC")
            box.label(text="Screenshots + .blend copies")
            box.operator("pracownia.pause", text="Pause sharing", icon="PAUSE")
        if st["two_way"]:  # the lecturer's receiver answered register: replies can come
            ui_conversation.wrapped_label(box, "The lecturer can answer you", context, "CHECKMARK")
        if st.get("encrypted") and st["state"] in ("connected", "sending"):  # CURVE both ways
            box.label(text="Encrypted connection", icon="LOCKED")

    col = layout.column()
    col.enabled = not ctl.connected
    if prefs is not None:
        col.prop(prefs, "login")
        col.prop(prefs, "address")
    col.prop(context.window_manager.pracownia, "class_code")
    layout.operator("pracownia.connect", text="Disconnect" if ctl.connected else "Connect",
                    icon="CANCEL" if ctl.connected else "LINKED", depress=ctl.connected)
    if not ctl.connected:
        if len(ctl.conversation):  # still readable (and markable as read) while disconnected
            ui_conversation.draw_conversation(layout, context, can_send=False)
        return

    layout.operator("pracownia.hand", text="Lower hand" if ctl.hand_raised else "Raise hand",
                    icon="HAND", depress=ctl.hand_raised)
    if ctl.hand_raised and ctl.hand_acknowledged:
        ui_conversation.wrapped_label(layout, "The lecturer saw your hand", context, "CHECKMARK")
    row = layout.row(align=True)
    op = row.operator("pracownia.send_now", text="Screenshot", icon="IMAGE_DATA")
    op.kind = "screenshot"
    op = row.operator("pracownia.send_now", text=".blend", icon="FILE_BLEND")
    op.kind = "blend"
    draw_chat(layout, context)


def draw_chat(layout, context):
    ui_conversation.draw_conversation(layout, context)


def draw_statusbar(layout):
    """Honest privacy: the status bar says when the lecturer gets screenshots and copies."""
    if ctl.connected:
        row = layout.row(align=True)
        if ctl.paused:
            row.label(text="Pracownia: sharing paused", icon="PAUSE")
            row.operator("pracownia.pause", text="Resume", icon="PLAY")
        else:
            row.alert = True
            row.label(text="Pracownia: sharing your screen and .blend", icon="REC")
            row.operator("pracownia.pause", text="Pause", icon="PAUSE")
    ui_conversation.draw_status_marker(layout)


class PRACOWNIA_PT_panel(bpy.types.Panel):
    bl_idname = "PRACOWNIA_PT_panel"
    bl_label = "Pracownia"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Pracownia"

    def draw(self, context):
        draw_panel(self.layout, context)


def statusbar_hook(self, context):
    draw_statusbar(self.layout)


CLASSES = (PRACOWNIA_PT_panel,)
