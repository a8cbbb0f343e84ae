"""The generated blocks of timings: `make bench` against its peer
(docs/benchmark.md), seconds per epoch on each backend (docs/backends.md),
and each deck's minutes at its live settings (docs/presenting.md).
"""

from __future__ import annotations

from mnist_talk import results, stages
from mnist_talk.tables import Table, pct

from . import records, settings


def _f(x, fmt):
    return "—" if x is None else format(x, fmt)


def bench_markdown(record: dict | None, results_dir) -> str:
    """`make bench`'s ratios, and seconds per epoch of every stage."""
    lines = []
    if record is None:
        lines += ["No benchmark has run yet: `make bench`.", ""]
    else:
        peer, ours = record["peer"], record["ours"]
        budget, ratios = record["ours_at_peer_budget"], record["ratios"]
        lines += [
            "| | keras-io convnet (peer) | ours | ours / peer |",
            "|---|---|---|---|",
            f"| seconds to {record['target']:.0%} test accuracy | "
            f"{_f(peer['median_seconds_to_target'], '.1f')} | "
            f"{_f(ours['median_seconds_to_target'], '.1f')} | "
            f"**{_f(ratios['time_to_target'], '.2f')}** |",
            f"| test accuracy after {peer['median_seconds']:.0f} s "
            f"(the peer's {peer['runs'][0]['epochs']} epochs; ours: "
            f"{budget['epochs']}) | {peer['median_final_accuracy']:.2%} | "
            f"{budget['median_final_accuracy']:.2%} | "
            f"{ratios['accuracy_at_peer_budget']:.4f} "
            f"(errors × {ratios['errors_at_peer_budget']:.2f}) |",
            f"| parameters | {peer['runs'][0]['params']:,} | "
            f"{ours['runs'][0]['params']:,} | |",
            "",
            f"Medians of {record['repeats']} runs each (seeds 1 to "
            f"{record['repeats']}), finished {record['finished'][:10]} on "
            f"{record['device']}, with "
            + ", ".join(f"{k} {v}" for k, v in
                        sorted(record["versions"].items())) + ".",
            "",
        ]
    rows = []
    for s in stages.STAGES:
        rec = results.load(results_dir, s.id)
        rows.append([s.number, s.title,
                     _f(rec and rec.seconds_per_epoch, ".1f"),
                     rec.epochs_text if rec else "—",
                     rec.device if rec else "—"])
    lines.append(Table(["stage", "model", "s / epoch", "epochs", "device"],
                       rows)._repr_markdown_())
    return "\n".join(lines).rstrip() + "\n"


def backends_markdown(record: dict | None) -> str:
    """`make backends`' seconds per epoch, one row per backend."""
    if not record:
        return "No backend has been timed yet: `make backends`.\n"
    names = {"dense": "dense (04)", "vgg": "VGG (09)",
             "augmented": "augmented (10)"}
    rows, where = [], set()
    for backend, rec in record["backends"].items():
        if "skipped" in rec:
            rows.append([backend, *["—"] * (len(names) + 2)])
            continue
        per_epoch = {k: v["seconds_per_epoch"]
                     for k, v in rec["models"].items()}
        rows.append([backend, rec["versions"].get(backend, "?"),
                     *[f"{per_epoch[k]:.1f}" for k in names],
                     f"{per_epoch['augmented'] / per_epoch['vgg']:.2f}"])
        where.add(rec["device"])
    table = Table(["backend", "version", *names.values(),
                   "augmented ÷ VGG"], rows)
    return (table._repr_markdown_() + "\n"
            f"Seconds per epoch of {record['images']:,} training images, "
            f"batch {record['batch_size']}, median of epochs 2 and 3 of "
            f"{record['epochs']}, each backend in its own venv, on "
            f"{', '.join(sorted(where)) or '—'}; timed "
            f"{(record.get('finished') or '?')[:10]}.\n")


def live_markdown(results_dir) -> str:
    """Each deck at its live settings (`series run --live`): its settings,
    minutes, training seconds and accuracy, beside the full run's."""
    record = records.read_live(results_dir)
    run = records.load_run(results_dir)["stages"]
    rows, total = [], 0.0
    for st in stages.STAGES:
        live = record["stages"].get(st.id)
        full = results.load(results_dir, st.id)
        wall = run.get(st.id, {})
        if not live and full and not settings.live_parameters(st.id) \
                and wall.get("wall_seconds") and not wall.get("overrides"):
            # live at its full settings: the full run's own minutes
            live = {"settings": {}, "epochs": full.epochs_text,
                    "wall_seconds": wall["wall_seconds"],
                    "train_seconds": full.train_seconds,
                    "test_accuracy": full.test_accuracy,
                    "device": full.device}
        if not live:
            rows.append([st.number, "—", "—", "—", "—",
                         pct(full and full.test_accuracy)])
            continue
        total += live["wall_seconds"]
        chosen = ", ".join(f"{k}={v}" for k, v in live["settings"].items()
                           if k != "accuracy_floor")
        rows.append([st.number, chosen or "full", live["epochs"],
                     f"{live['wall_seconds'] / 60:.1f}",
                     f"{live['train_seconds']:.0f}",
                     f"{pct(live['test_accuracy'])} / "
                     f"{pct(full and full.test_accuracy)}"])
    table = Table(["deck", "live settings", "epochs", "wall min",
                   "training s", "test acc live / full run"], rows)
    devices = sorted({s["device"] for s in record["stages"].values()}
                     | {r.device for r in (results.load(results_dir, s.id)
                                           for s in stages.STAGES) if r})
    return (table._repr_markdown_() + "\n"
            + f"\n{total / 60:.1f} min for every deck run from the top"
            + (f", on {', '.join(devices)}" if devices else "")
            + ". Decks at their full settings: the minutes of the ladder's "
              "run (`make talk`); the others: `python -m mnist_series.series "
              "run --live --stages 10-13`.\n")
