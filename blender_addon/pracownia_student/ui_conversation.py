"""The conversation in the panel: both sides, what became of the student's own messages, and the
unread marker. Draw functions take any layout-like object (tests draw into a recorder)."""

import textwrap

from . import runtime

ctl = runtime.controller
SHOWN = 8
MAX_LINES = 12  # a 4 KiB message must not push the rest of the panel out of sight
_WHO = {"me": "You", "lecturer": "Lecturer", "class": "Everyone"}
_MINE = {"queued": "not sent yet", "sent": "sent", "delivered": "delivered",
         "read": "read by the lecturer"}
_ICON = {"me": "USER", "lecturer": "COMMUNITY", "class": "WORLD"}


def unread_sentence(n):
    return "1 new message from the lecturer" if n == 1 else "%d new messages from the lecturer" % n


def wrap_width(context):
    """Characters that fit the sidebar (about 7.5 px a character at UI scale 1); 40 without one."""
    region = getattr(context, "region", None)
    width = getattr(region, "width", 0) or 0
    if width <= 0:
        return 40
    scale = getattr(getattr(getattr(context, "preferences", None), "view", None), "ui_scale", 1.0)
    return max(16, int(width / (7.5 * (scale or 1.0))) - 6)  # box padding and an icon


def wrapped_label(layout, text, context, icon="NONE"):
    """A sentence over as many lines as the sidebar needs (a label alone would be cut off)."""
    col = layout.column(align=True)
    for n, line in enumerate(textwrap.wrap(text, width=wrap_width(context)) or [""]):
        col.label(text=line, icon=icon if n == 0 else ("BLANK1" if icon != "NONE" else "NONE"))
    return col


def item_lines(item, width=40):
    """The lines one item shows: 'HH:MM  Who: text' wrapped, then the state of the student's own."""
    head = "%s  " % item["time"][:5]
    if item["state"] != "info":  # requests and hand answers already say "The lecturer ..."
        head += "%s: " % _WHO.get(item["who"], "Lecturer")
    lines = textwrap.wrap(head + item["text"], width=width, subsequent_indent="    ",
                          max_lines=MAX_LINES, placeholder=" …") or [head]
    if item["who"] == "me":
        lines.append("    (%s)" % _MINE.get(item["state"], item["state"]))
    return lines


def draw_conversation(layout, context, can_send=True):
    layout.separator()
    unread = ctl.conversation.unread_count
    if unread:
        box = layout.box()
        wrapped_label(box, unread_sentence(unread), context, "ERROR").alert = True
        box.operator("pracownia.mark_read", text="Mark as read", icon="CHECKMARK")
    layout.label(text="Conversation with the lecturer:")
    items = list(ctl.conversation)[-SHOWN:]
    width = wrap_width(context)
    col = layout.column(align=True)
    if not items:
        col.label(text="No messages yet.")
    for item in items:
        lines = item_lines(item, width)
        sub = col.column(align=True)
        sub.alert = item["state"] == "unread"  # new from the lecturer: stands out until read
        for n, line in enumerate(lines):
            sub.label(text=line, icon=_ICON.get(item["who"], "INFO") if n == 0 else "BLANK1")
    if not can_send:
        return
    row = layout.row(align=True)
    row.prop(context.window_manager.pracownia, "chat_text", text="")
    row.operator("pracownia.chat_send", text="", icon="PLAY")


def draw_status_marker(layout):
    """The status bar's reminder: stays until the student marks the messages read."""
    unread = ctl.conversation.unread_count
    if unread:
        row = layout.row(align=True)
        row.alert = True
        row.label(text="Pracownia: %d new message%s" % (unread, "" if unread == 1 else "s"),
                  icon="ERROR")
