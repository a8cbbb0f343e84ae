// Draw a digit and watch every stage's network read it (slides/draw.html).
//
// The strokes become the 28 x 28 image MNIST would have made of them by the
// same arithmetic as mnist_talk/drawing.py (crop to the ink, scale into a
// 20 x 20 box keeping the shape, centre by the centre of mass; grey levels
// from 4 x 4 sample points per pixel), and each stage's ONNX file, kept by
// a full run, answers with onnxruntime-web. Nothing is fetched from the
// network: the page, the runtime and the models come from one local server
// (`make draw`, or JupyterLab's when presenting).

"use strict";

const SIZE = 28, BOX = 20, SAMPLES = 4, CANVAS = 280, PEN = 18;

// ---- the image the models see (mnist_talk/drawing.py, line for line) ----

function segments(strokes) {
  const rows = [];
  for (const stroke of strokes) {
    const points = stroke.length === 1 ? [stroke[0], stroke[0]] : stroke;
    for (let i = 0; i + 1 < points.length; i++)
      rows.push([points[i][0], points[i][1], points[i + 1][0], points[i + 1][1]]);
  }
  return rows;
}

function render(segs, radius, scale, dx, dy) {
  const n = SIZE * SAMPLES, covered = new Uint8Array(n * n);
  const r = radius * scale, r2 = r * r;
  for (const [a, b, c, d] of segs) {
    const x0 = a * scale + dx, y0 = b * scale + dy;
    const x1 = c * scale + dx, y1 = d * scale + dy;
    const vx = x1 - x0, vy = y1 - y0, length2 = vx * vx + vy * vy;
    // only the sample points near the segment can be covered
    const lo = (v) => Math.max(0, Math.floor(v * SAMPLES) - 1);
    const hi = (v) => Math.min(n - 1, Math.ceil(v * SAMPLES) + 1);
    const i0 = lo(Math.min(y0, y1) - r), i1 = hi(Math.max(y0, y1) + r);
    const j0 = lo(Math.min(x0, x1) - r), j1 = hi(Math.max(x0, x1) + r);
    for (let i = i0; i <= i1; i++) {
      const py = (i + 0.5) / SAMPLES;
      for (let j = j0; j <= j1; j++) {
        const px = (j + 0.5) / SAMPLES;
        let t = length2 === 0 ? 0 : ((px - x0) * vx + (py - y0) * vy) / length2;
        t = Math.min(1, Math.max(0, t));
        const ex = px - (x0 + t * vx), ey = py - (y0 + t * vy);
        if (ex * ex + ey * ey <= r2) covered[i * n + j] = 1;
      }
    }
  }
  const image = new Float32Array(SIZE * SIZE);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      if (covered[i * n + j])
        image[Math.floor(i / SAMPLES) * SIZE + Math.floor(j / SAMPLES)] += 1;
  for (let k = 0; k < image.length; k++) image[k] *= 255 / (SAMPLES * SAMPLES);
  return image;
}

function centreOfMass(image) {
  let total = 0, sx = 0, sy = 0;
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const v = image[y * SIZE + x];
      total += v; sx += v * (x + 0.5); sy += v * (y + 0.5);
    }
  return total === 0 ? null : [sx / total, sy / total];
}

function mnistImage(strokes, pen) {
  const segs = segments(strokes);
  if (!segs.length) return null;
  const radius = pen / 2;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const [a, b, c, d] of segs) {
    x0 = Math.min(x0, a, c); x1 = Math.max(x1, a, c);
    y0 = Math.min(y0, b, d); y1 = Math.max(y1, b, d);
  }
  x0 -= radius; x1 += radius; y0 -= radius; y1 += radius;
  const scale = BOX / Math.max(x1 - x0, y1 - y0);
  const dx = (SIZE - (x1 - x0) * scale) / 2 - x0 * scale;
  const dy = (SIZE - (y1 - y0) * scale) / 2 - y0 * scale;
  const centre = centreOfMass(render(segs, radius, scale, dx, dy));
  if (!centre) return null;
  return render(segs, radius, scale, dx + SIZE / 2 - centre[0],
                dy + SIZE / 2 - centre[1]);
}

function plainImage(strokes, pen) {
  const segs = segments(strokes);
  return segs.length ? render(segs, pen / 2, SIZE / CANVAS, 0, 0) : null;
}

// ---- the page ----

const page = {strokes: [], image: null, answers: [], answerMs: null,
              loadMs: null, prepared: true, ready: null, error: null,
              pen: PEN, answer: () => answer()};
window.drawPage = page;
window.drawing = {segments, render, centreOfMass, mnistImage, plainImage};

function say(text, isError) {
  const line = document.getElementById("status");
  line.textContent = text;
  line.className = isError ? "error" : "";
}

function drawInk(ctx) {
  ctx.clearRect(0, 0, CANVAS, CANVAS);
  ctx.lineCap = "round"; ctx.lineJoin = "round";
  ctx.lineWidth = PEN; ctx.strokeStyle = ctx.fillStyle = "#111";
  for (const stroke of page.strokes) {
    ctx.beginPath();
    ctx.moveTo(stroke[0][0], stroke[0][1]);
    if (stroke.length === 1) ctx.lineTo(stroke[0][0] + 0.01, stroke[0][1]);
    for (const [x, y] of stroke.slice(1)) ctx.lineTo(x, y);
    ctx.stroke();
  }
}

function drawSeen(image) {
  const ctx = document.getElementById("seen").getContext("2d");
  const pixels = ctx.createImageData(SIZE, SIZE);
  for (let k = 0; k < SIZE * SIZE; k++) {
    const v = 255 - Math.round(image ? image[k] : 0);
    pixels.data.set([v, v, v, 255], 4 * k);
  }
  ctx.putImageData(pixels, 0, 0);
}

function showAnswers() {
  for (const answer of page.answers) {
    const row = document.getElementById(`stage-${answer.id}`);
    row.querySelector(".digit").textContent = answer.digit;
    row.querySelector(".p").textContent =
      `${(100 * answer.probability).toFixed(1)}%`;
    row.querySelector(".bar").style.width =
      `${(100 * answer.probability).toFixed(1)}%`;
  }
}

function clearAnswers() {
  page.answers = [];
  for (const row of document.querySelectorAll("#stages tbody tr")) {
    row.querySelector(".digit").textContent = "";
    row.querySelector(".p").textContent = "";
    row.querySelector(".bar").style.width = "0";
  }
}

let sessions = [], running = null, again = false;

// Answer for the strokes as they are now. While an answer is being worked
// out, moves of the pen only ask for one more; the promise resolves when
// the answers are up to date.
function answer() {
  again = true;
  if (!running) running = answerLoop().finally(() => { running = null; });
  return running;
}

async function answerLoop() {
  while (again) {
    again = false;
    const start = performance.now();
    const image = page.prepared ? mnistImage(page.strokes, PEN)
                                : plainImage(page.strokes, PEN);
    page.image = image;
    drawSeen(image);
    if (!image) { clearAnswers(); continue; }
    const answers = [];
    for (const s of sessions) {  // 01 to 04 take 28 x 28, the rest 28 x 28 x 1
      const input = new ort.Tensor("float32", image, [1, ...s.shape]);
      const out = await s.session.run({images: input});
      const p = Array.from(out.probabilities.data);
      const digit = p.indexOf(Math.max(...p));
      answers.push({id: s.id, digit, probability: p[digit], probabilities: p});
    }
    page.answers = answers;
    page.answerMs = performance.now() - start;
    showAnswers();
    say(`every stage answered in ${page.answerMs.toFixed(0)} ms`);
  }
}

function listen(canvas) {
  const ctx = canvas.getContext("2d");
  let drawing = false;
  const at = (e) => {
    const box = canvas.getBoundingClientRect();
    return [Math.round((e.clientX - box.left) * CANVAS / box.width * 10) / 10,
            Math.round((e.clientY - box.top) * CANVAS / box.height * 10) / 10];
  };
  canvas.addEventListener("pointerdown", (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    page.strokes.push([at(e)]);
    drawInk(ctx); answer();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    const stroke = page.strokes[page.strokes.length - 1];
    const point = at(e), last = stroke[stroke.length - 1];
    if (point[0] === last[0] && point[1] === last[1]) return;
    stroke.push(point);
    drawInk(ctx); answer();
  });
  const stop = () => { drawing = false; };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  document.getElementById("clear").addEventListener("click", () => {
    page.strokes = []; drawInk(ctx); answer();
  });
  document.getElementById("copy").addEventListener("click", async () => {
    const text = JSON.stringify(page.strokes);
    try {
      await navigator.clipboard.writeText(text);
      say("strokes copied: paste them into drawing.read(...) in a notebook");
    } catch (err) {
      say(`the browser refused the clipboard; the strokes: ${text}`);
    }
  });
  document.getElementById("prepared").addEventListener("change", (e) => {
    page.prepared = e.target.checked; answer();
  });
}

async function load() {
  const start = performance.now();
  if (location.protocol === "file:") {
    throw new Error(
      "Opened as a file, this page cannot load its models: the browser " +
      "does not let a page read files beside it. Serve it instead: run " +
      "`make draw` in the checkout and open the address it prints " +
      "(when presenting, the closing deck shows it through JupyterLab).");
  }
  if (typeof ort === "undefined") {
    throw new Error("onnxruntime-web did not load (ort/ort.wasm.min.js): " +
                    "run `make draw`, which copies it next to the page.");
  }
  ort.env.wasm.wasmPaths = new URL("ort/", location.href).href;
  ort.env.wasm.numThreads = 1;  // no cross-origin isolation needed
  const listed = await fetch("models/index.json");
  if (!listed.ok) throw new Error(
    "no models/index.json beside the page: a full run keeps the networks " +
    "(make talk), and `make draw` puts them here");
  const stages = (await listed.json()).stages;
  const body = document.querySelector("#stages tbody");
  for (const stage of stages) {
    const row = document.createElement("tr");
    row.id = `stage-${stage.id}`;
    row.innerHTML = `<td class="n">${stage.id.slice(0, 2)}</td>` +
      `<td class="title">${stage.title}</td>` +
      `<td class="acc">${(100 * stage.test_accuracy).toFixed(2)}%</td>` +
      `<td class="digit"></td><td class="barcell"><div class="bar"></div>` +
      `</td><td class="p"></td>`;
    body.appendChild(row);
  }
  sessions = await Promise.all(stages.map(async (stage) => ({
    id: stage.id,
    shape: stage.input_shape,
    session: await ort.InferenceSession.create(`models/${stage.file}`,
                                               {executionProviders: ["wasm"]}),
  })));
  page.loadMs = performance.now() - start;
  say(`${sessions.length} networks loaded in ${(page.loadMs / 1000).toFixed(1)}` +
      " s: draw a digit");
}

window.addEventListener("DOMContentLoaded", () => {
  listen(document.getElementById("pad"));
  drawSeen(null);
  page.ready = load().catch((err) => {
    page.error = String(err.message || err);
    say(page.error, true);
  });
});
