"""pyzmq: is it there, and installing it into a folder of Blender's user scripts when it is not.

Extensions (Blender 4.2+) bundle pyzmq wheels, so this matters for legacy installs. The install
runs `python -m pip install --target DIR pyzmq==...` in a background thread (the UI never waits)
and DIR is put on sys.path by add_to_path(). Debian's system Python refuses plain installs and
Blender turns off user site-packages, hence --target. This module is bpy-free: addon.py passes
the folder, the Python executable and whether online access is allowed.
"""

import importlib
import os
import subprocess
import sys
import threading

__all__ = ["PYZMQ_SPEC", "zmq_available", "add_to_path", "Installer", "find_python",
           "courier_python"]

PYZMQ_SPEC = "pyzmq>=26,<28"


def add_to_path(folder):
    if folder and os.path.isdir(folder) and folder not in sys.path:
        sys.path.append(folder)


_known = []


def zmq_available(refresh=False):
    """True when `import zmq` works; the answer is cached until refresh=True (panels ask often)."""
    if refresh or not _known:
        importlib.invalidate_caches()
        try:
            importlib.import_module("zmq")
            ok = True
        except ImportError:
            ok = False
        _known[:] = [ok]
    return _known[0]


def find_python():
    """Blender's Python interpreter (sys.executable is Blender itself in some old builds)."""
    exe = sys.executable or ""
    if "python" in os.path.basename(exe).lower():
        return exe
    folder = os.path.join(sys.prefix, "bin")
    for name in ("python%d.%d" % sys.version_info[:2], "python3", "python", "python.exe"):
        cand = os.path.join(folder, name)
        if os.path.isfile(cand):
            return cand
    return exe


def courier_python():
    """The interpreter for the courier process: Blender's own, under sys.prefix (its bundled
    python/bin, a venv's bin, Debian's /usr/bin). sys.executable is not always it: on Linux it is
    worked out from argv[0] and PATH, so Debian's Blender 3.4 reports the first python3.11 on PATH
    (seen: a pyenv shim of another Python 3.11 build)."""
    folder = os.path.join(sys.prefix, "bin")
    for cand in (os.path.join(folder, "python%d.%d" % sys.version_info[:2]),
                 os.path.join(folder, "python3"), os.path.join(folder, "python.exe"),
                 os.path.join(sys.prefix, "python.exe")):
        if os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return find_python()


class Installer:
    """One pip install in a thread; `state` is idle / running / done / failed, `message` a
    sentence for the student. Read state from the main thread; only the thread writes it."""

    def __init__(self, target, python=None, spec=PYZMQ_SPEC, env=None, timeout=600):
        self.target = target
        self.python = python or find_python()
        self.spec = spec
        self.env = env
        self.timeout = timeout
        self.state = "idle"
        self.message = ""
        self._thread = None

    def start(self, online_allowed=True):
        if self.state == "running":
            return
        if not online_allowed:
            self.state = "failed"
            self.message = ("Blender is not allowed to go online. Turn on Preferences > System > "
                            "Network > Allow Online Access, then press Install again.")
            return
        self.state = "running"
        self.message = "Installing pyzmq… (this may take a minute)"
        self._thread = threading.Thread(target=self._run, name="pracownia-pip", daemon=True)
        self._thread.start()

    def join(self, timeout=None):
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self):
        cmd = [self.python, "-m", "pip", "install", "--disable-pip-version-check",
               "--no-input", "--upgrade", "--only-binary=:all:", "--target", self.target,
               self.spec]
        try:
            os.makedirs(self.target, exist_ok=True)
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=self.timeout, env=self.env)
        except (OSError, subprocess.SubprocessError) as e:
            self.message = "pip could not be started (%s)." % e
            self.state = "failed"
            return
        out = r.stdout.decode("utf-8", "replace")
        if r.returncode == 0:
            self.message = "pyzmq is installed. You can connect now."
            self.state = "done"
            return
        if "No module named pip" in out:
            why = "this Blender's Python has no pip"
        elif any(s in out for s in ("NewConnectionError", "Failed to establish",
                                    "Network is unreachable", "Temporary failure in name",
                                    "ProxyError", "No matching distribution")):
            why = "the package index cannot be reached (is this computer offline?)"
        else:
            lines = [l for l in out.strip().splitlines() if l.strip()]
            why = lines[-1].strip() if lines else "pip exited with code %d" % r.returncode
        self.message = "pyzmq could not be installed: %s." % why.rstrip(".")
        self.state = "failed"
