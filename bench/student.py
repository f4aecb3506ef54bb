#!/usr/bin/env python3
"""Item 5, the student side: the Python transport's send throughput (Sender.send_file of a
200 MiB file to a real `pracownia serve` on loopback) and, with Blender as a module, the
main-thread cost of one capture tick. Writes one JSON object for `pracownia-bench --student-json`.

    student.py --serve-bin target/release/pracownia --work /tmp/pb --out /tmp/pb/student.json
               [--quick] [--bpy-python /path/to/venv-with-bpy/bin/python]
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "blender_addon"))


def serve(bin_, store):
    subprocess.run(["rm", "-rf", store], check=False)
    p = subprocess.Popen([bin_, "serve", "--port", "0", "--bind", "127.0.0.1", "--free-disk-floor-mib", "0",
                          "--store", store], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline().strip()
    return p, line.replace("listening on ", "").replace("0.0.0.0", "127.0.0.1")


def blends_in_index(bin_, store):
    out = subprocess.run([bin_, "timeline", "--store", store, "--json"], capture_output=True, text=True).stdout
    return sum(1 for l in out.splitlines() if '"kind":"blend"' in l.replace(" ", ""))


def send_throughput(bin_, work, mib, reps):
    from pracownia_student.transport.sender import Sender
    path = os.path.join(work, "student-%d.blend" % mib)
    with open(path, "wb") as f:
        block = b"BLENDER-v405" + os.urandom((8 << 20) - 12)
        for i in range(mib // 8):
            f.write(block if i == 0 else block[12:] + block[:12])
    size = os.path.getsize(path)
    send, stored = [], []
    for _ in range(reps):
        store = os.path.join(work, "student-store")
        proc, endpoint = serve(bin_, store)
        done = threading.Event()
        sender = Sender(endpoint, str(uuid.uuid4()), "bench",
                        on_event=lambda e: done.set() if e.get("type") == "file_sent" else None)
        sender.start()
        deadline = time.time() + 20
        while sender.status()["state"] != "connected" and time.time() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        t0 = time.monotonic()
        sender.send_file(path, "blend")
        done.wait(300)
        t1 = time.monotonic()
        while blends_in_index(bin_, store) < 1 and time.monotonic() - t0 < 300:
            time.sleep(0.05)
        t2 = time.monotonic()
        send.append(size / (t1 - t0) / 1e6)
        stored.append(size / (t2 - t0) / 1e6)
        sender.stop()
        proc.send_signal(2)
        proc.wait(60)
        subprocess.run(["rm", "-rf", store], check=False)
    os.remove(path)
    return send, stored


TICK = r'''
import json, os, sys, time, uuid
sys.path.insert(0, sys.argv[1])
import bpy
work = sys.argv[2]; reps = int(sys.argv[3])
bpy.ops.wm.read_factory_settings(use_empty=False)
# A mid-size scene: 12 subdivided meshes (about 0.5 M vertices, ~25 MB saved), materials, a camera and lights.
for i in range(12):
    bpy.ops.mesh.primitive_ico_sphere_add(subdivisions=7, location=(i * 2.5, 0, 0))
    mat = bpy.data.materials.new("m%d" % i)
    bpy.context.object.data.materials.append(mat)
verts = sum(len(o.data.vertices) for o in bpy.data.objects if o.type == "MESH")
from pracownia_student.transport.sender import Sender
sender = Sender("tcp://127.0.0.1:9", str(uuid.uuid4()), "bench")  # never started: the call only queues
save, call, sizes = [], [], []
for i in range(reps + 1):
    path = os.path.join(work, "tick-%d.blend" % i)
    t = time.perf_counter()
    bpy.ops.wm.save_as_mainfile(filepath=path, copy=True)
    s = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    sender.send_file(path, "blend")
    c = (time.perf_counter() - t) * 1000
    sizes.append(os.path.getsize(path))
    os.remove(path)
    if i:  # the first is a warm-up
        save.append(s); call.append(c)
print(json.dumps({"save_copy_ms": save, "send_file_call_ms": call,
    "scene": "%d mesh vertices, .blend %.1f MB" % (verts, sizes[-1] / 1e6),
    "screenshot": "not measurable: Blender as a module has no window and no GPU context to capture",
    "notes": "Blender %s as a Python module (bpy from PyPI). The tick is measured as the add-on's "
             "main-thread work: bpy.ops.wm.save_as_mainfile(copy=True) then Sender.send_file (which only "
             "queues; reading, hashing and sending happen on the sender thread). The first of %d+1 saves is a "
             "warm-up and not counted." % (bpy.app.version_string, reps)}))
'''


def capture_tick(bpy_python, work, reps):
    script = os.path.join(work, "bpy_tick.py")
    with open(script, "w") as f:
        f.write(TICK)
    r = subprocess.run([bpy_python, script, os.path.join(ROOT, "blender_addon"), work, str(reps)],
                       capture_output=True, text=True, timeout=900)
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise RuntimeError((r.stderr or r.stdout)[-500:])
    return json.loads(lines[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--serve-bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--bpy-python")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    mib = 64 if a.quick else 200
    reps = 1 if a.quick else 3
    send, stored = send_throughput(a.serve_bin, a.work, mib, reps)
    out = {"file_mib": mib, "send_mbps": send, "stored_mbps": stored,
           "method": "`Sender.send_file()` (blender_addon/pracownia_student/transport, pyzmq %s) of a %d MiB "
                     "file to a fresh `pracownia serve` on 127.0.0.1, 1 MiB chunks, %d repetitions. Sent = until "
                     "the sender thread emits `file_sent` (the file is hashed first, then read and sent chunk by "
                     "chunk); stored = until `pracownia timeline` shows the blend." % (
                         __import__("zmq").zmq_version(), mib, reps)}
    if a.bpy_python:
        try:
            out["tick"] = capture_tick(a.bpy_python, a.work, 2 if a.quick else 5)
        except Exception as e:  # reported, not fatal
            out["tick_error"] = str(e)
    else:
        out["tick_error"] = "no Python with bpy given (--bpy-python)"
    with open(a.out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
