import os

import pytest

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def mnist():
    """The real, verified MNIST arrays (from the cache `make data` fills)."""
    from mnist_talk import data

    return data.load_mnist()


@pytest.fixture(scope="session")
def chromium():
    """The browser the slide tests drive. Never skipped: no browser is a
    failure that says what to run."""
    from mnist_talk import browser

    try:
        return browser.chromium_path()
    except browser.BrowserError as exc:
        pytest.fail(str(exc))
