"""The add-on's state and one timer tick (bpy-free, so it is tested without Blender).

Blender code calls Controller from the main thread only: operators (connect, chat, hand...) and
the bpy.app.timers tick, which passes a `capture` object (capture.py in Blender, a fake in tests):
  can_screenshot() -> bool, no_screenshot_reason() -> str, open_file_name() -> str | None,
  screenshot(path) -> None, blend_copy(path) -> None   (write the file at path, raise on failure;
  either may instead return a callable that writes it, which the session runs off the main thread)
  and optionally change_count() -> int | None (Blender's data changes so far; None: unknown)

The lecturer's side of the conversation (protocol 1.1) arrives as sender-thread events drained by
the tick into `conversation` (conversation.py). A lecturer's request for a file is honoured unless
sharing is paused: the student stays in control, and the lecturer is told which it was.
"""

import collections
import os
import time

from .conversation import Conversation
from .schedule import DigestGate, Schedule
from .transport.protocol import DEFAULT_PORT  # stdlib only: the protocol needs no pyzmq

__all__ = ["Controller", "ChatHistory", "parse_address", "DEFAULT_PORT"]

# An encrypted class whose lecturer never answered within this many seconds: a wrong server key
# (or an unencrypted lecturer) fails every CURVE handshake silently, so say what to check.
NO_ANSWER_S = 10.0
NO_ANSWER = ("No answer from the lecturer yet; check the join text (copy the whole text from the "
             "lecturer again: its server key may be wrong or old).")
# An encrypted lecturer is always a 1.1 receiver, which welcomes a register within a moment; one
# that takes the connection but never welcomes refuses our messages, most likely because it has
# pinned this student id to another key (a reinstall, another computer): its refusal is silent.
NO_WELCOME_S = 15.0
NO_WELCOME = ("The lecturer's computer does not accept this computer's messages. If you "
              "reinstalled Blender or changed computers, ask the lecturer to reset your key.")
# Why an encrypted connection's handshake failed (transport/curve.py's HandshakeWatch results,
# tested against another lecturer's key, an unencrypted lecturer and a ZAP handler saying 400):
# the lecturer's computer is there, but the keys do not fit.
HANDSHAKE_SENTENCES = {
    "wrong_key": "The lecturer's computer does not accept the encryption: the server key in the "
                 "join text is not this lecturer's. Copy the whole join text from the lecturer "
                 "again.",
    "not_encrypted": "The lecturer's class is not encrypted now, but the join text has a server "
                     "key: copy the join text the lecturer shows now.",
    "refused": "The lecturer's computer refused this computer's key. Ask the lecturer to reset "
               "your key.",
    # without a key: an address typed by hand (or an old join text) for an encrypted class
    "encrypted_class": "The lecturer's class is encrypted: paste the whole join text the "
                       "lecturer shows (pracownia://…?key=…) into the Lecturer field.",
}


def parse_address(text):
    """(host, port) from "host", "host:port", "[v6]" or "[v6]:port"; ValueError with a sentence."""
    text = (text or "").strip()
    if not text:
        raise ValueError("Please type the lecturer's address, e.g. 192.168.1.10:%d."
                         % DEFAULT_PORT)
    host, port = text, str(DEFAULT_PORT)
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise ValueError("The address %r is not host:port." % text)
            port = rest[1:]
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host or " " in host:
        raise ValueError("The address %r has no valid host name." % text)
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("The port in %r must be a number from 1 to 65535." % text)
    return host, int(port)


class ChatHistory:
    """The student's own messages (time, text); kept for the whole Blender session."""

    def __init__(self, limit=200):
        self.items = collections.deque(maxlen=limit)

    def add(self, text, when=None):
        self.items.append((time.strftime("%H:%M:%S", time.localtime(when)), text))

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


class Controller:
    """conversation_dir: where conversations are saved (one JSON file per lecturer address);
    None keeps them in memory only. connect() may also set it."""

    def __init__(self, conversation_dir=None, courier=None):
        """courier: send through a courier process (courier_client.py); None: yes unless the
        environment variable PRACOWNIA_COURIER is 0 (the in-process thread, as a fallback)."""
        if courier is None:
            courier = os.environ.get("PRACOWNIA_COURIER", "1") != "0"
        self.use_courier = bool(courier)
        self.fallback = None       # why the courier is not used although it should be
        self.chat = ChatHistory()
        self.conversation = Conversation()
        self.conversation_dir = conversation_dir
        self.hand_acknowledged = False  # the lecturer saw the raised hand and is coming
        self.gate = DigestGate()
        self.schedule = Schedule()
        self.session = None
        self.endpoint = None
        self._paused = False
        self.hand_raised = False
        self.error = None          # the add-on's own last error (capture, connect)
        self.notice = None         # e.g. "no window: screenshots are off"
        self.transfers = {}        # transfer id -> (kind, marker)
        self.tick_times = collections.deque(maxlen=2000)  # (what, main-thread seconds)
        self.sent = {"screenshot": 0, "blend": 0}
        self._marker = 0
        self._changes_at = {}      # marker -> Blender's change count when that copy was made
        self.no_answer_s = NO_ANSWER_S
        self.no_welcome_s = NO_WELCOME_S
        self._since = None         # monotonic time of connect()
        self._answered = False     # the lecturer was there at least once since connect()
        self._connected_at = None  # monotonic time since the lecturer is there without a welcome

    # ---- connection ----

    @property
    def paused(self):
        """The student paused sharing (automatic screenshots and .blend copies)."""
        return self._paused

    @paused.setter
    def paused(self, value):
        # The lecturer's tile shows it too: every heartbeat carries it, a change goes at once.
        self._paused = bool(value)
        if self.session is not None:
            self.session.sender.set_paused(self._paused)

    @property
    def connected(self):
        return self.session is not None

    def connect(self, address, login, student_id, class_code="", hello_info=None,
                screenshot_every_s=60.0, blend_every_s=300.0, conversation_dir=None,
                server_key=None, key_folder=None, **sender_kw):
        """Start sending; ValueError with a sentence for the student when an input is wrong.
        server_key: the lecturer's CURVE public key (32 bytes, from the join string) for an
        encrypted class; the student's pair for student_id is then loaded from (or made in)
        key_folder (keys.py)."""
        from .session import Session
        from .transport.protocol import validate_login

        if self.session is not None:
            self.disconnect()
        problem = validate_login(login)
        if problem:
            raise ValueError(problem)
        host, port = parse_address(address)
        endpoint = "tcp://%s:%d" % ("[%s]" % host if ":" in host else host, port)
        if server_key is not None:
            sender_kw["curve"] = _curve(server_key, key_folder, student_id)
        if conversation_dir is not None:
            self.conversation_dir = conversation_dir
        if endpoint != self.endpoint:
            self.gate.forget()  # another lecturer: the last files are not there
        if (endpoint, self.conversation_dir) != (self.conversation.endpoint,
                                                 _folder(self.conversation.path)):
            self.conversation.open(self.conversation_dir, endpoint)
        self.schedule.set_intervals(screenshot_every_s, blend_every_s)
        session = self._courier_session(endpoint, student_id, login, class_code, hello_info,
                                        sender_kw)
        if session is None:
            session = Session(endpoint, student_id, login, self.gate, class_code=class_code,
                              hello_info=hello_info, **sender_kw)
            session.sender.set_paused(self._paused)  # before the first heartbeat
            session.start()
        elif self._paused:
            session.sender.set_paused(True)  # the courier sends a heartbeat with it at once
        self.session = session
        self.endpoint = endpoint
        self._since, self._answered, self._connected_at = time.monotonic(), False, None
        self.error, self.conversation.load_error = self.conversation.load_error, None
        self.schedule.start()
        unsent = self.conversation.read_unsent()
        if unsent:  # read while disconnected: tell this lecturer now
            self.session.sender.mark_read(unsent)
            self.conversation.read_told(unsent)
            self._save_conversation()

    def _courier_session(self, endpoint, student_id, login, class_code, hello_info, sender_kw):
        """A started CourierSession, or None (in-process) with the reason in `fallback`."""
        self.fallback = None
        if not self.use_courier:
            return None
        from .courier_client import CourierSession, CourierUnavailable

        session = CourierSession(endpoint, student_id, login, self.gate, class_code=class_code,
                                 hello_info=hello_info, **sender_kw)
        try:
            session.start()
        except CourierUnavailable as e:
            self.fallback = ("Sending from inside Blender, which may slow it down while files "
                             "upload: %s." % e)
            return None
        return session

    def disconnect(self, timeout=2.0):
        """Stop the threads and timers' work (bounded); the chat history stays. True if clean."""
        session, self.session = self.session, None
        self.fallback = None
        self.schedule.stop()
        self.transfers.clear()
        self._changes_at.clear()
        self.hand_raised = False
        self.hand_acknowledged = False
        if session is None:
            return True
        return session.stop(timeout)

    # ---- student actions ----

    def send_chat(self, text):
        from .transport.protocol import validate_chat

        problem = validate_chat(text)
        if problem:
            raise ValueError(problem)
        if self.session is None:
            raise ValueError("Connect to the lecturer first.")
        msg_id = self.session.sender.send_chat(text)
        self.chat.add(text)
        self.conversation.add_mine(msg_id, text)
        self._save_conversation()
        return msg_id

    def set_hand(self, raised):
        if self.session is None:
            raise ValueError("Connect to the lecturer first.")
        self.session.sender.send_hand(raised)
        self.hand_raised = bool(raised)
        self.hand_acknowledged = False

    def request(self, kind):
        if self.session is None:
            raise ValueError("Connect to the lecturer first.")
        self.schedule.request(kind)

    def mark_conversation_read(self):
        """The student looked at the conversation: every unread lecturer message becomes read,
        and the lecturer is told (now, or at the next connect). Returns how many."""
        told = self.session is not None
        ids = self.conversation.mark_read(told=told)
        if ids and told:
            self.session.sender.mark_read(ids)
        self._save_conversation()
        return len(ids)

    # ---- the timer tick (main thread) ----

    def tick(self, capture, now=None):
        """Drain thread events, then at most one capture. Returns what was captured, or None."""
        t0 = time.perf_counter()
        did = None
        can_shot = capture.can_screenshot()
        self.notice = None if can_shot else capture.no_screenshot_reason()
        if self.session is not None:
            self._drain(can_shot, capture)
            sender = self.session.sender
            sender.set_open_file(capture.open_file_name())
            if self._track(sender.status()) in ("connected", "sending"):
                kind = self.schedule.next_due(now, self.paused, can_shot)
                if kind is not None:
                    did = self._capture(kind, capture, now)
        self.tick_times.append((did or "idle", time.perf_counter() - t0))
        return did

    def _capture(self, kind, capture, now):
        changes = None
        if kind == "blend" and hasattr(capture, "change_count"):
            changes = capture.change_count()
            if self.gate.unchanged(kind, changes):  # the lecturer has this state already
                self.schedule.captured(kind, None, now)
                return None
        name = ("screenshot-%s.png" % time.strftime("%Y%m%d-%H%M%S") if kind == "screenshot"
                else capture.open_file_name() or "untitled.blend")
        path = self.session.new_path(name)
        try:
            write = (capture.screenshot if kind == "screenshot" else capture.blend_copy)(path)
        except Exception as e:  # shown in the panel; the next try comes after the interval
            self.schedule.capture_failed(kind, now)
            self.error = "Could not capture the %s: %s" % (
                "screenshot" if kind == "screenshot" else ".blend copy", e)
            return None
        self._marker += 1
        self._changes_at[self._marker] = changes
        self.schedule.captured(kind, self._marker, now)
        self.session.submit(kind, path, name, self._marker,
                            write if callable(write) else None)
        return kind

    def _drain(self, can_shot=True, capture=None):
        events = self.session.events
        while events:
            e = events.popleft()
            t = e.get("type")
            if t == "lecturer_message":
                self._lecturer_message(e, can_shot, capture)
            elif t == "receipt":
                self.conversation.apply_receipt(e["stored"], e["read"])
            elif t == "chat_sent":
                self.conversation.set_mine_state([e["id"]], "sent")
            elif t == "capture_queued":
                self.transfers[e["id"]] = (e["kind"], e["marker"])
            elif t in ("capture_skipped", "capture_failed"):
                self.schedule.finished(e["kind"], e["marker"])
                changes = self._changes_at.pop(e["marker"], None)
                if t == "capture_skipped":  # same bytes as the file the lecturer has
                    self.gate.changes_sent[e["kind"]] = changes
                    self.gate.skipped[e["kind"]] += 1
                if t == "capture_failed":
                    self.error = e["error"]
            elif t == "error":  # the courier could not carry out a command: its sentence
                self.error = e["error"]
            elif t in ("file_sent", "file_failed", "file_cancelled"):
                kind, marker = self.transfers.pop(e["id"], (None, None))
                if kind is None:
                    continue
                self.schedule.finished(kind, marker)
                changes = self._changes_at.pop(marker, None)
                if t == "file_sent":
                    self.gate.sent(kind, e["sha256"], changes)
                    self.sent[kind] += 1
                    self.error = None
        if self.conversation.dirty:
            self._save_conversation()

    def _lecturer_message(self, e, can_shot, capture):
        if self.conversation.add_lecturer(e) is None:
            return  # seen before (e.g. resent after a restart): already handled
        if e["kind"] == "hand":
            self.hand_acknowledged = e["state"] == "acknowledged"
            if e["state"] == "lowered":
                self.hand_raised = False
        elif e["kind"] == "request":
            sender, what = self.session.sender, e["what"]
            if self.paused:
                sender.answer_request(e["id"], "paused", "The student has paused sharing.")
            elif what == "screenshot" and not can_shot:
                reason = capture.no_screenshot_reason() if capture is not None else None
                sender.answer_request(e["id"], "failed", reason or "No screenshot can be taken.")
            else:
                self.schedule.request(what)  # captured at this tick or the next one
                sender.answer_request(e["id"], "capturing")

    def _save_conversation(self):
        try:
            self.conversation.save()
        except OSError as e:
            self.error = "The conversation could not be saved: %s" % (e.strerror or e)

    def _track(self, st):
        """Note from a Sender status whether (and since when) the lecturer is there without a
        welcome; returns its state. Called by the tick and by status()."""
        state = st["state"]
        if state in ("connected", "sending"):
            self._answered = True
            if st.get("two_way"):
                self._connected_at = None  # a lecturer who restarts welcomes us again: anew
            elif self._connected_at is None:
                self._connected_at = time.monotonic()
        return state

    # ---- what the panel and the status bar show ----

    @property
    def sharing(self):
        return self.session is not None and not self.paused

    def status(self):
        """{state, text, progress (0..1 or None), sharing, notice, error, two_way (the lecturer
        can answer), unread (lecturer messages the student has not seen), fallback (why the
        network work runs inside Blender instead of the courier process, or None)}."""
        out = {"sharing": self.sharing, "notice": self.notice, "progress": None,
               "error": self.error, "two_way": False, "fallback": self.fallback,
               "unread": self.conversation.unread_count}
        if self.session is None:
            out.update(state="not_connected", text="Not connected")
            return out
        st = self.session.sender.status()
        state = st["state"]
        out["state"] = state
        out["two_way"] = bool(st.get("two_way"))
        out["encrypted"] = bool(st.get("encrypted"))
        self._track(st)
        if (state in ("connected", "sending") and out["encrypted"] and not out["error"]
                and self._connected_at is not None
                and time.monotonic() - self._connected_at > self.no_welcome_s):
            out["error"] = NO_WELCOME
        if state == "waiting":
            out["text"] = "Waiting for the lecturer…"
            failed = HANDSHAKE_SENTENCES.get(st.get("handshake"))
            if failed:  # the lecturer's computer answered: why the handshake failed
                out["error"] = failed
            elif (out["encrypted"] and not self._answered and self._since is not None
                    and time.monotonic() - self._since > self.no_answer_s):
                out["error"] = NO_ANSWER
        elif state == "connected":
            out["text"] = "Connected"
        elif state == "sending":
            t = st["transfer"] or {}
            out["text"] = "Sending %s" % t.get("name", "a file")
            out["progress"] = (t["sent"] / float(t["size"])) if t.get("size") else 0.0
            p = st.get("parked")
            if p and p.get("size"):  # a blend waiting behind a screenshot keeps its progress
                out["text"] += " (%s waits at %d%%)" % (p["name"], 100 * p["sent"] // p["size"])
        elif state == "error":
            out["text"] = "Error: %s" % (st["error"] or "unknown")
        else:
            out["text"] = "Not connected"
        if state != "error" and st.get("error"):
            out["error"] = st["error"]
        return out


def _curve(server_key, key_folder, student_id):
    """The Sender's `curve` keys: the lecturer's public key and the student's own pair."""
    from .transport.curve import NO_CURVE, check_curve

    import zmq

    if not zmq.has("curve"):  # before keys.py, whose curve_keypair() would fail too
        raise ValueError(NO_CURVE)
    if key_folder is None:
        raise ValueError("There is no folder to keep this computer's encryption key in.")
    from . import keys

    try:
        public, secret = keys.load_or_create(key_folder, student_id)
    except OSError as e:
        raise ValueError("This computer's encryption key could not be saved: %s"
                         % (e.strerror or e)) from None
    return check_curve({"server": server_key, "public": public, "secret": secret})


def _folder(path):
    return None if path is None else os.path.dirname(path)
