"""Pracownia — student add-on: sends chat, screenshots and .blend copies to the lecturer.

This file holds only ``bl_info`` and the register hooks, which import the Blender UI lazily, so
that ``pracownia_student.transport`` can be imported and tested without Blender.
"""

bl_info = {
    "name": "Pracownia — student",
    "author": "Pracownia",
    "version": (0, 1, 0),
    "blender": (3, 4, 0),
    "location": "View3D > Sidebar > Pracownia",
    "description": "Chat, raise a hand and send screenshots and .blend files to the lecturer",
    "category": "System",
}


def register():
    from . import addon

    addon.register()


def unregister():
    from . import addon

    addon.unregister()
