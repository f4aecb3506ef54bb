"""What the drivers running INSIDE Blender with a window share (blender_window_driver.py,
twoway_window_driver.py): marked output lines, failing with exit code 1 (a failing timer alone
would let Blender exit 0), the window and its 3D View, the sidebar tab click, the add-on's
controller, and the layout recorder of the bpy tests.

Blender runs the drivers as scripts, where pytest.ini's pythonpath does not apply: each driver
puts the repository root on sys.path in its first lines and
imports this module as tests.blender.window.driver_kit."""

import os
import sys
import traceback

import bpy

from tests.blender.layout_recorder import Recorder  # noqa: F401  (for the drivers)


class Kit:
    def __init__(self, mark):
        self.mark = mark

    def say(self, *words):
        try:
            print(self.mark, *words, flush=True)
        except OSError:  # the test has gone (closed pipe): fail() must still reach os._exit
            pass

    def fail(self, why):
        self.say("FAILED", why)
        shot = os.environ.get("PRACOWNIA_FAILURE_SHOT")
        if shot:  # what the window showed, for the person reading the failure
            try:
                screenshot(shot)
                self.say("failure screenshot:", shot)
            except Exception as e:
                self.say("no failure screenshot:", e)
        try:
            sys.stdout.flush()
        except OSError:
            pass
        os._exit(1)

    def guarded(self, step):
        """A timer function that fails the run (exit 1) on any exception instead of dying."""
        def run():
            try:
                return step()
            except SystemExit:
                raise
            except Exception:
                try:
                    traceback.print_exc()
                except OSError:
                    pass
                self.fail("exception in the driver")
        return run


def window():
    return bpy.context.window_manager.windows[0]


def screenshot(path):
    with bpy.context.temp_override(window=window()):
        bpy.ops.screen.screenshot(filepath=path, check_existing=False)


def view3d():
    for area in window().screen.areas:
        if area.type == "VIEW_3D":
            return area
    raise RuntimeError("no 3D View in the default screen")


def click_sidebar_tab(attempt):
    """Click down the sidebar's tab strip, one spot per attempt, until our panel draws (3.4 has
    no Python API to pick a tab). Clicks on the strip only switch tabs: the scene is untouched."""
    region = [r for r in view3d().regions if r.type == "UI"][0]
    x = region.x + region.width - 10
    y = region.y + region.height - 15 - attempt * 20
    win = window()
    if attempt == 0:  # the splash screen takes all input: close it first
        for value in ("PRESS", "RELEASE"):
            win.event_simulate(type="ESC", value=value, x=x, y=y)
    win.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
    for value in ("PRESS", "RELEASE"):
        win.event_simulate(type="LEFTMOUSE", value=value, x=x, y=y)


def ctl():
    from pracownia_student import runtime
    return runtime.controller
