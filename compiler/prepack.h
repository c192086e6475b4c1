// Weight prepacking: turns row-major weights W[n][k] (the [out, in] layout of ONNX Gemm with
// transB and of PyTorch's nn.Linear) into the panel layouts the GEMM kernels read
// (kernels/gemm.h). The compiler stores the result in the plan; tests and benchmarks use it
// directly. All functions return the packed bytes; the size is exactly
// gemm_panel_count(n) * <family>_gemm_panel_bytes(k).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mint {

// bias may be null (zeros).
std::vector<uint8_t> pack_f32_gemm_weights(size_t n, size_t k, const float* w, const float* bias);

// Weights rounded to IEEE f16 (nearest even); bias stays f32.
std::vector<uint8_t> pack_f16_gemm_weights(size_t n, size_t k, const float* w, const float* bias);

// int8 weights with per-channel scales w_scale[n]. bias_q (int32, added to the accumulator;
// for static quantization: round(bias / (a_scale * w_scale))) and bias_f (f32, added after
// dequantization; for dynamic quantization) may each be null (zeros).
std::vector<uint8_t> pack_qs8_gemm_weights(size_t n, size_t k, const int8_t* w,
                                           const float* w_scale, const int32_t* bias_q,
                                           const float* bias_f);

// Symmetric per-row int8 of W [n][k]: scale[j] = max_kk |W[j][kk]| / 127 (1 for an all-zero
// row), q = clamp(nearbyint(W / scale), -127, 127).
void quantize_per_channel_symmetric(size_t n, size_t k, const float* w, std::vector<int8_t>* q,
                                    std::vector<float>* scales);

}  // namespace mint

namespace mint {

// int4 group-wise weights (kernels/qs4_gemm.h), one group = `group_size` consecutive k of a
// channel. q holds n rows of kp = round_up(k, group_size) values in [0, 15] (one per byte,
// padding 0); scale (IEEE f16 bits) and zero hold n rows of ng = kp / group_size values.
// Dequantized: W[j][kk] = f16_to_f32(scale[j ng + kk / G]) * (q[j kp + kk] - zero[j ng + kk / G]).
struct Qs4Weights {
  size_t n = 0, k = 0, group_size = 0;
  std::vector<uint8_t> q;
  std::vector<uint16_t> scale;
  std::vector<uint8_t> zero;
};

// Quantizes f32 W [n, k] per group, the scale d (always > 0) rounded to f16 before the values
// are quantized with it (round-half-even):
//   symmetric: v = the group's value of largest magnitude; d = |v| / 8 if v < 0 (v maps to
//     -8), v / 7 otherwise (v maps to 7); value = clamp(nearbyint(x / d), -8, 7), stored as
//     q = value + 8 with zero = 8;
//   asymmetric: lo = min(0, min x), hi = max(0, max x), d = (hi - lo) / 15,
//     zero = clamp(nearbyint(-lo / d), 0, 15), q = clamp(nearbyint(x / d) + zero, 0, 15).
// An all-zero group gets the smallest positive f16 scale. An f16 overflow gives an infinite
// scale: the caller rejects such weights (qs4_scales_finite). group_size must be 32, 64 or
// 128 (the caller checks).
Qs4Weights quantize_qs4_weights(size_t n, size_t k, const float* w, size_t group_size,
                                bool asymmetric);

// True when every scale of `qw` is finite.
bool qs4_scales_finite(const Qs4Weights& qw);

// The dequantized weights [n, k] of `qw` (the values the kernels multiply by).
std::vector<float> dequantize_qs4_weights(const Qs4Weights& qw);

// Packs `qw` and bias (f32 [n], may be null) into qs4 panels:
// gemm_panel_count(n) * qs4_gemm_panel_bytes(k, group_size) bytes.
std::vector<uint8_t> pack_qs4_gemm_weights(const Qs4Weights& qw, const float* bias);

}  // namespace mint
