"""Runs INSIDE Blender with a window (under Xvfb), started by bench/blender_redraw.py:

  blender --factory-startup --enable-event-simulate -setaudio None --python THIS \
    -- OUT.json ADDON_DIR PORT FILES_DIR ROUNDS

Issue 11, item 2: does an upload slow Blender's drawing? Builds a ~0.5 M-vertex scene (as item
5b's), then, in rounds interleaved idle / thread / courier, measures Blender's frame time: a
timer that returns 0 tags the 3D View for redraw and records the time between its calls, so each
gap is one pass of Blender's event loop with a 3D View redraw (frame pacing as the student sees
it while orbiting). "thread" uploads with the in-process Session (the sender and hashing threads
inside Blender, the add-on's fallback), "courier" with the CourierSession (the same work in the
courier process), "idle" has nothing connected. A round is PRACOWNIA_BENCH_FRAMES frames (12)
plus one dropped; during it the prepared files in FILES_DIR are uploaded one after another
(alternating, so no digest skip), so an upload is in progress for every frame. Writes OUT.json
and exits 0; any failure prints a FAILED line and exits 1.
"""

import json
import os
import sys
import time
import traceback
import uuid
from array import array

import bpy

OUT, ADDON_DIR, PORT, FILES, ROUNDS = sys.argv[sys.argv.index("--") + 1:][:5]
ROUNDS = int(ROUNDS)
sys.path.insert(0, ADDON_DIR)
from pracownia_student.courier_client import CourierSession  # noqa: E402
from pracownia_student.schedule import DigestGate  # noqa: E402
from pracownia_student.session import Session  # noqa: E402

MARK = "PRACOWNIA-REDRAW-BENCH"
DEADLINE = time.monotonic() + float(os.environ.get("PRACOWNIA_BENCH_TIMEOUT_S", "900"))
MODES = ("idle", "thread", "courier")
files = sorted(os.path.join(FILES, f) for f in os.listdir(FILES))
res = {"blender": bpy.app.version_string, "python": sys.version.split()[0], "rounds": ROUNDS,
       "file_size": os.path.getsize(files[0]), "frames": {m: [] for m in MODES},
       "upload_s": {m: [] for m in MODES if m != "idle"},
       "uploaded": {m: 0 for m in MODES if m != "idle"}, "pacing": None}
plan = [m for _ in range(ROUNDS) for m in MODES]
state = {"i": -1, "session": None, "last": None, "frames": [], "t0": 0.0, "n": 0, "bytes": 0,
         "warm": 0}
FRAMES = int(os.environ.get("PRACOWNIA_BENCH_FRAMES", "12"))
# PRACOWNIA_BENCH_PACING=0.02: no redraw is asked for; the timer comes back every 20 ms and each
# gap is how late Blender's main thread ran it (the student's frame pacing, issue 11's third target)
PACING = float(os.environ.get("PRACOWNIA_BENCH_PACING", "0"))
res["pacing"] = PACING or None
res["frames_per_round"] = FRAMES


def say(*words):
    print(MARK, *words, flush=True)


def fail(why):
    say("FAILED", why)
    sys.stdout.flush()
    os._exit(1)


def window():
    return bpy.context.window_manager.windows[0]


def build_scene(n=708):
    """A wavy grid of n*n vertices (708: ~0.5 M, as item 5b's sphere; PRACOWNIA_BENCH_GRID sets
    n) made through the data API: the sphere operator took minutes on a busy 2-core machine."""
    win = window()
    for value in ("PRESS", "RELEASE"):  # close the splash screen (--enable-event-simulate)
        win.event_simulate(type="ESC", value=value, x=win.width // 2, y=win.height // 2)
    me = bpy.data.meshes.new("bench-grid")
    me.vertices.add(n * n)
    co = array("f", [0.0]) * (3 * n * n)
    i = 0
    for y in range(n):
        for x in range(n):
            co[i], co[i + 1], co[i + 2] = x * 0.01, y * 0.01, ((x * 7 + y * 13) % 17) * 0.002
            i += 3
    me.vertices.foreach_set("co", co)
    faces = (n - 1) * (n - 1)
    loops = array("i", [0]) * (4 * faces)
    i = 0
    for y in range(n - 1):
        for x in range(n - 1):
            a = y * n + x
            loops[i], loops[i + 1], loops[i + 2], loops[i + 3] = a, a + 1, a + n + 1, a + n
            i += 4
    me.loops.add(4 * faces)
    me.loops.foreach_set("vertex_index", loops)
    me.polygons.add(faces)
    me.polygons.foreach_set("loop_start", array("i", range(0, 4 * faces, 4)))
    me.polygons.foreach_set("loop_total", array("i", [4]) * faces)
    me.update(calc_edges=True)
    bpy.context.scene.collection.objects.link(bpy.data.objects.new("bench-grid", me))
    res["vertices"] = len(me.vertices)
    res["window"] = [window().width, window().height]


def redraw_view3d():
    for area in window().screen.areas:
        if area.type == "VIEW_3D":
            area.tag_redraw()


def submit_next():
    """Upload the next file, alternating between the prepared ones (a digest equal to the last
    one sent would be skipped); a hard link, since the session deletes what it sent."""
    s = state["session"]
    state["n"] += 1
    src = files[state["n"] % len(files)]
    dst = s.new_path("big.blend")
    os.link(src, dst)
    s.submit("blend", dst, "big.blend", state["n"])


def start_round():
    state["i"] += 1
    state["frames"] = []
    state["last"] = None
    state["bytes"] = 0
    if state["i"] >= len(plan):
        return False
    mode = plan[state["i"]]
    state["t0"] = time.perf_counter()
    if mode == "idle":
        return True
    endpoint = "tcp://127.0.0.1:%s" % PORT
    cls = Session if mode == "thread" else CourierSession
    s = cls(endpoint, str(uuid.uuid4()), "bench.%s" % mode, DigestGate(), heartbeat_every=0.5)
    s.start()
    state["session"] = s
    submit_next()
    return True


def end_round():
    mode = plan[state["i"]]
    # the first frame after a round starts includes the round's own setup: not counted
    res["frames"][mode].extend(state["frames"][1:])
    took = time.perf_counter() - state["t0"]
    if mode != "idle":
        res["upload_s"][mode].append(took)
        res["uploaded"][mode] += state["bytes"]
        state["session"].stop(2.0)
        state["session"] = None
    say("round", state["i"], mode, "frames", len(state["frames"]), "%.1f s" % took,
        "%.0f MB sent" % (state["bytes"] / 1e6),
        "median %.1f ms" % (1000 * sorted(state["frames"])[len(state["frames"]) // 2]))


def round_done():
    mode = plan[state["i"]]
    if mode != "idle":
        s = state["session"]
        while s.events:
            e = s.events.popleft()
            if e.get("type") == "file_sent":
                state["bytes"] += e["size"]
                submit_next()  # keep the upload going for the whole round
            elif e.get("type") in ("file_failed", "capture_failed", "error"):
                fail("upload failed: %r" % (e,))
        if s.sender.status()["state"] == "error":
            fail("session error: %r" % (s.sender.status(),))
    return len(state["frames"]) > FRAMES


def step():
    try:
        return _step()
    except SystemExit:
        raise
    except Exception:
        traceback.print_exc()
        fail("exception in the driver")


def _step():
    now = time.perf_counter()
    if time.monotonic() > DEADLINE:
        fail("timed out in round %d" % state["i"])
    if state["warm"] == 0:
        build_scene(int(os.environ.get("PRACOWNIA_BENCH_GRID", "708")))
        say("scene built:", res["vertices"], "vertices")
    if state["warm"] < 10:  # let the first redraws of the new mesh settle
        state["warm"] += 1
        redraw_view3d()
        return 0.0
    if state["i"] < 0:
        start_round()
    elif round_done():
        end_round()
        if not start_round():
            with open(OUT, "w") as f:
                json.dump(res, f)
            say("OK")
            bpy.ops.wm.quit_blender()
            return None
    if state["last"] is not None:
        state["frames"].append(now - state["last"])
    state["last"] = time.perf_counter()
    if PACING:
        return PACING
    redraw_view3d()
    return 0.0


if bpy.app.background:
    fail("this benchmark needs Blender with a window (run it under xvfb-run, without -b)")
bpy.app.timers.register(step, first_interval=1.0)
