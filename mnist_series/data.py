"""`make data`: fill the MNIST cache and verify it, before a notebook runs.

    python -m mnist_series.data

The notebooks read the cache with `mnist_talk.data`. A class shares one
cache, filled once by the lab admin (`MNIST_TALK_DATA`, docs/classroom.md).
"""

from __future__ import annotations

import sys

from mnist_talk.data import CACHE_NAME, DataError, default_cache_dir, load_mnist


def main() -> int:
    """`python -m mnist_series.data` (`make data`): fill and verify the
    cache; a `DataError` is its message on stderr, with exit status 1."""
    try:
        (x_train, _), (x_test, _) = load_mnist()
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    where = default_cache_dir() / CACHE_NAME
    print(f"MNIST ready: {len(x_train)} train + {len(x_test)} test images, "
          f"verified, in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
