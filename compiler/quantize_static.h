// Static int8 quantization of a graph (`mint compile --weights int8 --calibration FILE`).
//
// The pipeline (compile() runs it before lowering when CompileOptions::calibration is set):
//   1. fuse_activations: a relu that is the only consumer of a conv2d / transposed_conv2d /
//      fully_connected result (not a graph output, no activation yet) becomes the op's fused
//      activation, so the int8 op clamps in the quantized domain.
//   2. calibrate: the f32 graph is compiled with every f32 intermediate value made a graph
//      output and run through the runtime (one thread, best ISA) on every calibration sample;
//      the result is [min, max] of every graph input and intermediate value over all samples.
//   3. quantize_static: the int8 ops are fully_connected, conv2d with groups == 1 and
//      transposed_conv2d (f32 plain weights). Their weights become per-output-channel
//      symmetric int8 at lowering (compiler/compile.h), their input 0 becomes int8 per tensor:
//        - a value stays int8 between ops when its producer is an int8 op (or a reshape /
//          transpose of an int8 value, which copy bytes and keep the encoding) and every
//          consumer takes it as input 0 of an int8 op or of such a reshape / transpose, and it
//          is not a graph output;
//        - otherwise a `quantize` node is inserted before the first int8 consumer (one per
//          value), and an int8 op whose result is needed in f32 (tanh, sigmoid, a graph
//          output, ...) writes f32 directly (the GEMM epilogue dequantizes; no dequantize node).
//      An int8-capable op whose input 0 is a graph input (or a reshape / transpose of one)
//      stays float (keeps_float_input; lowering gives it f16 weights): graph inputs are not
//      quantized. On the trained DCGAN, quantizing its N(0, 1) latent per tensor (step
//      8.2 / 255, 1 % of its spread as rms error, summed over 100 inputs by every first-layer
//      output) was the largest single error source: max |err| 0.071 alone on the tanh output,
//      0.111 with all the others, 0.072 without it (scripts/static_quant_error.py). The price:
//      that layer's weights take 2 bytes instead of 1 (for the DCGAN, 2/3 of its weights).
//      Per-tensor parameters from a range (asymmetric, 0 always representable):
//        lo = min(0, min), hi = max(0, max), scale = (hi - lo) / 255 (1 if hi == lo),
//        zero_point = clamp(nearbyint(-128 - lo / scale), -128, 127).
//
// Calibration file format: raw little-endian float32, samples back to back; one sample is every
// graph input in order, each in that input's shape as the graph declares it (for ONNX models
// the ONNX layout, e.g. NCHW; batch as in the model). The size must be a positive multiple of
// the bytes of one sample. (models/image/trained/*/latents.bin are such files.)
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/graph.h"

namespace mint::compiler {

struct ValueRange {
  float min = 0.0f;
  float max = 0.0f;
  bool observed = false;
};

// Indexed by ValueId; `observed` false for values calibration did not see.
using ActivationRanges = std::vector<ValueRange>;

Status fuse_activations(Graph& graph);

// True for an op the rewriting leaves in float because it reads a graph input (above); lowering
// gives it f16 weights when compiling for static int8.
bool keeps_float_input(const Graph& graph, const Node& node);

// Splits `samples` (floats of the calibration file) into samples of the graph's inputs, runs
// them and returns the ranges. Errors: no f32 inputs, a size that is not a multiple of one
// sample, a failed run.
Result<ActivationRanges> calibrate(const Graph& graph, const std::vector<float>& samples);

// Per-tensor int8 parameters of a range, as above.
QuantSpec per_tensor_quant(const ValueRange& range);

// Rewrites dtypes / quantization and inserts quantize nodes as described above. Every value an
// int8 op reads or writes in int8 must have an observed range.
Status quantize_static(Graph& graph, const ActivationRanges& ranges);

// Reads a calibration file (raw little-endian float32).
Result<std::vector<float>> read_calibration_file(const std::string& path);

}  // namespace mint::compiler
