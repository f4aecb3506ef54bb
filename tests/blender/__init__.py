"""The student add-on's tests: pure Python here, bpy_module/ in Blender as a module, window/ in a
real Blender under Xvfb."""
