// The broadcasting binary f32 operator of runtime/ops/elementwise.cc (add, mul), shared with
// the other binary ops (runtime/ops/unary.cc: sub, div, pow, maximum, minimum).
//
// validate_broadcast_binary: two plain f32 inputs, one plain f32 output of their numpy
//   broadcast shape; the output may occupy exactly an input's bytes.
// make_broadcast_binary_node: a node running `fn` (kernels/elementwise.h F32BinaryFn) over the
//   broadcast, tiled over the pool for large outputs. `name` is the kernel's name for reports.
#pragma once

#include <memory>

#include "kernels/elementwise.h"
#include "runtime/ops/op.h"

namespace mint {

Status validate_broadcast_binary(const OpView& op);
std::unique_ptr<Node> make_broadcast_binary_node(const OpView& op, F32BinaryFn fn,
                                                 const char* name);

}  // namespace mint
