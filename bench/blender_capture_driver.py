"""Runs INSIDE Blender with a window (under Xvfb), started by bench/blender_capture.py:

  blender --factory-startup --enable-event-simulate -setaudio None --python THIS \
    -- OUT.json ADDON_DIR N

Builds a ~0.5 M-vertex scene, then measures the main-thread wall time (time.perf_counter around
the call) of one capture, interleaved A B A B ... after one warm-up of each, one measurement per
timer tick so that Blender's event loop (and its redraws) runs in between:
  .blend copy   old: bpy.ops.wm.save_as_mainfile(copy=True)   new: BlenderCapture().blend_copy
  screenshot    old: bpy.ops.screen.screenshot (PNG)          new: BlenderCapture().screenshot
                (the main thread only reads the pixels; the PNG is written by the returned
                callable, timed separately on a worker thread, as the add-on's hashing thread
                runs it)
Writes OUT.json and exits 0 itself; any failure prints a FAILED line and exits 1 (a failing timer
alone would let Blender exit 0).
"""

import json
import os
import sys
import threading
import time
import traceback

import bpy

OUT, ADDON_DIR, N = sys.argv[sys.argv.index("--") + 1:][:3]
N = int(N)
sys.path.insert(0, ADDON_DIR)
from pracownia_student import capture  # noqa: E402

MARK = "PRACOWNIA-CAPTURE-BENCH"
DEADLINE = time.monotonic() + float(os.environ.get("PRACOWNIA_BENCH_TIMEOUT_S", "900"))
WORK = os.path.join(os.environ.get("TMPDIR", "/tmp"), "capture-bench")
os.makedirs(WORK, exist_ok=True)
CAP = capture.BlenderCapture()
res = {"blender": bpy.app.version_string, "python": sys.version.split()[0], "n": N,
       "times": {k: [] for k in ("blend_old", "blend_new", "shot_old", "shot_new",
                                 "shot_new_encode", "shot_new_encode_cpu")},
       "sizes": {k: [] for k in ("blend_old", "blend_new", "shot_old", "shot_new")},
       "fallback": 0}
state = {"i": 0, "plan": None, "worker": None}
KEEP = os.environ.get("PRACOWNIA_BENCH_KEEP")  # a folder: keep the last screenshot of each kind


def say(*words):
    print(MARK, *words, flush=True)


def fail(why):
    say("FAILED", why)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1)


def window():
    return bpy.context.window_manager.windows[0]


def build_scene():
    win = window()
    for value in ("PRESS", "RELEASE"):  # close the splash screen (--enable-event-simulate)
        win.event_simulate(type="ESC", value=value, x=win.width // 2, y=win.height // 2)
    bpy.ops.mesh.primitive_uv_sphere_add(segments=1000, ring_count=500, radius=2.0)
    me = bpy.context.active_object.data
    res["vertices"] = len(me.vertices)
    res["faces"] = len(me.polygons)
    win = window()
    res["window"] = [win.width, win.height]


def path(kind, i):
    ext = ".blend" if kind.startswith("blend") else ".png"
    return os.path.join(WORK, "%s-%d%s" % (kind, i, ext))


def measure(kind, i, record):
    p = path(kind, i)
    finish = None
    t0 = time.perf_counter()
    if kind == "blend_old":
        r = bpy.ops.wm.save_as_mainfile(filepath=p, copy=True, check_existing=False,
                                        relative_remap=False)
        if r != {"FINISHED"}:
            fail("save_as_mainfile: %r" % r)
    elif kind == "blend_new":
        CAP.blend_copy(p)
    elif kind == "shot_old":
        CAP.screenshot_operator(p)
    elif kind == "shot_new":
        finish = CAP.screenshot(p)
    dt = time.perf_counter() - t0
    if kind == "shot_new":
        if finish is None:
            res["fallback"] += 1  # the operator took it: not the method under test
        else:
            def work():
                c0, w0 = time.thread_time(), time.perf_counter()
                finish()
                enc = (time.perf_counter() - w0, time.thread_time() - c0)
                if record:
                    res["times"]["shot_new_encode"].append(enc[0])
                    res["times"]["shot_new_encode_cpu"].append(enc[1])
            state["worker"] = threading.Thread(target=work)
            state["worker"].start()
            state["worker_path"] = p
            return dt
    if record:
        res["times"][kind].append(dt)
        res["sizes"][kind].append(os.path.getsize(p))
    done_with(kind, p)
    return dt


def done_with(kind, p):
    if KEEP and kind.startswith("shot"):
        os.replace(p, os.path.join(KEEP, kind + ".png"))
    elif os.path.exists(p):
        os.remove(p)


def step():
    try:
        return _step()
    except SystemExit:
        raise
    except Exception:
        traceback.print_exc()
        fail("exception in the driver")


def _step():
    if time.monotonic() > DEADLINE:
        fail("timed out at measurement %d" % state["i"])
    w = state["worker"]
    if w is not None:  # the previous screenshot's PNG is being written: wait for it
        if w.is_alive():
            return 0.05
        state["worker"] = None
        p = state.pop("worker_path")
        if state["i"] > 4:
            res["times"]["shot_new"].append(state.pop("pending_dt"))
            res["sizes"]["shot_new"].append(os.path.getsize(p))
        with open(p, "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                fail("the new screenshot is not a PNG")
        done_with("shot_new", p)
    if state["plan"] is None:
        build_scene()
        say("scene: %d vertices, window %dx%d" % (res["vertices"], *res["window"]))
        order = ("blend_old", "blend_new", "shot_old", "shot_new")
        state["plan"] = list(order) + [k for _ in range(N) for k in order]  # warm-up, then n each
        res["load_start"] = os.getloadavg()
        return 1.0  # let Blender draw the new scene
    i = state["i"]
    if i >= len(state["plan"]):
        res["load_end"] = os.getloadavg()
        with open(OUT, "w") as f:
            json.dump(res, f, indent=1)
        say("OK")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    kind = state["plan"][i]
    record = i >= 4
    dt = measure(kind, i, record)
    if kind == "shot_new" and state["worker"] is not None:
        state["pending_dt"] = dt
    say("%-9s %s %.1f ms" % (kind, "run " if record else "warm", dt * 1000))
    state["i"] = i + 1
    return 0.3  # Blender's event loop runs between measurements


bpy.app.timers.register(step, first_interval=1.0)
