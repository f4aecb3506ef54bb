"""What every Python suite shares: the per-test time limit (marker `timeout_s`, default 60 s;
tests/e2e/e2e_support.time_limit), here once instead of in each suite's conftest."""

from tests.e2e.e2e_fixtures import _per_test_timeout  # noqa: F401 (autouse fixture)
