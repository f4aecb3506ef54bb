"""The add-on's single runtime state for this Blender session (bpy-free).

Kept in its own module so that the chat history and the student's id survive disconnects, and so
that ops, ui and addon share one Controller without importing each other.
"""

from .controller import Controller

controller = Controller()
installer = None      # deps.Installer while/after the student pressed "Install pyzmq"
student_id = None     # loaded by addon.register() from the id file
id_path = None
deps_dir = None       # where "Install pyzmq" puts pyzmq (on sys.path)
conversation_dir = None  # where conversations are saved (set by addon.register())
