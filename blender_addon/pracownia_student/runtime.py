"""The add-on's single runtime state for this Blender session (bpy-free).

Kept in its own module so that the chat history and the student's id survive disconnects, and so
that addon, ops, timers, ui and notify share one Controller. Those import runtime and never the
other way; among themselves only downwards (addon registers ops and ui; ops starts and stops the
timer in timers), so there is no import cycle (tests/blender/test_addon_imports.py).
"""

from .controller import Controller

controller = Controller()
installer = None      # deps.Installer while/after the student pressed "Install pyzmq"
student_id = None     # the id of the login connecting (identity.py: one per login here)
id_path = None        # student_ids.json: login -> id, and this configuration's seat id
legacy_id_path = None  # student_id: the one id of add-ons before ids per login
seat_id = None        # this configuration's seat (hello `seat`)
last_login = ""       # the login in the preferences when the add-on started
config_dir = None     # <user config>/pracownia: the id files and the encryption keys (keys.py)
deps_dir = None       # where "Install pyzmq" puts pyzmq (on sys.path)
conversation_dir = None  # where conversations are saved (set by addon.register())
