"""The rehearsal (`make rehearse`): per deck, the slides of the talk, the
words of its notes and whether they fit the deck's minutes.

    python -m mnist_series.rehearse [--stages 01,03-05] [--pace 130]

The notes take their minutes at speaking pace (130 words a minute), the
deck's code the minutes it takes at the live settings (`results/live.json`
for the stages `make present LIVE=1` changes, `results/run.json` for the
rest); the two together must fit the deck's minutes, given in its first
notes. The cut and the notes themselves are `cut`.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from mnist_talk.files import NOTEBOOKS, RESULTS, read_json

from . import series, settings
from .cut import PACE, minutes, read, slides, talk

def running_seconds(sid: str, results_dir: Path = RESULTS) -> float | None:
    """Seconds the deck's code takes at the live settings, as measured:
    `live.json` for a stage with live settings, `run.json` for the rest."""
    name = "live.json" if settings.live_parameters(sid) else "run.json"
    found = read_json(Path(results_dir) / name, {}).get("stages", {}).get(sid)
    return found and found.get("wall_seconds")


@dataclass
class Rehearsal:
    sid: str
    slides: int          # slides of the talk
    all_slides: int      # slides of the full deck
    words: int           # words of the talk's notes
    speaking: float      # minutes at PACE
    running: float | None  # minutes of code at the live settings
    minutes: int | None  # the deck's minutes, from its first notes
    start: int | None    # where the deck starts in the talk, in minutes

    @property
    def needed(self) -> float:
        return self.speaking + (self.running or 0)

    @property
    def fits(self) -> bool:
        return (self.minutes is not None and self.running is not None
                and self.needed <= self.minutes)


def rehearse(ids: list[str] | None = None, pace: int = PACE,
             notebooks: Path = NOTEBOOKS,
             results_dir: Path = RESULTS) -> list[Rehearsal]:
    rows = []
    for sid in ids or series.notebook_ids():
        nb = read(sid, notebooks)
        shown = slides(talk(nb))
        words = sum(s.words for s in shown)
        seconds = running_seconds(sid, results_dir)
        given = minutes(nb)
        rows.append(Rehearsal(
            sid, len(shown), len(slides(nb)), words, words / pace,
            seconds / 60 if seconds is not None else None,
            given[0] if given else None, given[1] if given else None))
    return rows


def report(rows: list[Rehearsal], pace: int = PACE) -> list[str]:
    lines = [f"{'deck':<17} {'slides':>9} {'words':>6} {'speak':>6} "
             f"{'run':>5} {'needs':>6} {'given':>6}  fits"]
    for r in rows:
        run = f"{r.running:.1f}" if r.running is not None else "?"
        given = f"{r.minutes}" if r.minutes is not None else "?"
        lines.append(
            f"{r.sid:<17} {r.slides:>3} of {r.all_slides:>3} {r.words:>6} "
            f"{r.speaking:>6.1f} {run:>5} {r.needed:>6.1f} {given:>6}  "
            + ("yes" if r.fits else "NO"))
    total = sum(r.minutes or 0 for r in rows)
    lines.append(
        f"{'all':<17} {sum(r.slides for r in rows):>3} of "
        f"{sum(r.all_slides for r in rows):>3} "
        f"{sum(r.words for r in rows):>6} "
        f"{sum(r.speaking for r in rows):>6.1f} "
        f"{sum(r.running or 0 for r in rows):>5.1f} "
        f"{sum(r.needed for r in rows):>6.1f} {total:>6}")
    lines.append(f"minutes: the notes at {pace} words a minute, plus the "
                 "deck's code at the live settings (results/live.json, "
                 "results/run.json)")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mnist_series.rehearse",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--stages", help="e.g. 01,03-05 (default: all)")
    ap.add_argument("--pace", type=int, default=PACE,
                    help=f"speaking pace in words a minute (default {PACE})")
    args = ap.parse_args(argv)
    try:
        ids = series.select(args.stages)
    except series.SeriesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = rehearse(ids, args.pace)
    print("\n".join(report(rows, args.pace)))
    return 0 if all(r.fits for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
