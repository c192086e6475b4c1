// Scalar reference GEMM kernels for f32 and f16 weights (contract: kernels/gemm.h).
#include <algorithm>

#include "kernels/fp16.h"
#include "kernels/registry.h"

namespace mint {
namespace {

inline float load_weight(const float* w) { return *w; }
inline float load_weight(const uint16_t* w) { return f16_to_f32(*w); }

// Computes an MR x n tile panel by panel; WeightT is float or uint16_t (f16 bits).
template <size_t MR, typename WeightT>
void gemm_scalar(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                 const void* packed_w, float* c, size_t c_stride, const F32MinMaxParams* params) {
  const size_t panel_bytes = sizeof(float) * kGemmNR + sizeof(WeightT) * kGemmNR * k;
  const char* panel = static_cast<const char*>(packed_w);
  for (size_t n0 = 0; n0 < n; n0 += kGemmNR, panel += panel_bytes) {
    const float* bias = reinterpret_cast<const float*>(panel);
    const WeightT* w = reinterpret_cast<const WeightT*>(panel + sizeof(float) * kGemmNR);
    const size_t nc = std::min(kGemmNR, n - n0);
    for (size_t i = 0; i < m; ++i) {
      float acc[kGemmNR];
      for (size_t j = 0; j < kGemmNR; ++j) acc[j] = bias[j];
      const float* a_row = a + i * a_stride;
      for (size_t kk = 0; kk < k; ++kk) {
        const float av = a_row[kk];
        for (size_t j = 0; j < kGemmNR; ++j) acc[j] += av * load_weight(w + kk * kGemmNR + j);
      }
      float* c_row = c + i * c_stride + n0;
      for (size_t j = 0; j < nc; ++j) c_row[j] = std::min(std::max(acc[j], params->min), params->max);
    }
  }
}

}  // namespace

void f32_gemm_minmax_4x16_scalar(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                                 const void* w, float* c, size_t c_stride,
                                 const F32MinMaxParams* params) {
  gemm_scalar<4, float>(m, n, k, a, a_stride, w, c, c_stride, params);
}
void f32_gemm_minmax_1x16_scalar(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                                 const void* w, float* c, size_t c_stride,
                                 const F32MinMaxParams* params) {
  gemm_scalar<1, float>(m, n, k, a, a_stride, w, c, c_stride, params);
}
void f16w_gemm_minmax_4x16_scalar(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                                  const void* w, float* c, size_t c_stride,
                                  const F32MinMaxParams* params) {
  gemm_scalar<4, uint16_t>(m, n, k, a, a_stride, w, c, c_stride, params);
}
void f16w_gemm_minmax_1x16_scalar(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                                  const void* w, float* c, size_t c_stride,
                                  const F32MinMaxParams* params) {
  gemm_scalar<1, uint16_t>(m, n, k, a, a_stride, w, c, c_stride, params);
}

}  // namespace mint
