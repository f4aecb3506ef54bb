"""End-to-end tests: a package, so that its conftest (e2e.conftest) never shadows tests/python's
`conftest` module, which the tests there import by that name."""
