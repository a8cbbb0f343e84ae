"""Each stage's kept network as ONNX, for the drawing page (`make models`).

    python -m mnist_series.export [--results results] [--stages 01,12-13]

For every `<results>/models/<stage>.keras` a full run kept (`saved.keep`),
Keras's own ONNX export (`model.export(..., format="onnx")`, tf2onnx on
TensorFlow) writes `<stage>.onnx` beside it, with two small steps on top:

- the normalization's mean and variance go into the graph as constants
  (exported as they are, they become inputs the caller would have to feed);
- the file is written in one canonical form (names numbered in graph
  order, constants sorted, the batch axis named `batch`), so the same
  weights give the same bytes and git sees no change after a rerun.

Then both answer the 10,000 test images: the classes must agree on every
image; the largest difference in probability is printed and kept in
`<results>/models/export.json`. TensorFlow only: the `.keras` files are the
same whichever backend trained them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

from mnist_talk import saved
from mnist_talk.files import RESULTS, atomic_write, read_json, write_json

#: What the page and the check feed and read.
INPUT, OUTPUT = "images", "probabilities"
#: The ONNX operator set: one that onnxruntime-web runs.
OPSET = 15
SUMMARY = "export.json"


def _layers(layer):
    yield layer
    for sub in getattr(layer, "layers", []):
        yield from _layers(sub)


def _constant_normalization(model) -> None:
    """Give every `Normalization` its statistics as NumPy arrays, which a
    traced graph holds as constants, not as tensors it would capture."""
    import keras

    for layer in _layers(model):
        if isinstance(layer, keras.layers.Normalization):
            layer.mean = keras.ops.convert_to_numpy(layer.mean)
            layer.variance = keras.ops.convert_to_numpy(layer.variance)


def _sort_nodes(graph) -> None:
    """Put the nodes in an order that does not depend on their names: a
    topological order whose ties go to the node with the smaller digest
    of what it computes (its operation, attributes and inputs' digests)."""
    import hashlib
    import heapq

    from onnx import numpy_helper

    constants = {c.name: c for c in graph.initializer}
    digest = {graph.input[0].name: "input"}
    for name, c in constants.items():
        value = numpy_helper.to_array(c)
        digest[name] = hashlib.sha256(
            f"{c.data_type}{tuple(c.dims)}".encode()
            + value.tobytes()).hexdigest()
    nodes = list(graph.node)
    producer = {out: node for node in nodes for out in node.output}
    node_digest = {}

    def of(node):  # what the node computes, whatever its names
        if id(node) not in node_digest:
            parts = [node.op_type, node.domain]
            parts += [a.SerializeToString(deterministic=True).hex()
                      for a in sorted(node.attribute, key=lambda a: a.name)]
            for name in node.input:
                if name in producer:
                    source = producer[name]
                    parts.append(f"{of(source)}:"
                                 f"{list(source.output).index(name)}")
                else:
                    parts.append(digest.get(name, "none" if not name
                                            else "unknown"))
            node_digest[id(node)] = hashlib.sha256(
                "|".join(parts).encode()).hexdigest()
        return node_digest[id(node)]

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(nodes)))
    for node in nodes:
        of(node)
    waiting = {id(n): sum(1 for i in n.input if i in producer) for n in nodes}
    users = {}
    for node in nodes:
        for name in node.input:
            if name in producer:
                users.setdefault(id(producer[name]), []).append(node)
    ready = [(node_digest[id(n)], k, n) for k, n in enumerate(nodes)
             if waiting[id(n)] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, _, node = heapq.heappop(ready)
        order.append(node)
        for user in users.get(id(node), []):
            waiting[id(user)] -= 1
            if waiting[id(user)] == 0:
                heapq.heappush(ready, (node_digest[id(user)],
                                       nodes.index(user), user))
    if len(order) != len(nodes):
        raise ValueError("the exported graph has a cycle")
    copies = [type(n)() for n in order]
    for copy, node in zip(copies, order):
        copy.CopyFrom(node)
    del graph.node[:]
    graph.node.extend(copies)


def canonical(proto):
    """The ONNX model with every name numbered in graph order, constants
    sorted by first use and the batch axis named: one form per graph."""
    graph = proto.graph
    if len(graph.input) != 1 or len(graph.output) != 1:
        raise ValueError(
            f"expected one input and one output, found {len(graph.input)} "
            f"and {len(graph.output)}: a normalization left as an input?")
    _sort_nodes(graph)
    names = {graph.input[0].name: INPUT, graph.output[0].name: OUTPUT}
    constants = {c.name: c for c in graph.initializer}
    order = []
    for i, node in enumerate(graph.node):
        for name in node.input:
            if name in constants and name not in names:
                names[name] = f"w{len(order)}"
                order.append(name)
        node.name = f"n{i}"
        for j, name in enumerate(node.output):
            names.setdefault(name, f"n{i}_{j}")
    for node in graph.node:
        node.input[:] = [names.get(n, n) for n in node.input]
        node.output[:] = [names.get(n, n) for n in node.output]
    kept = [constants[n] for n in order]
    for c in kept:
        c.name = names[c.name]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    del graph.value_info[:]
    for value in (graph.input[0], graph.output[0]):
        value.name = names[value.name]
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    graph.name = "mnist_talk"
    graph.doc_string = proto.doc_string = ""  # names the traced function
    for node in graph.node:
        node.doc_string = ""
    return proto


def export(results_dir, stage_id: str) -> Path:
    """Write `<stage>.onnx` beside the stage's `.keras` and return its path."""
    import onnx

    model = saved.load(results_dir, stage_id)
    _constant_normalization(model)
    model.predict(np.zeros((1, 28, 28, 1), "float32"), verbose=0)
    target = saved.path(results_dir, stage_id).with_suffix(".onnx")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / target.name
        model.export(raw, format="onnx", verbose=False, opset_version=OPSET)
        data = canonical(onnx.load(raw)).SerializeToString(
            deterministic=True)
    with atomic_write(target) as f:
        f.write(data)
    return target


def compare(results_dir, stage_id: str, images) -> dict:
    """Both files' answers on `images`: classes that agree, the largest
    difference in probability."""
    import onnxruntime

    model = saved.load(results_dir, stage_id)
    shape = tuple(model.input_shape[1:])  # 01 to 04 take 28 × 28
    images = images.reshape((-1,) + shape)
    keras_p = model.predict(images, batch_size=500, verbose=0)
    session = onnxruntime.InferenceSession(
        str(saved.path(results_dir, stage_id).with_suffix(".onnx")),
        providers=["CPUExecutionProvider"])
    onnx_p = np.concatenate([session.run([OUTPUT], {INPUT: images[i:i + 500]})[0]
                             for i in range(0, len(images), 500)])
    return {"images": int(len(images)), "input_shape": list(shape),
            "same_class": int((keras_p.argmax(1) == onnx_p.argmax(1)).sum()),
            "largest_difference": float(np.abs(keras_p - onnx_p).max())}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mnist_series.export", description=__doc__.split(
            "\n\n")[0])
    parser.add_argument("--results", default=str(RESULTS),
                        help="the results folder whose models/ to export")
    parser.add_argument("--stages", default=None,
                        help="e.g. 01,12-13 (default: every kept network)")
    args = parser.parse_args(argv)
    import keras

    if keras.backend.backend() != "tensorflow":
        print("the ONNX export runs on TensorFlow: run it with "
              "KERAS_BACKEND=tensorflow (make models does)", file=sys.stderr)
        return 2
    from mnist_talk import data

    from .notebooks import SeriesError, select

    folder = Path(args.results) / saved.FOLDER
    kept = sorted(p.stem for p in folder.glob("*.keras"))
    try:
        wanted = select(args.stages) if args.stages else kept
    except SeriesError as err:
        print(err, file=sys.stderr)
        return 2
    missing = [s for s in wanted if s not in kept]
    if missing or not wanted:
        print(f"no network kept in {folder} for {', '.join(missing) or 'any stage'}:"
              " run the stages first (make talk)", file=sys.stderr)
        return 2
    images = data.prepare().x_test.astype("float32")
    summary = read_json(folder / SUMMARY, {})
    failed = []
    for stage_id in wanted:
        path = export(args.results, stage_id)
        found = compare(args.results, stage_id, images)
        found["onnx_bytes"] = path.stat().st_size
        found["keras_bytes"] = saved.path(args.results,
                                          stage_id).stat().st_size
        summary[stage_id] = found
        print(f"{stage_id}: {path.name} {found['onnx_bytes'] / 1e6:.2f} MB · "
              f"same class on {found['same_class']:,} of "
              f"{found['images']:,} test images · largest probability "
              f"difference {found['largest_difference']:.1e}")
        if found["same_class"] != found["images"]:
            failed.append(stage_id)
    write_json(folder / SUMMARY, dict(sorted(summary.items())))
    total = sum(p.stat().st_size for p in folder.iterdir()
                if p.suffix in (".keras", ".onnx"))
    print(f"{folder}: {total / 1e6:.1f} MB of networks")
    if failed:
        print(f"the ONNX file answers differently on some images: "
              f"{', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


def models_markdown(results_dir) -> str:
    """The README's line on the kept networks: how many, their size, and
    what the check of their ONNX files found."""
    folder = Path(results_dir) / saved.FOLDER
    summary = read_json(folder / SUMMARY, {})
    if not summary:
        return "No network kept yet: `make talk` keeps them.\n"
    total = sum(f["keras_bytes"] + f["onnx_bytes"] for f in summary.values())
    same = all(f["same_class"] == f["images"] for f in summary.values())
    largest = max(f["largest_difference"] for f in summary.values())
    return (f"{len(summary)} networks, {total / 1e6:.1f} MB as `.keras` and "
            f"ONNX, full precision; the ONNX files give "
            f"{'the same class as Keras' if same else 'another class than Keras on some'}"
            f" on all 10,000 test images (largest difference in probability "
            f"{largest:.0e}; `results/models/export.json`).\n")
