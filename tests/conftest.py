import os

import pytest

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def mnist():
    """The real, verified MNIST arrays (from the cache `make data` fills)."""
    from mnist_talk import data

    return data.load_mnist()
