"""Classes in the real app: a new installation's first class has its own folder in the store root;
"New class…" in the header makes a second one with its own class code; switching to it while
receiving asks first, stops the receiver and shows an empty grid; switching back shows the first
class's students again (docs/APP.md, "Classes")."""

import json
import os
import subprocess
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from .test_app_window import shot, tid, wait


def tiles(d):
    return d.find_elements(By.CSS_SELECTOR, tid("student-tile"))


def switcher(d):
    return Select(d.find_element(By.CSS_SELECTOR, tid("class-switcher")))


def test_create_switch_and_come_back(driver, lab):
    d = driver
    root = lab["root"]
    wait(d, "the UI to load its settings", lambda d: d.find_elements(By.CSS_SELECTOR, tid("app") + '[data-ready="true"]'))
    wait(d, "the first class in the switcher", lambda d: switcher(d).first_selected_option.text.strip() == "Class 1")
    d.find_element(By.CSS_SELECTOR, tid("start-button")).click()
    wait(d, "the receiver to run", lambda d: d.find_elements(By.CSS_SELECTOR, tid("stop-button")))
    sim = subprocess.run(
        [os.environ["PRACOWNIA_BIN"], "simulate", "--connect", "tcp://127.0.0.1:%d" % lab["port"],
         "--students", "2", "--duration", "2", "--screenshot-every", "1", "--screenshot-size", "320x180",
         "--chat-every", "0", "--blend-every", "0"],
        capture_output=True, text=True, timeout=120)
    assert sim.returncode == 0, sim.stderr
    wait(d, "two tiles", lambda d: len(tiles(d)) == 2)
    first = json.loads((root / "class-1" / ".pracownia" / "class.json").read_text())
    assert first["name"] == "Class 1", first

    switcher(d).select_by_value("*new")
    wait(d, "the new-class dialog", lambda d: d.find_elements(By.CSS_SELECTOR, tid("new-class-dialog")))
    d.find_element(By.CSS_SELECTOR, tid("new-class-name")).send_keys("Grupa 2 — środa")
    d.find_element(By.CSS_SELECTOR, tid("new-class-create")).click()
    wait(d, "the class made", lambda d: d.find_elements(By.CSS_SELECTOR, tid("new-class-switch")))
    made = json.loads((root / "grupa-2-sroda" / ".pracownia" / "class.json").read_text())
    assert made["name"] == "Grupa 2 — środa" and made["class_code"] and made["class_code"] != first["class_code"], made
    assert d.find_elements(By.CSS_SELECTOR, tid("stop-button")), "making a class does not stop receiving"

    # Switching while receiving asks first; the answer stops the receiver for the first class.
    d.find_element(By.CSS_SELECTOR, tid("new-class-switch")).click()
    wait(d, "the confirmation", lambda d: d.find_elements(By.CSS_SELECTOR, tid("switch-class-confirm")))
    shot(d, "app-switch-class-confirm.png")
    d.find_element(By.CSS_SELECTOR, tid("switch-class-ok")).click()
    wait(d, "the new class, empty and stopped",
         lambda d: switcher(d).first_selected_option.text.strip() == "Grupa 2 — środa" and not tiles(d)
         and d.find_elements(By.CSS_SELECTOR, tid("start-button")))
    shot(d, "app-second-class.png")

    # Stopped: switching back is at once, and the first class's students are there.
    switcher(d).select_by_value("class-1")
    wait(d, "the first class's students again", lambda d: len(tiles(d)) == 2)
    assert not d.find_elements(By.CSS_SELECTOR, tid("switch-class-confirm"))
    cfg = Path(lab["env"]["XDG_CONFIG_HOME"]) / "pl.pracownia.lecturer" / "settings.json"
    assert json.loads(cfg.read_text())["class"] == "class-1", "the app opens on the last class next time"
