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
    from mnist_series import browser

    try:
        return browser.chromium_path()
    except browser.BrowserError as exc:
        pytest.fail(str(exc))


def _record(stage="01_linear", **fields):
    """A complete results record with made-up figures; `fields` override."""
    from mnist_talk import results

    extra = fields.pop("extra", {})
    base = dict(stage=stage, title="t", test_accuracy=0.9,
                talk_accuracy=None, parameter_count=1, epochs=1,
                networks_trained=1, train_seconds=6.0, device="CPU (test)",
                backend="tensorflow", versions={"k": "1"},
                parameters={"seed": 1}, finished="2026-11-27T02:00:00+00:00",
                history={})
    return results.Record(**{**base, **fields}, extra=extra)


@pytest.fixture
def record():
    """`record(stage, **fields)`: a results record to save in a test."""
    return _record
