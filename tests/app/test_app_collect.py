"""Collect work in the real app: after `pracownia simulate` sent .blend copies, the app's
`collect_work` command (what the Collect dialog calls once the native folder chooser returns)
copies every student's newest verified .blend into a folder with a manifest, while receiving.
The status bar shows the join string for the add-on."""

import csv
import hashlib
import json
import os
import subprocess

from selenium.webdriver.common.by import By

from .test_app_window import shot, tid, wait


def newest_blends(store):
    out = subprocess.run([os.environ["PRACOWNIA_BIN"], "timeline", "--store", str(store), "--json"],
                         capture_output=True, text=True, check=True)
    newest = {}
    for line in out.stdout.splitlines():
        e = json.loads(line)
        if e["kind"] == "blend":
            newest[e["login"]] = e["sha256"]
    return newest


def test_collect_work_after_simulate(driver, lab):
    d = driver
    wait(d, "the UI to load its settings", lambda d: d.find_elements(By.CSS_SELECTOR, tid("app") + '[data-ready="true"]'))
    d.find_element(By.CSS_SELECTOR, tid("start-button")).click()
    # The join strings are folded behind a button (the header stays small); open them.
    wait(d, "the receiver to run", lambda d: d.find_elements(By.CSS_SELECTOR, tid("join-toggle")))
    d.find_element(By.CSS_SELECTOR, tid("join-toggle")).click()
    wait(d, "the join strings", lambda d: d.find_elements(By.CSS_SELECTOR, tid("status-join")))
    join = d.find_element(By.CSS_SELECTOR, tid("status-join")).text
    assert "pracownia://" in join and ":%d" % lab["port"] in join, join

    sim = subprocess.run(
        [os.environ["PRACOWNIA_BIN"], "simulate", "--connect", "tcp://127.0.0.1:%d" % lab["port"],
         "--students", "3", "--duration", "3", "--screenshot-every", "1", "--screenshot-size", "320x180",
         "--chat-every", "0", "--blend-every", "1", "--blend-size", "150000", "--chunk-size", "65536"],
        capture_output=True, text=True, timeout=120)
    assert sim.returncode == 0, sim.stderr
    wait(d, "three tiles", lambda d: len(d.find_elements(By.CSS_SELECTOR, tid("student-tile"))) == 3)
    expected = newest_blends(lab["store"])
    assert len(expected) == 3, expected

    d.find_element(By.CSS_SELECTOR, tid("collect-button")).click()
    wait(d, "the collect dialog", lambda d: d.find_elements(By.CSS_SELECTOR, tid("collect-dialog")))
    shot(d, "app-collect-dialog.png")

    out = lab["tmp"] / "graded"
    summary = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.__TAURI_INTERNALS__.invoke('collect_work', {out: arguments[0], zip: false, at: null})"
        ".then(done, (e) => done({error: e}));", str(out))
    assert "error" not in summary, summary
    assert (summary["collected"], summary["students"], summary["no_file"]) == (3, 3, []), summary
    for login, sha in expected.items():
        data = (out / ("%s.blend" % login)).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha, login
    with open(out / "manifest.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["login"] for r in rows) == sorted(expected)
    assert all(r["status"] == "collected" for r in rows)

    again = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.__TAURI_INTERNALS__.invoke('collect_work', {out: arguments[0], zip: false, at: null})"
        ".then(done, (e) => done({error: e}));", str(out))
    assert again["error"]["kind"] == "exists", again
