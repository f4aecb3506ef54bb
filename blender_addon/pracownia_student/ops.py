"""Operators: the student's buttons. Only operators call report(); timers show status instead."""

import bpy
from bpy.props import EnumProperty

from . import deps, identity, keys, runtime, timers
from .joinstring import lecturer_field
from .prefs import get_prefs

ctl = runtime.controller


def _hello_info():
    info = {"blender": bpy.app.version_string}
    if runtime.seat_id:
        info["seat"] = runtime.seat_id
    return info


def student_id_for(login):
    """The id of login on this configuration, created the first time that login connects."""
    return identity.id_for_login(runtime.id_path, login, runtime.legacy_id_path, runtime.last_login)


def _fail(op, sentence):
    op.report({"ERROR"}, sentence)
    return {"CANCELLED"}


class PRACOWNIA_OT_connect(bpy.types.Operator):
    """Connect to the lecturer, or disconnect"""
    bl_idname = "pracownia.connect"
    bl_label = "Connect"

    def execute(self, context):
        if ctl.connected:
            timers.stop_sharing()
            self.report({"INFO"}, "Disconnected from the lecturer.")
            return {"FINISHED"}
        if not deps.zmq_available():
            return _fail(self, "pyzmq is missing: press 'Install pyzmq' in the Pracownia panel.")
        prefs = get_prefs(context)
        prefs.login = prefs.login.strip()
        session_props = context.window_manager.pracownia
        try:
            address, code, server_key = lecturer_field(prefs.address, session_props.class_code)
            if code != session_props.class_code:
                session_props.class_code = code  # the student sees the code the join text carried
            # The id of this login on this configuration (another login here is another student).
            runtime.student_id = student_id_for(prefs.login)
            ctl.connect(address, prefs.login, runtime.student_id,
                        class_code=code,
                        server_key=server_key, key_folder=runtime.config_dir,
                        hello_info=_hello_info(),
                        screenshot_every_s=prefs.screenshot_every_s,
                        blend_every_s=prefs.blend_every_min * 60.0,
                        conversation_dir=runtime.conversation_dir)
        except ValueError as e:
            ctl.error = str(e)
            return _fail(self, str(e))
        timers.start_timer()
        return {"FINISHED"}


class PRACOWNIA_OT_hand(bpy.types.Operator):
    """Raise your hand, or lower it"""
    bl_idname = "pracownia.hand"
    bl_label = "Raise hand"

    def execute(self, context):
        try:
            ctl.set_hand(not ctl.hand_raised)
        except ValueError as e:
            return _fail(self, str(e))
        return {"FINISHED"}


class PRACOWNIA_OT_chat_send(bpy.types.Operator):
    """Send the message to the lecturer"""
    bl_idname = "pracownia.chat_send"
    bl_label = "Send"

    def execute(self, context):
        props = context.window_manager.pracownia
        try:
            ctl.send_chat(props.chat_text)
        except ValueError as e:
            return _fail(self, str(e))
        props.chat_text = ""
        return {"FINISHED"}


class PRACOWNIA_OT_mark_read(bpy.types.Operator):
    """Mark the lecturer's messages as read (the lecturer sees that you read them)"""
    bl_idname = "pracownia.mark_read"
    bl_label = "Mark as read"

    def execute(self, context):
        ctl.mark_conversation_read()
        timers.redraw()
        return {"FINISHED"}


class PRACOWNIA_OT_send_now(bpy.types.Operator):
    """Send a screenshot or a copy of the .blend file now"""
    bl_idname = "pracownia.send_now"
    bl_label = "Send now"

    kind: EnumProperty(items=[("screenshot", "Screenshot", "A screenshot of the Blender window"),
                              ("blend", ".blend", "A copy of the current .blend file")],
                       default="blend")

    def execute(self, context):
        if self.kind == "screenshot" and bpy.app.background:
            return _fail(self, "Blender runs without a window, so no screenshot can be taken.")
        try:
            ctl.request(self.kind)
        except ValueError as e:
            return _fail(self, str(e))
        return {"FINISHED"}


class PRACOWNIA_OT_pause(bpy.types.Operator):
    """Pause or resume the automatic screenshots and .blend copies"""
    bl_idname = "pracownia.pause"
    bl_label = "Pause sharing"

    def execute(self, context):
        ctl.paused = not ctl.paused
        timers.redraw()
        return {"FINISHED"}


class PRACOWNIA_OT_install_pyzmq(bpy.types.Operator):
    """Install pyzmq (the network library Pracownia needs) into Blender's user scripts folder"""
    bl_idname = "pracownia.install_pyzmq"
    bl_label = "Install pyzmq"

    def execute(self, context):
        inst = runtime.installer
        if inst is None or inst.state in ("done", "failed"):
            inst = runtime.installer = deps.Installer(runtime.deps_dir)
        inst.start(online_allowed=getattr(bpy.app, "online_access", True))
        if inst.state == "failed":
            return _fail(self, inst.message)
        timers.start_timer()
        return {"FINISHED"}


class PRACOWNIA_OT_reset_student_id(bpy.types.Operator):
    """Create a new student id for this login: the lecturer will see it as a new student"""
    bl_idname = "pracownia.reset_student_id"
    bl_label = "Reset student id"

    def invoke(self, context, event):
        return context.window_manager.invoke_confirm(self, event)

    def execute(self, context):
        if ctl.connected:
            return _fail(self, "Disconnect first, then reset the student id.")
        old = runtime.student_id
        try:
            runtime.student_id = identity.reset(runtime.id_path, get_prefs(context).login)
        except ValueError as e:
            return _fail(self, str(e))
        if old and runtime.config_dir:  # a new identity gets a new encryption key too
            keys.forget(runtime.config_dir, old)
        self.report({"INFO"}, "New student id: %s" % runtime.student_id)
        return {"FINISHED"}


CLASSES = (PRACOWNIA_OT_connect, PRACOWNIA_OT_hand, PRACOWNIA_OT_chat_send, PRACOWNIA_OT_mark_read,
           PRACOWNIA_OT_send_now, PRACOWNIA_OT_pause, PRACOWNIA_OT_install_pyzmq,
           PRACOWNIA_OT_reset_student_id)
