# The browser fixtures (live server login, screenshots, axe-core) for tests/committees/test_browser.py.
from tests.browser.conftest import axe, log_in, shoot  # noqa: F401
