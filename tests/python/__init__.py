"""The student transport tests and the Python reference lecturers (reference_*.py)."""
