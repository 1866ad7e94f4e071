import pytest


@pytest.fixture(autouse=True)
def _fresh_login_throttle():
    """The per-IP login throttle counts in Django's cache, which outlives a test; start each test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
