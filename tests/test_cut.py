"""The talk's cut and its script (`mnist_series.cut`): what a speaker shows in
45 minutes, and the notes that carry them through it."""

import re

import pytest
from nbformat import v4

from mnist_series import cut, rehearse, series, slides
from mnist_talk import files, results

IDS = series.notebook_ids()


def _nb(sid):
    return cut.read(sid)


@pytest.mark.parametrize("sid", IDS)
def test_the_cut_leaves_out_no_code_a_slide_needs(sid):
    """Every deck of the talk runs from its slides alone: a code cell the
    cut leaves out binds nothing a later slide of the talk reads and
    changes nothing, and a slide leaves with all its cells. The talk's
    code cells are the full deck's, less those."""
    nb = _nb(sid)
    assert cut.problems(nb) == [], sid
    full, shown = cut.code_shown(nb), cut.code_shown(cut.talk(nb))
    out = [c.source for c in nb.cells
           if c.cell_type == "code" and cut.left_out(c)]
    assert [s for s in full if s not in out] == shown, sid
    assert len(cut.slides(cut.talk(nb))) < len(cut.slides(nb)), sid


def test_the_check_catches_a_cut_that_would_break_a_deck():
    def code(source, tags=()):
        cell = v4.new_code_cell(source)
        cell.metadata = {"slideshow": {"slide_type": "slide"},
                         "tags": list(tags)}
        return cell

    nb = v4.new_notebook(cells=[
        code("x = 1", [cut.TAG]),                   # read below
        code("history = model.fit(x)", [cut.TAG]),  # trains
        code("run.finish(0.9)", [cut.TAG]),         # records
        code("plots.show(x)", [cut.TAG]),           # only shows: fine
        code("y = x + 1"),
    ])
    found = cut.problems(nb)
    assert any("cell 0: binds x" in p for p in found), found
    assert any("cell 1: calls model.fit" in p for p in found), found
    assert any("cell 2: calls run.finish" in p for p in found), found
    assert not any(p.startswith("cell 3") for p in found), found
    # a slide left out leaves with its fragments and notes
    heading = v4.new_markdown_cell("## A slide")
    heading.metadata = {"slideshow": {"slide_type": "slide"},
                        "tags": [cut.TAG]}
    note = v4.new_markdown_cell("said")
    note.metadata = {"slideshow": {"slide_type": "notes"}}
    nb = v4.new_notebook(cells=[heading, note])
    assert cut.problems(nb) == [
        f"cell 1: on a slide the talk leaves out (cell 0), but not tagged "
        f"{cut.TAG}"]
    assert cut.talk(nb).cells[0].metadata.slideshow.slide_type == "skip"


def test_every_slide_of_the_talk_has_its_script():
    """Every slide of the talk has notes: what to say, the one number to
    stress in bold, and a last paragraph `→ ...` into the next slide.
    Prints the slides and words per deck."""
    missing, unshaped, lines = [], [], []
    total_slides = total_words = 0
    for sid in IDS:
        shown = cut.slides(cut.talk(_nb(sid)))
        words = sum(s.words for s in shown)
        total_slides += len(shown)
        total_words += words
        lines.append(f"{sid}: {len(shown)} slides, {words} words")
        for number, slide in enumerate(shown, 1):
            where = f"{sid} slide {number} ({slide.title!r})"
            if not slide.notes:
                missing.append(where)
                continue
            text = cut.MINUTES.sub("", "\n\n".join(slide.notes))
            if not re.search(r"\*\*[^*]*\d[^*]*\*\*", text):
                unshaped.append(f"{where}: no number in bold")
            if not re.split(r"\n\s*\n", text.strip())[-1].startswith("→"):
                unshaped.append(f"{where}: no last paragraph '→ ...'")
    print("\n".join(lines))
    print(f"the talk: {total_slides} slides, {total_words} words of notes")
    assert not missing, "slides of the talk without notes:\n" + "\n".join(
        missing)
    assert not unshaped, "\n".join(unshaped)


def test_minutes_per_deck_add_up_to_the_talk():
    """Each deck's first notes open with `**N minutes** (h:mm to h:mm)`,
    one deck starting where the one before ends, 45 minutes in all."""
    clock = 0
    for sid in IDS:
        nb = _nb(sid)
        given = cut.minutes(nb)
        assert given, f"{sid}: its first notes do not start with its minutes"
        length, start = given
        assert start == clock, (sid, start, clock)
        first = cut.slides(cut.talk(nb))[0]
        end = first.notes and cut.MINUTES.match(first.notes[0])
        assert end, f"{sid}: the minutes belong in the first slide's notes"
        assert int(end[4]) * 60 + int(end[5]) == start + length, sid
        clock += length
    assert clock == cut.TALK_MINUTES


def test_the_rehearsal_fits_every_deck(capsys):
    """The notes read at 130 words a minute, plus the deck's code run at
    the live settings (as measured), fit each deck's minutes: `make
    rehearse` prints the same table."""
    rows = rehearse.rehearse()
    print("\n".join(rehearse.report(rows)))
    assert all(r.running is not None for r in rows), \
        [r.sid for r in rows if r.running is None]
    late = [f"{r.sid}: needs {r.needed:.1f} of {r.minutes} min"
            for r in rows if not r.fits]
    assert not late, late
    assert rehearse.main([]) == 0


def _numbers(text):
    return [n.replace(",", "")
            for n in re.findall(r"\d[\d,]*(?:\.\d+)?%?", text)]


def _shown_text(nb, sid):
    """Everything the stage's notebook prints or says outside its notes,
    and its seeds' records: where a stressed number must come from."""
    parts = [c.source for c in nb.cells
             if c.metadata.get("slideshow", {}).get("slide_type") != "notes"]
    for c in nb.cells:
        for o in c.get("outputs", []):
            parts.append(o.get("text", ""))
            parts += [v for k, v in o.get("data", {}).items()
                      if k.startswith("text/")]
    for record in results.seeds(files.RESULTS, sid).values():
        parts.append(f"{record.test_accuracy:.2%} "
                     f"{round((1 - record.test_accuracy) * 10_000)}")
    text = " ".join(p if isinstance(p, str) else "".join(p) for p in parts)
    return text.replace("\u2212", "-").replace(",", "")


@pytest.mark.parametrize("sid", IDS)
def test_the_number_to_stress_is_in_the_outputs(sid):
    """The number in bold in each note is one the notebook shows (an
    output, a slide's text) or one of its seeds' records: none is typed
    from memory."""
    nb = _nb(sid)
    shown = _shown_text(nb, sid)
    absent = []
    for slide in cut.slides(cut.talk(nb)):
        for note in slide.notes:
            for bold in re.findall(r"\*\*([^*]+)\*\*", note):
                if cut.MINUTES.match(f"**{bold}** (0:00 to 0:00)"):
                    continue
                for number in _numbers(bold):
                    if number not in shown:
                        absent.append(f"{slide.title!r}: {number}")
    assert not absent, f"{sid}: stressed numbers not in its outputs: {absent}"


def test_make_slides_renders_the_cut_and_full_every_slide(tmp_path):
    """`make slides` leaves out the cut's slides, `FULL=1` keeps them; the
    index gives each deck's minutes."""
    (tmp_path / "vendor").symlink_to(slides.SLIDES / "vendor")
    sid, gone, kept = "01_linear", "Keras 3 does both, by backend", \
        "Why it stalls"
    nb = _nb(sid)
    assert any(cut.left_out(c) and gone in c.source for c in nb.cells)
    slides.build(tmp_path, [sid])
    talk_deck = (tmp_path / slides.deck_name(sid)).read_text()
    assert kept in talk_deck and gone not in talk_deck
    slides.build(tmp_path, [sid], full=True)
    full_deck = (tmp_path / slides.deck_name(sid)).read_text()
    assert kept in full_deck and gone in full_deck
    index = slides.write_index(tmp_path).read_text()
    assert "45-minute talk" in index and "<th>minutes</th>" in index
    assert f"<td>{cut.minutes(nb)[0]} (0:00)</td>" in index
