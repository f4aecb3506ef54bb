"""Fixtures of the add-on's tests: the same per-test time limit, `pracownia serve` and CLI as the
end-to-end tests (tests/e2e/e2e_fixtures.py)."""

import support  # noqa: F401  (puts tests/e2e and blender_addon on sys.path)
from e2e_fixtures import _per_test_timeout, cli, pracownia_bin, start_serve  # noqa: F401 (fixtures)
