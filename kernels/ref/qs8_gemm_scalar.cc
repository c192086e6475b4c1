// Scalar reference GEMM kernels for int8 weights and activations (contract: kernels/gemm.h).
#include <algorithm>
#include <cmath>

#include "kernels/qs8_requant.h"
#include "kernels/registry.h"

namespace mint {
namespace {

template <size_t MR>
void qs8_gemm_scalar(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                     const void* packed_w, void* c, size_t c_stride_bytes,
                     const Qs8GemmParams* params) {
  const size_t kp = round_up(k, kQs8KR);
  const char* panel = static_cast<const char*>(packed_w);
  for (size_t n0 = 0; n0 < n; n0 += kGemmNR, panel += qs8_gemm_panel_bytes(k)) {
    const Qs8PanelHeader* h = reinterpret_cast<const Qs8PanelHeader*>(panel);
    const int8_t* w = reinterpret_cast<const int8_t*>(panel + qs8_gemm_panel_header_bytes());
    const size_t nc = std::min(kGemmNR, n - n0);
    for (size_t i = 0; i < m; ++i) {
      const Qs8RowQuant aq = params->a_quant[i * params->a_quant_stride];
      const int8_t* a_row = a + i * a_stride;
      int32_t acc[kGemmNR];
      for (size_t j = 0; j < kGemmNR; ++j) acc[j] = h->bias_q[j] - aq.zero_point * h->w_sum[j];
      for (size_t g = 0; g < kp / kQs8KR; ++g) {
        for (size_t j = 0; j < kGemmNR; ++j) {
          for (size_t t = 0; t < kQs8KR; ++t) {
            acc[j] += int32_t{a_row[g * kQs8KR + t]} * w[(g * kGemmNR + j) * kQs8KR + t];
          }
        }
      }
      char* c_row = static_cast<char*>(c) + i * c_stride_bytes;
      for (size_t j = 0; j < nc; ++j) {
        if (params->output == Qs8Output::kQs8) {
          reinterpret_cast<int8_t*>(c_row)[n0 + j] =
              qs8_requantize(acc[j], aq.scale, h->w_scale[j], *params);
        } else {
          reinterpret_cast<float*>(c_row)[n0 + j] =
              qs8_dequantize(acc[j], aq.scale, h->w_scale[j], h->bias_f[j], *params);
        }
      }
    }
  }
}

}  // namespace

void qs8_gemm_minmax_4x16c4_scalar(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                                   const void* w, void* c, size_t c_stride_bytes,
                                   const Qs8GemmParams* params) {
  qs8_gemm_scalar<4>(m, n, k, a, a_stride, w, c, c_stride_bytes, params);
}
void qs8_gemm_minmax_1x16c4_scalar(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                                   const void* w, void* c, size_t c_stride_bytes,
                                   const Qs8GemmParams* params) {
  qs8_gemm_scalar<1>(m, n, k, a, a_stride, w, c, c_stride_bytes, params);
}

}  // namespace mint
