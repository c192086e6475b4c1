// Shape and dtype inference for graph nodes.
//
// infer_node computes the dtype and shape of every result of `node` from its inputs and
// options, applying the same rules the runtime checks at load time (runtime/ops/shapes.h holds
// the rules both use). Errors name the input and say what was wanted, e.g.
//   "input 1 'w' has shape [8,3,3], want rank 4 [cout, kh, kw, cin]".
#pragma once

#include <vector>

#include "compiler/graph.h"

namespace mint::compiler {

struct InferredValue {
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
};

Result<std::vector<InferredValue>> infer_node(const Graph& graph, const Node& node);

}  // namespace mint::compiler
