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
