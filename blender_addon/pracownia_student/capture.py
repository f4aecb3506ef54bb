"""The only code that asks Blender for pixels or a .blend copy. Main thread only (timer ticks).

A screenshot is the whole Blender window. The main thread only reads the window's pixels (the
framebuffer Blender last drew it into, gpu module, ~5 ms at 1920x1080); the PNG is encoded later
by the returned callable on the session's hashing thread (zlib releases the GIL while it
compresses). bpy.ops.screen.screenshot redraws every window and encodes the PNG on the main
thread (~100 ms at 1920x1080 in bench/RESULTS.md); it is still used when the pixels cannot be
read that way (more than one window, a framebuffer not the window's size, a blank read).

The .blend copy is written with bpy.data.libraries.write() of every local data-block,
not save_as_mainfile(copy=True): with a window, the "file saved" notifier that a save posts is
processed after the call and clears bpy.data.is_dirty, so quitting Blender would no longer ask the
student to save their work (Blender 3.4 to 5.x). A partial write posts no notifier, runs no save
handlers and renders no thumbnail. Edit-mode changes are flushed first, as a save would.
`saving_copy` still tells addon.on_save_post that a write is ours.
"""

import os
import struct
import sys
import zlib

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
        """Reads the pixels and returns a callable that writes the PNG at path (to be run off the
        main thread); when the pixels cannot be read directly, writes it now and returns None."""
        win = _main_window()
        if bpy.app.background or win is None:
            raise RuntimeError(self.no_screenshot_reason())
        pixels = _read_window(win)
        if pixels is not None:
            return lambda: write_png(path, *pixels)
        self.screenshot_operator(path, win)
        return None

    def screenshot_operator(self, path, win=None):
        """Blender's own screenshot, all on the main thread (the fallback, and the benchmark's
        baseline)."""
        win = win or _main_window()
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


def _read_window(win):
    """(rgb, width, height), rows bottom-up, of the window's framebuffer as Blender last drew it;
    None when that cannot be read safely. Outside drawing, the active framebuffer is the one of the
    window drawn last, so with more than one window it may not be this one: then None."""
    if len(bpy.context.window_manager.windows) != 1 or not _fast_read_verified():
        return None
    try:
        import gpu
        fb = gpu.state.active_framebuffer_get()
        x, y, w, h = fb.viewport_get()
        if (x, y, w, h) != (0, 0, win.width, win.height) or w <= 0 or h <= 0:
            return None
        buf = gpu.types.Buffer("UBYTE", w * h * 3)  # flat: it exports contiguous bytes
        fb.read_color(0, 0, w, h, 3, 0, "UBYTE", data=buf)
        rgb = memoryview(buf).cast("B")
    except Exception:  # no such API in this Blender or backend: the operator takes it
        return None
    if rgb.nbytes != w * h * 3 or len(set(rgb[::7919])) < 2:  # a blank read: not a Blender window
        return None
    return rgb, w, h


def _fast_read_verified():
    """The window's framebuffer after the buffers were swapped is undefined by OpenGL; it holds the
    last frame with Mesa under X11 (measured), which is all we have verified. Windows, macOS,
    Wayland and the Vulkan/Metal backends keep Blender's own screenshot until tried there."""
    if not sys.platform.startswith("linux") or os.environ.get("WAYLAND_DISPLAY"):
        return False
    try:
        import gpu
        backend = gpu.platform.backend_type_get()
    except (ImportError, AttributeError):  # Blender 3.4 has no such call: OpenGL is its only one
        return True
    return backend == "OPENGL"


def write_png(path, rgb, width, height, level=6):
    """An 8-bit RGB PNG from rows stored bottom-up (OpenGL's order). Pure Python and zlib, for a
    thread inside Blender: zlib releases the GIL while it compresses, and the rows are joined
    64 at a time, so the GIL is never held for more than a fraction of a millisecond at once."""
    stride = width * 3
    z = zlib.compressobj(level)
    parts = []
    top = height - 1
    while top >= 0:
        rows = []
        for r in range(top, max(top - 64, -1), -1):
            rows.append(b"\0")  # filter: none
            rows.append(rgb[r * stride:(r + 1) * stride])
        parts.append(z.compress(b"".join(rows)))
        top -= 64
    parts.append(z.flush())
    data = b"".join(parts)

    def chunk(tag, body):
        return (struct.pack(">I", len(body)) + tag + body
                + struct.pack(">I", zlib.crc32(body, zlib.crc32(tag))))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", data))
        f.write(chunk(b"IEND", b""))


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
