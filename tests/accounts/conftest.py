from tests.support import clock  # noqa: F401 (fixture)
