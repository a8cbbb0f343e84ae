import subprocess
import sys

import pytest

from mnist_talk import devices, params

GOOD = dict(epochs=1, batch_size=32, train_size=100, seed=0, device="cpu",
            accuracy_floor=0.5, results_dir="results")


def test_good_parameters_pass_through():
    assert params.check(**GOOD, extra=3) == {**GOOD, "extra": 3}


@pytest.mark.parametrize("name, value, words", [
    ("epochs", 0, "epochs must be >= 1"),
    ("epochs", -3, "epochs must be >= 1"),
    ("epochs", 2.5, "epochs must be a whole number"),
    ("train_size", 60_001, "between 1 and 60000"),
    ("train_size", 0, "between 1 and 60000"),
    ("batch_size", 0, "batch_size must be >= 1"),
    ("seed", -1, "seed must be >= 0"),
    ("device", "tpu", "unknown device 'tpu'"),
    ("device", "gpu:x", "unknown device"),
    ("accuracy_floor", 99, "between 0 and 1"),
    ("accuracy_floor", "high", "between 0 and 1"),
    ("results_dir", "", "results_dir must be a folder"),
])
def test_impossible_values_get_one_clear_message(name, value, words):
    with pytest.raises(params.ParameterError, match=words):
        params.check(**{**GOOD, name: value})


@pytest.mark.parametrize("text, parsed", [
    ("auto", ("auto", None)), ("cpu", ("cpu", None)), ("gpu", ("gpu", 0)),
    ("GPU:1", ("gpu", 1)),
])
def test_device_strings(text, parsed):
    found = devices.parse(text)
    assert (found.kind, found.index) == parsed


def _in_fresh_python(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=120)


def test_asking_for_a_missing_gpu_is_an_error_not_a_cpu_run():
    done = _in_fresh_python(
        "import os; os.environ.pop('CUDA_VISIBLE_DEVICES', None)\n"
        "from mnist_talk import devices\n"
        "print(devices.use_device('gpu:0'))\n")
    if done.returncode == 0:
        pytest.skip(f"this machine has a GPU: {done.stdout.strip()}")
    assert "DeviceError" in done.stderr
    assert "sees none" in done.stderr and "device='cpu'" in done.stderr


def test_cpu_device_hides_gpus_and_says_so():
    done = _in_fresh_python("from mnist_talk import devices\n"
                            "print(devices.use_device('cpu'))\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("CPU (")
    assert "cuda" not in done.stderr.lower()  # the start-up banner is held back


def test_device_cannot_change_once_the_backend_started():
    done = _in_fresh_python("import keras\nfrom mnist_talk import devices\n"
                            "devices.use_device('cpu')\n")
    assert done.returncode != 0 and "restart the kernel" in done.stderr


@pytest.mark.parametrize("name", ["members", "pseudo_copies"])
def test_ensemble_sizes_must_be_whole_and_positive(name):
    assert params.check(**GOOD, **{name: 3})[name] == 3
    for bad in (0, -1, 1.5):
        with pytest.raises(params.ParameterError, match=name):
            params.check(**GOOD, **{name: bad})


def test_members_have_a_ceiling_and_distinct_seeds():
    from mnist_talk import session

    with pytest.raises(params.ParameterError, match="at most 100"):
        params.check(**{**GOOD, "members": 101})
    seeds = {session.member_seed(s, m, g)
             for s in (1, 2, 3) for g in (0, 1) for m in range(100)}
    assert len(seeds) == 3 * 2 * 100


def test_confidence_is_a_probability_below_one():
    assert params.check(**GOOD, confidence=0)["confidence"] == 0
    assert params.check(**GOOD, confidence=0.99)["confidence"] == 0.99
    for bad in (1, 1.5, -0.1, True, "0.9"):
        with pytest.raises(params.ParameterError, match="confidence"):
            params.check(**GOOD, confidence=bad)


def test_dropout_is_five_rates_below_one():
    """Stage 12's members' dropout: one rate after each block and one
    before the output, each in [0, 1)."""
    half = [0.05, 0.1, 0.15, 0.2, 0.25]
    assert params.check(**GOOD, dropout=half)["dropout"] == half
    assert params.check(**GOOD, dropout=[0, 0, 0, 0, 0])
    for bad in ([0.1, 0.2], [0.1] * 6, [0.1, 0.2, 1.0, 0.4, 0.5],
                [0.1, 0.2, -0.3, 0.4, 0.5], [0.1, True, 0.3, 0.4, 0.5],
                "0.1, 0.2, 0.3, 0.4, 0.5", 0.5):
        with pytest.raises(params.ParameterError, match="dropout"):
            params.check(**GOOD, dropout=bad)


def test_tta_is_true_or_false():
    """Stage 12's test-time augmentation is on or off; papermill's YAML
    turns `-p tta=true` into True, while "yes" or 1 arrive as a string
    and a number, and are refused rather than read as on."""
    assert params.check(**GOOD, tta=True)["tta"] is True
    assert params.check(**GOOD, tta=False)["tta"] is False
    for bad in (1, 0, "True", "yes", None):
        with pytest.raises(params.ParameterError, match="tta must be True"):
            params.check(**GOOD, tta=bad)


def test_filters_are_four_whole_widths():
    """Stage 12's members' widths: four whole numbers, one per block; a
    papermill override arrives as a list (YAML)."""
    assert params.check(**GOOD, filters=[16, 32, 64, 128])["filters"] == [
        16, 32, 64, 128]
    for bad in ([7, 14, 28], [7, 14, 28, 56, 112], [7, 14, 0, 56],
                [7, 14, 28.5, 56], "16, 32, 64, 128", 16, [True, 1, 1, 1]):
        with pytest.raises(params.ParameterError, match="filters"):
            params.check(**GOOD, filters=bad)
