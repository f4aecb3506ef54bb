"""The built lecturer app in a real window, used as a lecturer would: Start, students arrive
(`pracownia simulate`), their tiles, a screenshot in a timeline and a chat message with its unread
badge appear; Stop.

Selectors (data-testid, owned by the UI; listed in docs/APP.md): app (data-ready), start-button,
stop-button, receiver-state (class "on" while running), status-addresses, student-tile
(data-login), unread-badge, student-view, timeline-screenshot, chat-message, inbox-button,
chat-inbox, inbox-message.
"""

import os
import subprocess
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "artifacts")

STUDENTS = 3


def tid(name):
    return '[data-testid="%s"]' % name


def wait(d, what, fn, seconds=45):
    return WebDriverWait(d, seconds, poll_frequency=0.25).until(lambda d: fn(d), message="waiting for " + what)


def shot(d, name):
    time.sleep(1.0)  # let the last events render
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    assert d.get_screenshot_as_file(path), path
    return path


@pytest.mark.timeout_s(240)
def test_lecturer_starts_and_sees_the_class_live(driver, lab):
    d = driver
    wait(d, "the UI to load its settings", lambda d: d.find_elements(By.CSS_SELECTOR, tid("app") + '[data-ready="true"]'))
    assert not d.find_elements(By.CSS_SELECTOR, tid("student-tile")), "a fresh store has no students"

    d.find_element(By.CSS_SELECTOR, tid("start-button")).click()
    wait(d, "the receiver to run", lambda d: "on" in d.find_element(By.CSS_SELECTOR, tid("receiver-state")).get_attribute("class").split())
    addresses = d.find_element(By.CSS_SELECTOR, tid("status-addresses")).text
    assert str(lab["port"]) in addresses or addresses.strip() == "", addresses

    sim = subprocess.Popen(
        [
            os.environ["PRACOWNIA_BIN"], "simulate",
            "--connect", "tcp://127.0.0.1:%d" % lab["port"],
            "--students", str(STUDENTS),
            "--duration", "25",
            "--screenshot-every", "2",
            "--screenshot-size", "640x360",
            "--chat-every", "3",
            "--blend-every", "6",
            "--blend-size", "100000",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        tiles = wait(d, "%d student tiles" % STUDENTS,
                     lambda d: (t := d.find_elements(By.CSS_SELECTOR, tid("student-tile"))) and len(t) >= STUDENTS and t)
        assert len(tiles) == STUDENTS
        wait(d, "an unread chat badge on a tile",
             lambda d: d.find_elements(By.CSS_SELECTOR, tid("student-tile") + " " + tid("unread-badge")))
        # The tiles' thumbnails come from the store through the asset protocol: really loaded.
        wait(d, "a thumbnail loaded in a tile", lambda d: d.execute_script(
            "return [...document.querySelectorAll('[data-testid=\"student-tile\"] img')]"
            ".some(i => i.complete && i.naturalWidth > 0)"))
        shot(d, "app-window.png")

        tile = d.find_element(By.CSS_SELECTOR, tid("student-tile") + ":has(" + tid("unread-badge") + ")")
        login = tile.get_attribute("data-login")
        tile.click()
        view = wait(d, "the student view", lambda d: d.find_element(By.CSS_SELECTOR, tid("student-view")))
        wait(d, "a screenshot in the timeline", lambda d: view.find_elements(By.CSS_SELECTOR, tid("timeline-screenshot")))
        wait(d, "a chat message in the timeline", lambda d: view.find_elements(By.CSS_SELECTOR, tid("chat-message")))
        assert login in d.find_element(By.CSS_SELECTOR, tid("student-login")).text
        shot(d, "app-student.png")

        d.find_element(By.CSS_SELECTOR, tid("inbox-button")).click()
        wait(d, "chat messages in the inbox", lambda d: d.find_elements(By.CSS_SELECTOR, tid("inbox-message")))
        shot(d, "app-inbox.png")
    finally:
        out, _ = sim.communicate(timeout=60)
    assert sim.returncode == 0, out.decode(errors="replace")

    d.find_element(By.CSS_SELECTOR, tid("stop-button")).click()
    wait(d, "the receiver to stop", lambda d: "on" not in d.find_element(By.CSS_SELECTOR, tid("receiver-state")).get_attribute("class").split())
    # What arrived is in the lecturer's store, in one folder per student.
    folders = [p for p in lab["store"].iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(folders) == STUDENTS, folders
