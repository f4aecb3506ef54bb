"""Presence tells the truth in the real app (issue: tiles said "online" after students left).

Raw students (hand-made protocol frames, tests/e2e's RawStudent) join; one raises a hand and
leaves with `bye` right after sending a whole screenshot, so the file is stored after the leave;
the tile must say offline with the hand down while the screenshot count grows, and agree with the
header's count. Then Stop shows everyone offline, and Start keeps the gone students offline.
"""

import hashlib

from tests.e2e.e2e_content import RawStudent, make_png
from selenium.webdriver.common.by import By

from .test_app_window import tid, wait


def tile_attr(d, login, what):
    tile = d.find_element(By.CSS_SELECTOR, '%s[data-login="%s"]' % (tid("student-tile"), login))
    if what == "presence":
        return tile.find_element(By.CSS_SELECTOR, tid("presence")).get_attribute("data-presence")
    if what == "hand":
        return bool(tile.find_elements(By.CSS_SELECTOR, tid("hand-marker")))
    raise ValueError(what)


def online_count(d):
    return d.find_element(By.CSS_SELECTOR, tid("count-online")).text


def test_presence_after_leave_stop_and_start(driver, lab):
    d = driver
    wait(d, "the UI to load its settings", lambda d: d.find_elements(By.CSS_SELECTOR, tid("app") + '[data-ready="true"]'))
    d.find_element(By.CSS_SELECTOR, tid("start-button")).click()
    wait(d, "the receiver to run", lambda d: "on" in d.find_element(By.CSS_SELECTOR, tid("receiver-state")).get_attribute("class").split())

    endpoint = "tcp://127.0.0.1:%d" % lab["port"]
    ewa = RawStudent(endpoint, login="ewa").wait_subscribed()
    olek = RawStudent(endpoint, login="olek").wait_subscribed()
    try:
        for s in (ewa, olek):
            s.send("hello")
        wait(d, "two tiles online", lambda d: all(tile_attr(d, l, "presence") == "online" for l in ("ewa", "olek")))
        ewa.send("hand", raised=True)
        wait(d, "ewa's raised hand", lambda d: tile_attr(d, "ewa", "hand"))

        png = make_png(320, 200, seed=3)
        ewa.send("chunk", png, transfer="7e6d5c4b-3a29-4817-9f6e-5d4c3b2a1908", kind="screenshot",
                 name="widok.png", size=len(png), sha256=hashlib.sha256(png).hexdigest(),
                 offset=0, index=0, count=1)
        ewa.send("bye")  # before the screenshot is checked and stored
        store = lab["store"]
        wait(d, "ewa's screenshot stored", lambda d: any(
            p.suffix == ".png" for p in store.glob("ewa-*/screenshots/*.png")))
        wait(d, "ewa offline with the hand down, olek online, the header agreeing",
             lambda d: tile_attr(d, "ewa", "presence") == "offline" and not tile_attr(d, "ewa", "hand")
             and tile_attr(d, "olek", "presence") == "online" and online_count(d) == "1")
        # A file stored after the leave does not bring ewa back (it arrives as an event too).
        wait(d, "ewa's tile counting the screenshot", lambda d: d.find_elements(
            By.CSS_SELECTOR, '%s[data-login="ewa"] img' % tid("student-tile")))
        assert tile_attr(d, "ewa", "presence") == "offline"

        d.find_element(By.CSS_SELECTOR, tid("stop-button")).click()
        wait(d, "everyone offline after Stop", lambda d: "on" not in d.find_element(By.CSS_SELECTOR, tid("receiver-state")).get_attribute("class").split()
             and all(tile_attr(d, l, "presence") == "offline" for l in ("ewa", "olek")))
    finally:
        ewa.close()
        olek.close()

    d.find_element(By.CSS_SELECTOR, tid("start-button")).click()
    wait(d, "the receiver to run again", lambda d: "on" in d.find_element(By.CSS_SELECTOR, tid("receiver-state")).get_attribute("class").split())
    wait(d, "the tiles back from the store", lambda d: len(d.find_elements(By.CSS_SELECTOR, tid("student-tile"))) == 2)
    assert [tile_attr(d, l, "presence") for l in ("ewa", "olek")] == ["offline", "offline"]
    assert online_count(d) == "0"
