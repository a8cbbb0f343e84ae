"""The drawing page, in headless Chromium with the network blocked: a digit
drawn with the mouse gets every stage's answer, the same as Keras's on the
image Python makes of the same strokes."""

import json
import threading
import time

import numpy as np
import pytest

from mnist_talk import drawing, saved
from mnist_talk.files import RESULTS


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from mnist_series import draw

    folder = draw.assemble(tmp_path_factory.mktemp("draw"), RESULTS)
    httpd = draw.server(folder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def _draw(page, strokes):
    box = page.locator("#pad").bounding_box()
    scale = box["width"] / drawing.drawings()["canvas"]
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * scale, box["y"] + y * scale)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * scale, box["y"] + y * scale)
        page.mouse.up()
    page.wait_for_function("() => window.drawPage.answers.length > 0")
    page.wait_for_timeout(300)  # the answers to the last point


def test_a_drawn_three_gets_every_stages_answer_as_keras_gives_it(
        served, chromium):
    from mnist_series import browser

    three = next(d for d in drawing.drawings()["drawings"]
                 if d["name"] == "3, rounded")
    with browser.open_page(executable=chromium) as session:
        page = session.page
        start = time.perf_counter()
        page.goto(f"{served}/draw.html")
        page.wait_for_function("() => window.drawPage && window.drawPage.ready")
        page.evaluate("() => window.drawPage.ready")
        loaded = time.perf_counter() - start
        assert page.evaluate("() => window.drawPage.error") is None
        _draw(page, three["strokes"])
        seen = json.loads(page.evaluate(
            "() => JSON.stringify({strokes: drawPage.strokes, image: "
            "Array.from(drawPage.image), answers: drawPage.answers})"))
        # what each move of the pen costs: the image and every answer
        answer_ms = page.evaluate("""async () => {
            const times = [];
            for (let i = 0; i < 5; i++) {
                await drawPage.answer(); times.push(drawPage.answerMs); }
            return times.sort((a, b) => a - b)[2]; }""")
        pen = page.evaluate("() => drawPage.pen")
        assert not session.outside, session.outside
        assert not session.errors, session.errors
    print(f"\nthe page loaded its {len(seen['answers'])} networks in "
          f"{loaded:.2f} s; every stage answered a move of the pen in "
          f"{answer_ms:.0f} ms (median of 5)")
    assert loaded < 3
    assert answer_ms < 100

    image = drawing.mnist_image(seen["strokes"], pen)
    difference = np.abs(image.ravel() - np.array(seen["image"]))
    assert difference.mean() <= 2, "the page's image is not Python's"

    kept = sorted(p.stem for p in (RESULTS / saved.FOLDER).glob("*.onnx"))
    assert [a["id"] for a in seen["answers"]] == kept
    x = image[None, ..., None].astype("float32")
    for answer in seen["answers"]:
        network = saved.load(RESULTS, answer["id"])
        shape = (-1,) + tuple(network.input_shape[1:])
        p = network.predict(x.reshape(shape), verbose=0)[0]
        assert answer["digit"] == int(p.argmax()), answer["id"]
        assert abs(answer["probability"] - float(p.max())) < 1e-3, answer["id"]
    assert seen["answers"][-1]["digit"] == 3


def test_opened_as_a_file_the_page_says_how_to_open_it(chromium, tmp_path):
    from mnist_series import browser, draw

    folder = draw.assemble(tmp_path / "draw", RESULTS)
    with browser.open_page(executable=chromium) as session:
        page = session.page
        page.goto((folder / "draw.html").as_uri())
        page.wait_for_function("() => window.drawPage.error")
        message = page.locator("#status").inner_text()
    assert "make draw" in message and "file" in message
