"""Needs attention in the real app: three Python students (the add-on's transport, `Sender`)
connect; one raises a hand, one asks in chat, one pauses sharing. The grid's default order puts
the hand first and the chat second, the header counts them, the window title carries the sum,
and the paused student's tile says so; lowering the hand from the tile updates everything.

Selectors (docs/APP.md): student-tile, count-hands, count-unread-students, paused-badge,
hand-lower, sort-select.
"""

import uuid

import pytest
from selenium.webdriver.common.by import By

from .test_app_window import shot, tid, wait

from pracownia_student.transport import Sender


def logins(d):
    return [t.get_attribute("data-login") for t in d.find_elements(By.CSS_SELECTOR, tid("student-tile"))]


def count(d, name):
    return d.find_element(By.CSS_SELECTOR, tid(name)).get_attribute("data-count")


def tile(d, login):
    return d.find_element(By.CSS_SELECTOR, '%s[data-login="%s"]' % (tid("student-tile"), login))


@pytest.mark.timeout_s(240)
def test_hand_first_then_chat_counts_title_and_paused(driver, lab):
    d = driver
    wait(d, "the UI to load its settings", lambda d: d.find_elements(By.CSS_SELECTOR, tid("app") + '[data-ready="true"]'))
    assert d.find_element(By.CSS_SELECTOR, tid("sort-select")).get_attribute("value") == "attention"
    d.find_element(By.CSS_SELECTOR, tid("start-button")).click()
    wait(d, "the receiver to run", lambda d: "on" in d.find_element(By.CSS_SELECTOR, tid("receiver-state")).get_attribute("class").split())

    ep = "tcp://127.0.0.1:%d" % lab["port"]
    students = {name: Sender(ep, str(uuid.uuid4()), name, heartbeat_every=0.5) for name in ("ala", "bob", "cyd")}
    try:
        for s in students.values():
            s.start()
        wait(d, "three tiles online", lambda d: sorted(logins(d)) == ["ala", "bob", "cyd"] and all(
            tile(d, n).find_element(By.CSS_SELECTOR, tid("presence")).get_attribute("data-presence") == "online"
            for n in ("ala", "bob", "cyd")))
        assert logins(d) == ["ala", "bob", "cyd"], "nobody needs anything: by name"
        students["bob"].send_chat("Jak zrobić bevel?")
        wait(d, "bob's chat first", lambda d: logins(d)[0] == "bob")
        students["cyd"].send_hand(True)
        wait(d, "cyd's hand before bob's chat", lambda d: logins(d) == ["cyd", "bob", "ala"])
        students["ala"].set_paused(True)
        wait(d, "ala shown paused", lambda d: tile(d, "ala").find_elements(By.CSS_SELECTOR, tid("paused-badge")))
        assert (count(d, "count-hands"), count(d, "count-unread-students")) == ("1", "1")
        wait(d, "the title with the count", lambda d: d.title == "(2) Pracownia")
        shot(d, "app-attention.png")

        tile(d, "cyd").find_element(By.CSS_SELECTOR, tid("hand-lower")).click()
        wait(d, "the hand answered", lambda d: logins(d) == ["bob", "ala", "cyd"] and count(d, "count-hands") == "0")
        wait(d, "the title follows", lambda d: d.title == "(1) Pracownia")
        students["ala"].set_paused(False)
        wait(d, "ala sharing again", lambda d: not tile(d, "ala").find_elements(By.CSS_SELECTOR, tid("paused-badge")))
    finally:
        for s in students.values():
            s.stop(timeout=2.0)
