"""Pracownia's Python tests, one package: pytest.ini puts the repository root (so `tests.e2e`,
`tests.python`, `tests.blender`), blender_addon/ (`pracownia_student`) and scripts/
(`build_addon`) on the path, so no test edits sys.path. Scripts that Blender itself runs
(tests/blender/window/*_driver.py) put the root there once, at their start."""
