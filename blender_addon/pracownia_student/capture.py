"""The only code that asks Blender for pixels or a .blend copy. Main thread only (timer ticks).

A screenshot is the whole Blender window (bpy.ops.screen.screenshot with that window in the
context). The .blend copy is written with bpy.data.libraries.write() of every local data-block,
not save_as_mainfile(copy=True): with a window, the "file saved" notifier that a save posts is
processed after the call and clears bpy.data.is_dirty, so quitting Blender would no longer ask the
student to save their work (Blender 3.4 to 5.x). A partial write posts no notifier, runs no save
handlers and renders no thumbnail. Edit-mode changes are flushed first, as a save would.
`saving_copy` still tells addon.on_save_post that a write is ours.
"""

import os

import bpy
from bpy.app.handlers import persistent

__all__ = ["BlenderCapture", "saving_copy", "on_data_changed"]

_saving = [False]
_changes = [0]


@persistent
def on_data_changed(*_args):
    """depsgraph_update_post and load_post: the student's data may differ from the last copy."""
    _changes[0] += 1


def saving_copy():
    return _saving[0]


def _main_window():
    wm = bpy.context.window_manager
    for win in wm.windows:
        if win.screen is not None and not win.screen.is_temporary:
            return win
    return wm.windows[0] if len(wm.windows) else None


class BlenderCapture:
    def can_screenshot(self):
        return not bpy.app.background and _main_window() is not None

    def no_screenshot_reason(self):
        if bpy.app.background:
            return ("Blender runs without a window, so no screenshots can be taken; "
                    ".blend copies are still sent.")
        return "No Blender window is open, so no screenshot can be taken."

    def open_file_name(self):
        path = bpy.data.filepath
        return bpy.path.basename(path) if path else None

    def screenshot(self, path):
        win = _main_window()
        if bpy.app.background or win is None:
            raise RuntimeError(self.no_screenshot_reason())
        with bpy.context.temp_override(window=win, screen=win.screen):
            result = bpy.ops.screen.screenshot(filepath=path, check_existing=False)
        if "FINISHED" not in result:
            raise RuntimeError("Blender did not take the screenshot (%s)." % ", ".join(result))

    def change_count(self):
        """Blender's data changes so far. Pending updates are evaluated first: without a window
        nothing else would, and with one it costs nothing when nothing changed."""
        layer = getattr(bpy.context, "view_layer", None)
        if layer is not None:
            layer.update()
        return _changes[0]

    def blend_copy(self, path):
        _saving[0] = True
        try:
            _flush_edit_modes()
            bpy.data.libraries.write(path, _local_ids(), path_remap="NONE", fake_user=False,
                                     compress=False)
        finally:
            _saving[0] = False
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            raise RuntimeError("Blender did not write the copy.")


# Window managers, screens and workspaces keep the student's layout and active scene in the copy.
# Blender 3.x writes them in a partial file; 4.x and later refuse to copy a window manager there
# (an error in the log), so from 4.0 the copy opens with the first scene and the opener's layout.
_UI_COLLECTIONS = ("window_managers", "screens", "workspaces")


def _local_ids():
    with_ui = bpy.app.version < (4, 0, 0)
    ids = set()
    for name in dir(bpy.data):
        if name == "libraries" or (not with_ui and name in _UI_COLLECTIONS):
            continue
        coll = getattr(bpy.data, name, None)
        if isinstance(coll, bpy.types.bpy_prop_collection):
            # Linked data-blocks are written as references by the write's own dependency pass.
            ids.update(i for i in coll if isinstance(i, bpy.types.ID) and i.library is None)
    return ids


def _flush_edit_modes():
    """Edit-mode changes live outside the mesh until flushed; a save flushes them too."""
    for ob in bpy.data.objects:
        if ob.mode == "EDIT":
            ob.update_from_editmode()
