// The ONNX frontend: an ONNX model file -> a mint compiler Graph (compiler/graph.h), ready for
// compile() (compiler/compile.h).
//
// Accepted models: default-domain ("" / "ai.onnx") opset 9 to 17, static shapes (every graph
// input's dimensions known, or given by OnnxImportOptions::input_shapes), f32 activations. Weights come from initializers, Constant nodes or
// ImportOptions::constant_inputs; they are decoded to host vectors (compiler/onnx/onnx_model.h)
// and become mint constants.
//
// Layout: ONNX image ops are NCHW, mint's are NHWC. Each ONNX value is kept in one or both
// layouts and converted lazily: Conv / ConvTranspose read the NHWC form (a transpose [0,2,3,1]
// is inserted once per value that needs it) and produce NHWC results; elementwise ops,
// BatchNormalization, Concat, Softmax and Transpose stay in NHWC when their input is NHWC
// (axes remapped, constant operands permuted on the host); everything else (Reshape, Flatten,
// Gemm, MatMul, graph outputs) reads the ONNX layout, converting back with a transpose
// [0,3,1,2]. Conv weights OIHW become [cout, kh, kw, cin/groups]; ConvTranspose weights
// [cin, cout, kh, kw] become [cout, kh, kw, cin].
//
// Ops: Conv (pads, strides, dilations, group, auto_pad NOTSET/VALID/SAME_UPPER/SAME_LOWER),
// ConvTranspose (pads, strides, dilations, output_padding, group 1, auto_pad NOTSET/VALID),
// Gemm (alpha, beta, transA, transB; constant B -> fully_connected, else matmul), MatMul
// (constant 2-D B -> fully_connected, else matmul), Add, Mul (numpy broadcasting), Relu,
// LeakyRelu, Tanh, Sigmoid, Softmax (axis; opset < 13 semantics by a 2-D reshape), Reshape
// (constant shape; 0 and -1), Flatten, Transpose, Concat, Identity, Constant,
// BatchNormalization (inference; folded into a preceding Conv / ConvTranspose whose result has
// no other use, else a mul + add with per-channel constants), Dropout (inference: identity).
// Reshape, Flatten and Transpose of constants are evaluated on the host.
// Image and third-party model ops (compiler/onnx/onnx_import_image.inc): MaxPool, AveragePool
// (2-D; pads, strides, dilations, ceil_mode, count_include_pad, auto_pad), GlobalAveragePool,
// Resize (opset 10 and 11+ forms; nearest with every nearest_mode, linear; half_pixel,
// asymmetric, align_corners, pytorch_half_pixel, tf_half_pixel_for_nn; H and W only), Upsample,
// Pad (attributes before opset 11, inputs after; constant / reflect / edge), Sub, Div, Pow, Max,
// Min, Clip (attributes before 11, inputs after), HardSigmoid, HardSwish, Sqrt, Exp, Neg, Abs,
// Reciprocal, ReduceMean, Slice (attributes before 10, inputs after; negative steps),
// Squeeze / Unsqueeze (attribute axes before 13, input after), Gather and Cast (of activations:
// evenly spaced constant indices; to FLOAT), LayerNormalization (without its extra outputs).
// Constant folding (onnx_import_fold.inc): Shape, Size, Gather, Cast, Concat, (Un)Squeeze,
// Slice, Add/Sub/Mul/Div/Pow/Max/Min, Neg, Sqrt, Reciprocal, Floor, Ceil, Abs, Exp, Equal,
// Where, Expand, ConstantOfShape, Range and Identity with constant inputs are evaluated on the
// host (Shape of any value is a constant), so exporters' shape arithmetic disappears.
// Fusions (onnx_import_fuse.inc, OnnxImportOptions::fuse_patterns): Relu / Clip(0, 6) into the
// preceding Conv / ConvTranspose (after a folded BatchNormalization) or constant-weight Gemm /
// MatMul; x * clip(x + 3, 0, 6) / 6 and x * HardSigmoid(x) -> hard_swish; x * Sigmoid(x) ->
// silu; the ReduceMean / Sub / Pow / Sqrt / Div / Mul / Add LayerNorm pattern -> layer_norm.
//
// Errors: every unsupported op, attribute value or dtype is an `unsupported` Status naming the
// node, e.g. "node 7 'conv3' (Conv): attribute auto_pad=FOO is not supported"; malformed
// files are `invalid_argument` with the protobuf field path and byte offset; a missing file is
// `io_error`. Nothing aborts or throws.
//
// The graph's inputs are the ONNX graph inputs that are neither initializers nor constant
// inputs, in order; its outputs are the ONNX graph outputs, in order, named as in ONNX.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "compiler/graph.h"
#include "compiler/onnx/onnx_model.h"

namespace mint::compiler {

struct OnnxImportOptions {
  // Graph inputs to bind to constant values, by name (e.g. weights that a model takes as
  // inputs, as the ONNX backend test models do).
  std::map<std::string, onnx::OnnxTensor> constant_inputs;
  // Fold inference BatchNormalization into a preceding Conv / ConvTranspose.
  bool fold_batchnorm = true;
  // Fuse activations into convolutions / fully connected layers and lower the hard_swish,
  // silu and LayerNorm patterns as single ops (compiler/onnx/onnx_import_fuse.inc).
  bool fuse_patterns = true;
  // Shapes for graph inputs by name, replacing symbolic (or any) dimensions; each must have the
  // input's rank and agree with its known dimensions (`mint compile --input-shape`).
  std::map<std::string, std::vector<int64_t>> input_shapes;
};

constexpr int64_t kOnnxMinOpset = 9;
constexpr int64_t kOnnxMaxOpset = 17;

Result<Graph> import_onnx(const std::string& path, const OnnxImportOptions& options = {});
Result<Graph> import_onnx_bytes(const uint8_t* data, size_t size,
                                const OnnxImportOptions& options = {});
Result<Graph> import_onnx_model(const onnx::OnnxModel& model,
                                const OnnxImportOptions& options = {});

// Reads a whole file (io_error if it cannot).
Result<std::vector<uint8_t>> read_file_bytes(const std::string& path);

}  // namespace mint::compiler
