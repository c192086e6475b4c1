// Scalar reference of the qs4 GEMM family and of its activation quantizer (contract:
// kernels/qs4_gemm.h). The literal contract: the test oracle and the portable fallback.
#include <algorithm>
#include <cmath>

#include "kernels/fp16.h"
#include "kernels/qs4_gemm.h"
#include "kernels/registry.h"

namespace mint {
namespace {

// Nibble q[G g + kk][j] of group data `w` (kk < G).
inline int32_t qs4_weight(const uint8_t* w, size_t j, size_t kk) {
  const uint8_t byte = w[(kk / kQs4SubK) * 64 + j * 4 + kk % 4];
  return (kk % kQs4SubK) < 4 ? (byte & 0x0F) : (byte >> 4);
}

void qs4_gemm_scalar(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                     const void* packed_w, float* c, size_t c_stride,
                     const Qs4GemmParams* params) {
  const size_t gs = params->group_size, ng = qs4_group_count(k, gs);
  const size_t panel_bytes = qs4_gemm_panel_bytes(k, gs);
  const char* panel = static_cast<const char*>(packed_w);
  for (size_t n0 = 0; n0 < n; n0 += kGemmNR, panel += panel_bytes) {
    const auto* ph = reinterpret_cast<const Qs4PanelHeader*>(panel);
    const size_t nc = std::min(kGemmNR, n - n0);
    for (size_t i = 0; i < m; ++i) {
      const int8_t* a_row = a + i * a_stride;
      const Qs4ActQuant* aq = params->a_quant + i * params->a_quant_stride;
      float out[kGemmNR];
      for (size_t j = 0; j < kGemmNR; ++j) out[j] = ph->bias[j];
      const char* group = panel + sizeof(Qs4PanelHeader);
      for (size_t g = 0; g < ng; ++g, group += qs4_group_bytes(gs)) {
        const auto* gh = reinterpret_cast<const Qs4GroupHeader*>(group);
        const auto* w = reinterpret_cast<const uint8_t*>(group + sizeof(Qs4GroupHeader));
        for (size_t j = 0; j < kGemmNR; ++j) {
          int32_t acc = -int32_t{gh->zero[j]} * aq[g].sum;
          for (size_t kk = 0; kk < gs; ++kk) acc += int32_t{a_row[g * gs + kk]} * qs4_weight(w, j, kk);
          const float s = aq[g].scale * f16_to_f32(gh->scale[j]);
          const float prod = static_cast<float>(acc) * s;
          out[j] = out[j] + prod;
        }
      }
      float* c_row = c + i * c_stride + n0;
      for (size_t j = 0; j < nc; ++j) c_row[j] = std::min(std::max(out[j], params->min), params->max);
    }
  }
}

}  // namespace

void qs4_gemm_minmax_4x16c8_scalar(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                                   const void* w, float* c, size_t c_stride,
                                   const Qs4GemmParams* params) {
  qs4_gemm_scalar(m, n, k, a, a_stride, w, c, c_stride, params);
}
void qs4_gemm_minmax_1x16c8_scalar(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                                   const void* w, float* c, size_t c_stride,
                                   const Qs4GemmParams* params) {
  qs4_gemm_scalar(m, n, k, a, a_stride, w, c, c_stride, params);
}

void qs4_quantize_rows_scalar(size_t m, size_t k, size_t group_size, const float* x,
                              size_t x_stride, int8_t* q, size_t q_stride, Qs4ActQuant* quant) {
  const size_t ng = qs4_group_count(k, group_size);
  for (size_t i = 0; i < m; ++i) {
    const float* x_row = x + i * x_stride;
    int8_t* q_row = q + i * q_stride;
    for (size_t g = 0; g < ng; ++g) {
      const size_t k0 = g * group_size, k1 = std::min(k, k0 + group_size);
      float amax = 0.0f;
      for (size_t kk = k0; kk < k1; ++kk) amax = std::max(amax, std::fabs(x_row[kk]));
      const float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
      int32_t sum = 0;
      for (size_t kk = k0; kk < k0 + group_size; ++kk) {
        int32_t v = 0;
        if (kk < k1) {
          const float r = std::nearbyint(x_row[kk] * inv);
          v = static_cast<int32_t>(std::min(127.0f, std::max(-127.0f, r)));
        }
        q_row[kk] = static_cast<int8_t>(v);
        sum += v;
      }
      quant[i * ng + g] = {amax / 127.0f, sum};
    }
  }
}

Qs4QuantizeRowsFn select_qs4_quantize_rows(IsaMask) { return qs4_quantize_rows_scalar; }

}  // namespace mint
