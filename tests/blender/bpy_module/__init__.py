"""The add-on in Blender as a Python module (bpy from PyPI, .venv-bpy); see bpy_env.py."""
