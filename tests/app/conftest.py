"""The real lecturer app, driven through WebDriver (tauri-driver + WebKitWebDriver) under Xvfb.

Run by scripts/test-app.sh, which builds the app and sets PRACOWNIA_APP_BIN and PRACOWNIA_BIN. A
plain `pytest tests` (without those) does not collect these tests: they need the built app.
"""

import json
import os
import socket
import subprocess
import time

import pytest

from tests.e2e import e2e_support

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS = os.path.join(ROOT, "artifacts")

if not os.environ.get("PRACOWNIA_APP_BIN"):
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(autouse=True)
def _per_test_timeout(request):
    """tests/conftest.py's time limit with a longer default for the real app: 300 s."""
    marker = request.node.get_closest_marker("timeout_s")
    with e2e_support.time_limit(marker.args[0] if marker else 300, request.node.name):
        yield


def free_port():
    return e2e_support.free_port(pair=False)


def free_port_pair():
    """A free port whose neighbour is free too: the receiver's return path (protocol 1.1) listens
    on port + 1."""
    return e2e_support.free_port(pair=True)


def wait_port(port, proc, what, seconds=60):
    """Until `what` accepts connections on port; a cold, busy machine can take many seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("tauri-driver exited with %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("%s did not listen on port %d within %d s" % (what, port, seconds))


def new_session(make, seconds=60):
    """WebDriver session creation, retried within a bound: tauri-driver listens before the native
    WebKitWebDriver it starts, and a session request in between fails with "Remote end closed
    connection" (a newcomer's first run on a cold machine hit exactly that)."""
    from urllib3.exceptions import HTTPError
    from selenium.common.exceptions import WebDriverException

    deadline = time.monotonic() + seconds
    while True:
        try:
            return make()
        except (WebDriverException, HTTPError, ConnectionError) as e:
            if time.monotonic() > deadline:
                raise RuntimeError("no WebDriver session within %d s: %s" % (seconds, e)) from e
            time.sleep(1.0)


@pytest.fixture
def lab(tmp_path):
    """An isolated lecturer: HOME and XDG folders in tmp_path, settings with a free port and a
    store root there. Returns a dict with the port, the store (the first class's folder, which a
    new installation makes inside the root: docs/APP.md, "Classes"), the root and environment."""
    home = tmp_path / "home"
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(tmp_path / "run"),
        RUST_LOG="info",
    )
    (tmp_path / "run").mkdir(mode=0o700)
    port = free_port_pair()
    root = tmp_path / "store"
    store = root / "class-1"
    cfg = home / ".config" / "pl.pracownia.lecturer"
    cfg.mkdir(parents=True)
    (cfg / "settings.json").write_text(
        json.dumps({"port": port, "store": str(root), "class_code": None, "blender_path": None, "language": "en"})
    )
    return {"port": port, "store": store, "root": root, "env": env, "tmp": tmp_path}


@pytest.fixture
def driver(lab):
    from selenium import webdriver
    from selenium.webdriver.common.options import ArgOptions

    app = os.environ["PRACOWNIA_APP_BIN"]
    port, native = free_port(), free_port()
    log = open(lab["tmp"] / "tauri-driver.log", "wb")
    proc = subprocess.Popen(
        ["tauri-driver", "--port", str(port), "--native-port", str(native), "--native-driver", "/usr/bin/WebKitWebDriver"],
        env=lab["env"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    d = None
    try:
        wait_port(port, proc, "tauri-driver")
        wait_port(native, proc, "WebKitWebDriver")
        opts = ArgOptions()
        opts.set_capability("browserName", "wry")
        opts.set_capability("tauri:options", {"application": app})
        d = new_session(lambda: webdriver.Remote(command_executor="http://127.0.0.1:%d" % port, options=opts))
        yield d
    finally:
        if d is not None:
            try:
                d.quit()
            except Exception:
                pass
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        os.makedirs(ARTIFACTS, exist_ok=True)
        with open(lab["tmp"] / "tauri-driver.log", "rb") as src, open(os.path.join(ARTIFACTS, "tauri-driver.log"), "wb") as dst:
            dst.write(src.read())
