// Small built-in models made with the GraphBuilder API, for the demo and for `mint compile
// builtin:<name>` until the ONNX and checkpoint frontends exist.
#pragma once

#include <string>
#include <vector>

#include "compiler/graph.h"

namespace mint::tool {

// Names accepted by build_builtin_model ("mlp", "convnet").
std::vector<std::string> builtin_model_names();

// A deterministic random-weight model (fixed seed).
//   mlp:     x[1,256] -> fc 1024 -> layer_norm -> gelu -> fc 256 -> silu -> fc 10 -> softmax
//   convnet: x[1,16,16,8] NHWC -> conv3x3 32 relu -> conv3x3 s2 32 relu -> transposed conv
//            16 -> tanh -> reshape -> fc 10 -> softmax
Result<compiler::Graph> build_builtin_model(const std::string& name);

}  // namespace mint::tool
