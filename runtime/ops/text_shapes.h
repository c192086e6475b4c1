// Shape rules of the text-model ops (rope, attention, gather_last), shared by the compiler
// (compiler/shape_inference.cc) and the runtime's validation (runtime/ops/attention.cc), as
// runtime/ops/shapes.h is for the others. Pure; invalid_plan messages name the quantity.
//
//   rope:        x [T, heads * head_dim] (T >= 1), positions [T]; heads, head_dim >= 1;
//                rotary_dim even, 2 <= rotary_dim <= head_dim; theta finite and > 1.
//                Result: x's shape.
//   attention:   q [T, Hq*D], k and v [T, Hkv*D], k_cache and v_cache [C, Hkv*D] (C >= 1),
//                positions [T], count [1]; Hq a multiple of Hkv >= 1, D >= 1, scale finite
//                and > 0; scales (int8 caches) [C, Hkv]. Result: q's shape.
//   gather_last: x [T, d] (T >= 1), count [1]. Result [1, d].
#pragma once

#include <cstdint>

#include "runtime/status.h"
#include "runtime/tensor.h"

namespace mint {

struct RopeParams {
  int64_t heads = 0, head_dim = 0, rotary_dim = 0;
  float theta = 10000.0f;
};

struct AttentionParams {
  int64_t heads = 0, kv_heads = 0, head_dim = 0;
  float scale = 0.0f;
};

Result<Shape> rope_output_shape(const Shape& x, const Shape& positions, const RopeParams& p);
Result<Shape> attention_output_shape(const Shape& q, const Shape& k, const Shape& v,
                                     const Shape& k_cache, const Shape& v_cache,
                                     const Shape& positions, const Shape& count,
                                     const AttentionParams& p);
// An int8 cache's scale tensor must be [C, Hkv].
Status check_kv_scale_shape(const Shape& scale, const Shape& cache, const AttentionParams& p);
Result<Shape> gather_last_output_shape(const Shape& x, const Shape& count);

}  // namespace mint
