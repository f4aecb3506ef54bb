"""The only code that asks Blender for pixels or a .blend copy. Main thread only (timer ticks).

A screenshot is the whole Blender window (bpy.ops.screen.screenshot with that window in the
context). The .blend copy uses save_as_mainfile(copy=True): the open file's path and its
unsaved-changes flag stay as they were. Our own save fires save_pre/save_post, which
addon.on_save_post must ignore: `saving_copy` tells it.
"""

import bpy

__all__ = ["BlenderCapture", "saving_copy"]

_saving = [False]


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

    def blend_copy(self, path):
        win = None if bpy.app.background else _main_window()
        _saving[0] = True
        try:
            kw = dict(filepath=path, copy=True, check_existing=False, relative_remap=False)
            if win is not None:
                with bpy.context.temp_override(window=win, screen=win.screen):
                    result = bpy.ops.wm.save_as_mainfile(**kw)
            else:
                result = bpy.ops.wm.save_as_mainfile(**kw)
        finally:
            _saving[0] = False
        if "FINISHED" not in result:
            raise RuntimeError("Blender did not save the copy (%s)." % ", ".join(result))
