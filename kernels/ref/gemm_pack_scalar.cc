#include <cstring>

#include "kernels/gemm.h"
#include "kernels/gemm_pack.h"

namespace mint {

void f32_gemm_pack_scalar(size_t n, size_t k, const float* b, size_t k_stride, size_t n_stride,
                          void* packed) {
  float* out = static_cast<float*>(packed);
  for (size_t p = 0; p < gemm_panel_count(n); ++p) {
    float* panel = out + p * kGemmNR * (k + 1);
    const size_t n0 = p * kGemmNR;
    const size_t nr = n - n0 < kGemmNR ? n - n0 : kGemmNR;
    std::memset(panel, 0, sizeof(float) * kGemmNR);  // bias
    float* w = panel + kGemmNR;
    for (size_t kk = 0; kk < k; ++kk) {
      const float* row = b + kk * k_stride + n0 * n_stride;
      for (size_t j = 0; j < nr; ++j) w[kk * kGemmNR + j] = row[j * n_stride];
      for (size_t j = nr; j < kGemmNR; ++j) w[kk * kGemmNR + j] = 0.0f;
    }
  }
}

}  // namespace mint
