"""The add-on's single runtime state for this Blender session (bpy-free).

Kept in its own module so that the chat history and the student's id survive disconnects, and so
that ops, ui and addon share one Controller (they still import each other for their own parts:
addon registers ops and ui, ops calls addon's timer start and stop).
"""

from .controller import Controller

controller = Controller()
installer = None      # deps.Installer while/after the student pressed "Install pyzmq"
student_id = None     # loaded by addon.register() from the id file
id_path = None
config_dir = None     # <user config>/pracownia: the id file and the encryption keys (keys.py)
deps_dir = None       # where "Install pyzmq" puts pyzmq (on sys.path)
conversation_dir = None  # where conversations are saved (set by addon.register())
