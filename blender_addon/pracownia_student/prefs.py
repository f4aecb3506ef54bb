"""Add-on preferences (remembered by Blender's preferences) and the panel's session-only fields."""

import bpy
from bpy.props import IntProperty, PointerProperty, StringProperty

from . import runtime
from .transport.protocol import DEFAULT_PORT

ADDON_ID = __package__  # "pracownia_student", or "bl_ext.<repo>.pracownia_student" as extension


def get_prefs(context=None):
    context = context or bpy.context
    addon = context.preferences.addons.get(ADDON_ID)
    return addon.preferences if addon is not None else None


class PracowniaPreferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_ID

    login: StringProperty(name="Login", description="Your login, as the lecturer knows you",
                          maxlen=64)
    address: StringProperty(name="Lecturer", default="",
                            description="The lecturer's computer: host or host:port "
                                        "(the port is %d unless the lecturer says otherwise), "
                                        "or the join text pracownia://… the lecturer shows, "
                                        "which fills in the class code too" % DEFAULT_PORT)
    screenshot_every_s: IntProperty(name="Screenshot every (seconds)", default=60, min=10,
                                    max=3600)
    blend_every_min: IntProperty(name=".blend copy every (minutes)", default=5, min=1, max=120)

    def draw(self, context):
        layout = self.layout
        box = layout.box()
        box.label(text="Student id (your login on this Blender installation):")
        row = box.row()
        row.label(text=runtime.student_id or "(not created yet)", icon="USER")
        row.operator("pracownia.reset_student_id", text="Reset", icon="FILE_REFRESH")
        col = layout.column()
        col.prop(self, "login")
        col.prop(self, "address")
        col.separator()
        col.label(text="Automatic sending while connected:")
        col.prop(self, "screenshot_every_s")
        col.prop(self, "blend_every_min")
        col.label(text="A .blend copy is also sent after each save; unchanged files are skipped.")


class PracowniaSessionProps(bpy.types.PropertyGroup):
    """Fields that are not remembered across restarts (on the window manager)."""

    class_code: StringProperty(name="Class code", subtype="PASSWORD",
                               description="Optional: the code the lecturer gives the class")
    chat_text: StringProperty(name="Message", description="A message to the lecturer")


CLASSES = (PracowniaPreferences, PracowniaSessionProps)


def register_props():
    bpy.types.WindowManager.pracownia = PointerProperty(type=PracowniaSessionProps)


def unregister_props():
    del bpy.types.WindowManager.pracownia
