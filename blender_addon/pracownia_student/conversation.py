"""The conversation with one lecturer (bpy-free): the student's chat and the lecturer's messages.

Kept in memory (at most `limit` items, oldest dropped) and saved as JSON, one file per lecturer
address, in a folder the caller gives, so it survives Blender restarts. A save writes a temporary
file and os.replace()s it over the old one: a crash mid-write leaves the previous file whole.
Main thread only (the Controller's tick); the sender thread only produces events.

Item (a dict): id, who ('me' | 'lecturer' | 'class'), kind ('chat', 'reply', 'broadcast',
'request', 'hand'), text, ts (Unix ms), time ('HH:MM:SS', local), state:
  mine: 'queued' -> 'sent' -> 'delivered' (the lecturer stored it) -> 'read' (the lecturer read it)
  reply/broadcast: 'unread' -> 'read' (the student saw it); request/hand: 'info' (nothing to read)
"""

import hashlib
import json
import os
import re
import time

__all__ = ["Conversation", "file_name"]

FORMAT = 1
_MINE_ORDER = ("queued", "sent", "delivered", "read")
_SEEN_LIMIT = 4096   # lecturer ids kept beyond the items, so a resent old message stays dropped

_REQUEST_TEXT = {"screenshot": "The lecturer asked for a screenshot.",
                 "blend": "The lecturer asked for a copy of your .blend file."}
_HAND_TEXT = {"acknowledged": "The lecturer saw your raised hand and is coming.",
              "lowered": "The lecturer lowered your hand."}


def file_name(endpoint):
    """A safe, stable file name for one lecturer address (readable part plus a short hash, so
    addresses that differ only in punctuation do not share a file)."""
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", endpoint.replace("tcp://", ""))[:60].strip("_.")
    digest = hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:10]
    return "conversation-%s-%s.json" % (slug or "lecturer", digest)


def _clock(ts_ms):
    try:
        return time.strftime("%H:%M:%S", time.localtime(ts_ms / 1000.0))
    except (OverflowError, OSError, ValueError):  # a lecturer clock far off must not break a tick
        return time.strftime("%H:%M:%S")


class Conversation:
    def __init__(self, limit=500):
        self.limit = int(limit)
        self.items = []
        self.path = None
        self.endpoint = None
        self.load_error = None   # a sentence when the saved file could not be read
        self._by_id = {}
        self._seen = []          # lecturer ids that fell out of items (bounded)
        self._read_unsent = set()  # read by the student while the lecturer could not be told
        self.dirty = False

    # ---- files ----

    def open(self, folder, endpoint):
        """Switch to the conversation with `endpoint`, loading its file from `folder` (None: kept
        in memory only). A broken file is set aside and the conversation starts empty."""
        if self.dirty:
            try:
                self.save()
            except OSError:
                pass  # the previous conversation keeps its last saved state
        self.endpoint = endpoint
        self.path = os.path.join(folder, file_name(endpoint)) if folder else None
        self.items, self._by_id, self._seen, self._read_unsent = [], {}, [], set()
        self.load_error = None
        self.dirty = False
        if self.path is None or not os.path.exists(self.path):
            return
        try:
            with open(self.path, "r", encoding="utf-8") as f:
                data = json.load(f)
            items = [_checked(i) for i in data["items"]]
            seen = [str(i) for i in data.get("seen", [])][-_SEEN_LIMIT:]
            read_unsent = {str(i) for i in data.get("read_unsent", [])}
        except (OSError, ValueError, KeyError, TypeError) as e:
            self.load_error = ("The saved conversation could not be read (%s); it starts anew."
                               % (getattr(e, "strerror", None) or e))
            try:
                os.replace(self.path, self.path + ".broken")  # kept for a look, not overwritten
            except OSError:
                pass
            return
        self.items = items[-self.limit:]
        self._by_id = {i["id"]: i for i in self.items}
        self._seen = seen
        self._read_unsent = read_unsent & set(self._by_id)

    def save(self):
        """Write the file atomically (tmp + fsync + os.replace). OSError goes to the caller."""
        self.dirty = False
        if self.path is None:
            return
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        data = {"format": FORMAT, "endpoint": self.endpoint, "items": self.items,
                "seen": self._seen, "read_unsent": sorted(self._read_unsent)}
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    # ---- changes ----

    def add_mine(self, msg_id, text, ts_ms=None):
        if msg_id in self._by_id:
            return None
        ts_ms = int(time.time() * 1000) if ts_ms is None else int(ts_ms)
        return self._append({"id": msg_id, "who": "me", "kind": "chat", "text": text,
                             "ts": ts_ms, "time": _clock(ts_ms), "state": "queued"})

    def add_lecturer(self, event):
        """Store a lecturer_message event; the new item, or None when this id was seen before."""
        msg_id = event["id"]
        if msg_id in self._by_id or msg_id in self._seen:
            return None
        kind = event["kind"]
        if kind == "request":
            text, state = _REQUEST_TEXT.get(event.get("what"), "The lecturer asked for a file."), "info"
        elif kind == "hand":
            text, state = _HAND_TEXT.get(event.get("state"), "The lecturer answered your hand."), "info"
        else:
            text, state = event.get("text") or "", "unread"
        ts_ms = int(event.get("ts") or time.time() * 1000)
        item = {"id": msg_id, "who": "class" if kind == "broadcast" else "lecturer", "kind": kind,
                "text": text, "ts": ts_ms, "time": _clock(ts_ms), "state": state}
        if kind == "request":
            item["what"] = event.get("what")
        return self._append(item)

    def set_mine_state(self, ids, state):
        """Move the student's own messages forward (never back: a late receipt cannot undo read)."""
        for msg_id in ids:
            item = self._by_id.get(msg_id)
            if item is None or item["who"] != "me":
                continue
            if _MINE_ORDER.index(state) > _MINE_ORDER.index(item["state"]):
                item["state"] = state
                self.dirty = True

    def apply_receipt(self, stored, read):
        self.set_mine_state(stored, "delivered")
        self.set_mine_state(read, "read")

    def mark_read(self, ids=None, told=True):
        """The student saw these lecturer messages (default: every unread one). Returns their ids.
        told=False: the lecturer could not be told now; read_unsent() returns them later."""
        ids = self.unread_ids() if ids is None else ids
        done = []
        for msg_id in ids:
            item = self._by_id.get(msg_id)
            if item is not None and item["who"] != "me" and item["state"] == "unread":
                item["state"] = "read"
                done.append(msg_id)
                if not told:
                    self._read_unsent.add(msg_id)
        if done:
            self.dirty = True
        return done

    def read_unsent(self):
        return sorted(self._read_unsent)

    def read_told(self, ids):
        if self._read_unsent.intersection(ids):
            self._read_unsent.difference_update(ids)
            self.dirty = True

    def _append(self, item):
        self.items.append(item)
        self._by_id[item["id"]] = item
        while len(self.items) > self.limit:
            old = self.items.pop(0)
            del self._by_id[old["id"]]
            self._read_unsent.discard(old["id"])
            if old["who"] != "me":
                self._seen.append(old["id"])
        del self._seen[:-_SEEN_LIMIT]
        self.dirty = True
        return item

    # ---- what the panel shows ----

    def unread_ids(self):
        return [i["id"] for i in self.items if i["state"] == "unread"]

    @property
    def unread_count(self):
        return sum(1 for i in self.items if i["state"] == "unread")

    def get(self, msg_id):
        return self._by_id.get(msg_id)

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def _checked(item):
    """An item from the file, with the fields the panel relies on (TypeError/KeyError if not)."""
    out = dict(item)
    for key in ("id", "who", "kind", "text", "time", "state"):
        if not isinstance(out[key], str):
            raise TypeError("item field %s is not text" % key)
    out["ts"] = int(out["ts"])
    return out
