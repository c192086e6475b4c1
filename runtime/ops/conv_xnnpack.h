// f32 conv2d / transposed_conv2d routed to XNNPACK (convolution2d_nhwc_f32,
// deconvolution2d_nhwc_f32) behind mint's op interface, for the shapes where
// benchmarks/conv_bench shows XNNPACK faster than mint's own kernels (docs/benchmarks.md):
//
//   conv2d, f32 weights (packed gemm_f32 or plain grouped): grouped and depthwise
//     convolutions always (mint runs them with a scalar direct loop); groups == 1 when the input
//     has fewer than 8 channels (mint's GEMM is poorly used at k = kh * kw * cin this thin) or
//     the im2col matrix has at least 2^20 elements (batch * out_h * out_w * kh * kw * cin);
//     1x1 stride-1 unpadded convolutions never (a plain GEMM on the input for mint);
//   transposed_conv2d, gemm_f32 weights: when the input has at least 32 pixels (in_h * in_w)
//     and the output at least 16 channels; otherwise (the DCGAN's 1x1 -> 4x4, 4x4 -> 7x7 and
//     14x14x32 -> 28x28x1 layers) mint's GEMM + col2im is faster.
//   The same rule for every thread count (the 2-thread figures of the build machine were
//   dominated by scheduling, see docs/benchmarks.md).
//   Never for f16 or int8 weights (their numerics are mint's). Any batch size.
//
// MINT_XNNPACK (environment, read at each session creation): "off" never routes, "on" routes
// every supported op regardless of the rule (tests), anything else / unset applies the rule.
//
// XNNPACK is initialized once per process (std::call_once); if that fails nothing is routed.
// The operator is created in prepare (from the plan's weights, unpacked from the GEMM panels
// into XNNPACK's [cout, kh, kw, cin] layout; XNNPACK packs its own copy) and set up on the
// first run; it is set up again only if the arena or pool of a later run differs. Operators of
// fewer than kMinParallelGemmMacs multiply-adds run without the pool, like mint's GEMMs. Results
// agree with mint's kernels within float rounding (XNNPACK may use FMA and a different summation
// order), not bit for bit.
#pragma once

#include <memory>

#include "runtime/ops/op.h"

namespace mint {

// A node running `op` on XNNPACK, or null when the op stays on mint's kernels (rule, mode,
// unsupported layout, XNNPACK unavailable). transposed: op is transposed_conv2d.
Result<std::unique_ptr<Node>> maybe_xnnpack_conv(const OpView& op, const PrepareContext& ctx,
                                                 bool transposed);

}  // namespace mint
