"""End-to-end tests: the `pracownia` binary with Python students (tests.e2e.e2e_support)."""
