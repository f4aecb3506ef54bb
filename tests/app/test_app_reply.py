"""The real app answers students (protocol 1.1): two Python students (the add-on's transport,
`Sender`, which registers on the return path at port + 1) connect; the lecturer replies to one in
the student view and the student receives it; the student marks it read and the thread shows
"read"; "Message everyone" reaches both students.

Selectors (docs/APP.md): student-tile, reply-box, thread-item (data-kind, data-delivery),
broadcast-button, broadcast-box, broadcast-send, back-button.
"""

import threading
import time
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.keys import Keys

from .test_app_window import shot, tid, wait

from pracownia_student.transport import Sender


class Student:
    """A Sender and the lecturer messages it received (on_event runs in the sender thread)."""

    def __init__(self, port, login):
        self.login = login
        self.events = []
        self.lock = threading.Lock()
        self.sender = Sender("tcp://127.0.0.1:%d" % port, str(uuid.uuid4()), login,
                             heartbeat_every=0.5, on_event=self.on_event)
        self.sender.start()

    def on_event(self, ev):
        with self.lock:
            self.events.append(ev)

    def messages(self, kind):
        with self.lock:
            return [e for e in self.events if e.get("type") == "lecturer_message" and e.get("kind") == kind]


@pytest.mark.timeout_s(240)
def test_lecturer_replies_and_messages_everyone(driver, lab):
    d = driver
    wait(d, "the UI to load its settings", lambda d: d.find_elements(By.CSS_SELECTOR, tid("app") + '[data-ready="true"]'))
    d.find_element(By.CSS_SELECTOR, tid("start-button")).click()
    wait(d, "the receiver to run", lambda d: "on" in d.find_element(By.CSS_SELECTOR, tid("receiver-state")).get_attribute("class").split())

    anna, bartek = Student(lab["port"], "anna"), Student(lab["port"], "bartek")
    try:
        wait(d, "two student tiles", lambda d: len(d.find_elements(By.CSS_SELECTOR, tid("student-tile"))) == 2)
        wait(d, "both students on the return path", lambda d: anna.sender.status()["two_way"] and bartek.sender.status()["two_way"])
        anna.sender.send_chat("How do I bevel?")

        tile = d.find_element(By.CSS_SELECTOR, tid("student-tile") + '[data-login="anna"]')
        tile.find_element(By.CSS_SELECTOR, "button").click()
        wait(d, "anna's chat in the thread", lambda d: d.find_elements(By.CSS_SELECTOR, tid("thread-item") + '[data-kind="chat"]'))
        box = wait(d, "the reply box", lambda d: (b := d.find_element(By.CSS_SELECTOR, tid("reply-box"))).is_enabled() and b)
        box.click()
        box.send_keys("Use Ctrl+B")
        box.send_keys(Keys.ENTER)

        got = wait(d, "anna to receive the reply", lambda d: anna.messages("reply"))
        assert got[0]["text"] == "Use Ctrl+B", got
        assert not bartek.messages("reply"), "a reply goes to one student"
        reply = tid("thread-item") + '[data-kind="reply"]'
        try:
            wait(d, "the reply delivered in the thread",
                 lambda d: d.find_element(By.CSS_SELECTOR, reply).get_attribute("data-delivery") == "delivered")
        except TimeoutException:
            # Say what the thread showed instead (a missing row and a stale state fail differently).
            items = [(e.get_attribute("data-kind"), e.get_attribute("data-delivery"))
                     for e in d.find_elements(By.CSS_SELECTOR, tid("thread-item"))]
            raise AssertionError("the reply was not shown delivered; the thread had %r" % items)
        assert "Use Ctrl+B" in d.find_element(By.CSS_SELECTOR, reply).text

        anna.sender.mark_read([got[0]["id"]])
        wait(d, "the reply read in the thread", lambda d: d.find_element(By.CSS_SELECTOR, reply).get_attribute("data-delivery") == "read")
        shot(d, "app-reply-read.png")

        d.find_element(By.CSS_SELECTOR, tid("back-button")).click()
        wait(d, "the broadcast button", lambda d: d.find_element(By.CSS_SELECTOR, tid("broadcast-button")).is_enabled())
        d.find_element(By.CSS_SELECTOR, tid("broadcast-button")).click()
        bbox = wait(d, "the broadcast box", lambda d: d.find_element(By.CSS_SELECTOR, tid("broadcast-box")))
        bbox.send_keys("Break in 5 minutes")
        d.find_element(By.CSS_SELECTOR, tid("broadcast-send")).click()
        for s in (anna, bartek):
            got = wait(d, "%s to receive the broadcast" % s.login, lambda d, s=s: s.messages("broadcast"))
            assert got[0]["text"] == "Break in 5 minutes", got
        shot(d, "app-broadcast.png")
    finally:
        for s in (anna, bartek):
            s.sender.stop(timeout=2.0)
    time.sleep(0.2)
