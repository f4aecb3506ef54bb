"""The app quits cleanly on SIGTERM (logout, shutdown, `kill`): it stops its receiver, which
finishes its writes, instead of dying mid-write. Run with `--demo` (five simulated students)."""

import os
import signal
import subprocess
import time

import pytest


def students(store):
    out = subprocess.run([os.environ["PRACOWNIA_BIN"], "students", "--store", str(store), "--json"],
                         capture_output=True, text=True)
    return out.stdout.splitlines() if out.returncode == 0 else []


@pytest.mark.timeout_s(120)
def test_sigterm_stops_the_receiver_and_exits_0(lab):
    log_path = lab["tmp"] / "app.log"
    with open(log_path, "wb") as log:
        app = subprocess.Popen([os.environ["PRACOWNIA_APP_BIN"], "--demo"], env=lab["env"], stdout=log,
                               stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while len(students(lab["store"])) < 5:
                assert app.poll() is None, "the app exited early: %s" % log_path.read_text(errors="replace")
                assert time.monotonic() < deadline, "the demo students did not arrive"
                time.sleep(0.5)
            time.sleep(2)  # files in flight
            app.send_signal(signal.SIGTERM)
            rc = app.wait(30)
        finally:
            if app.poll() is None:
                app.kill()
                app.wait()
    text = log_path.read_text(errors="replace")
    assert rc == 0, "exit code %s after SIGTERM:\n%s" % (rc, text[-3000:])
    assert "SIGTERM: stopping the receiver" in text
    staging = lab["store"] / ".pracownia" / "staging"
    assert not [p.name for p in staging.iterdir() if p.suffix == ".part"], "half-received files left behind"
    assert len(students(lab["store"])) == 5  # the store and its index still read
