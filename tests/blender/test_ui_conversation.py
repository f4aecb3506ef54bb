"""What the conversation panel shows (ui_conversation.py is bpy-free): prefixes, the state of the
student's own messages, wrapping, the cap on long messages, the unread sentence."""


from pracownia_student import ui_conversation as ui


def item(who, text, state, kind="chat"):
    return {"id": "x", "who": who, "kind": kind, "text": text, "ts": 0, "time": "10:42:07",
            "state": state}


def test_prefixes_and_own_states():
    assert ui.item_lines(item("lecturer", "Dobrze", "unread")) == ["10:42  Lecturer: Dobrze"]
    assert ui.item_lines(item("class", "Przerwa", "read")) == ["10:42  Everyone: Przerwa"]
    for state, said in (("queued", "not sent yet"), ("sent", "sent"),
                        ("delivered", "delivered"), ("read", "read by the lecturer")):
        assert ui.item_lines(item("me", "Gotowe", state)) == ["10:42  You: Gotowe",
                                                             "    (%s)" % said]
    # a request or a hand answer already says who: no prefix
    lines = ui.item_lines(item("lecturer", "The lecturer asked for a screenshot.", "info"), 60)
    assert lines == ["10:42  The lecturer asked for a screenshot."]


def test_long_text_is_wrapped_and_capped():
    lines = ui.item_lines(item("lecturer", "słowo " * 1000, "unread"), width=30)
    assert all(len(line) <= 30 for line in lines)
    assert len(lines) == ui.MAX_LINES and lines[-1].endswith("…")
    assert ui.item_lines(item("lecturer", "a\nb", "unread"))[0].endswith("a b")


def test_unread_sentence_and_wrap_width():
    assert ui.unread_sentence(1) == "1 new message from the lecturer"
    assert ui.unread_sentence(3) == "3 new messages from the lecturer"
    assert ui.wrap_width(None) == 40

    class Region:
        width = 300

    class Context:
        region = Region()
        preferences = None
    assert 20 <= ui.wrap_width(Context()) <= 40
