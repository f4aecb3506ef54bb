"""Real Blender with a window under Xvfb: *_e2e.py (pytest) start Blender with *_driver.py."""
