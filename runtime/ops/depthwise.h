// Depthwise conv2d (groups == in_c == out_c, plain weights [C, kh, kw, 1]) on the SIMD kernels
// of kernels/dwconv.h: prepare() packs the weights channel-last once per session and picks the
// best kernel for the session's ISA mask; output rows run in parallel. Called by conv.cc's
// prepare for plain-weight convolutions that are depthwise (validated there).
#pragma once

#include <memory>

#include "runtime/ops/op.h"

namespace mint {

// True for a validated conv2d op whose weights are plain and which is depthwise.
bool is_depthwise_conv2d(const OpView& op);
Result<std::unique_ptr<Node>> prepare_depthwise_conv2d(const OpView& op, const PrepareContext& ctx);

}  // namespace mint
