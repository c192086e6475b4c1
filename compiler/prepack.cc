#include "compiler/prepack.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/fp16.h"
#include "kernels/gemm.h"
#include "kernels/qs8_requant.h"

namespace mint {
namespace {

template <typename WeightT, typename Convert>
std::vector<uint8_t> pack_float_panels(size_t n, size_t k, const float* w, const float* bias,
                                       Convert convert) {
  const size_t panel_bytes = sizeof(float) * kGemmNR + sizeof(WeightT) * kGemmNR * k;
  std::vector<uint8_t> out(gemm_panel_count(n) * panel_bytes, 0);
  for (size_t p = 0; p < gemm_panel_count(n); ++p) {
    uint8_t* panel = out.data() + p * panel_bytes;
    float* panel_bias = reinterpret_cast<float*>(panel);
    WeightT* panel_w = reinterpret_cast<WeightT*>(panel + sizeof(float) * kGemmNR);
    for (size_t j = 0; j < kGemmNR && p * kGemmNR + j < n; ++j) {
      const size_t col = p * kGemmNR + j;
      panel_bias[j] = bias ? bias[col] : 0.0f;
      for (size_t kk = 0; kk < k; ++kk) panel_w[kk * kGemmNR + j] = convert(w[col * k + kk]);
    }
  }
  return out;
}

}  // namespace

std::vector<uint8_t> pack_f32_gemm_weights(size_t n, size_t k, const float* w, const float* bias) {
  return pack_float_panels<float>(n, k, w, bias, [](float v) { return v; });
}

std::vector<uint8_t> pack_f16_gemm_weights(size_t n, size_t k, const float* w, const float* bias) {
  return pack_float_panels<uint16_t>(n, k, w, bias, [](float v) { return f32_to_f16(v); });
}

std::vector<uint8_t> pack_qs8_gemm_weights(size_t n, size_t k, const int8_t* w,
                                           const float* w_scale, const int32_t* bias_q,
                                           const float* bias_f) {
  const size_t panel_bytes = qs8_gemm_panel_bytes(k);
  const size_t kp = round_up(k, kQs8KR);
  std::vector<uint8_t> out(gemm_panel_count(n) * panel_bytes, 0);
  for (size_t p = 0; p < gemm_panel_count(n); ++p) {
    uint8_t* panel = out.data() + p * panel_bytes;
    Qs8PanelHeader header{};
    int8_t* panel_w = reinterpret_cast<int8_t*>(panel + sizeof(Qs8PanelHeader));
    for (size_t j = 0; j < kGemmNR && p * kGemmNR + j < n; ++j) {
      const size_t col = p * kGemmNR + j;
      header.bias_q[j] = bias_q ? bias_q[col] : 0;
      header.bias_f[j] = bias_f ? bias_f[col] : 0.0f;
      header.w_scale[j] = w_scale[col];
      int32_t sum = 0;
      for (size_t kk = 0; kk < kp; ++kk) {
        const int8_t v = kk < k ? w[col * k + kk] : 0;
        sum += v;
        panel_w[((kk / kQs8KR) * kGemmNR + j) * kQs8KR + kk % kQs8KR] = v;
      }
      header.w_sum[j] = sum;
    }
    std::memcpy(panel, &header, sizeof(header));
  }
  return out;
}

void quantize_per_channel_symmetric(size_t n, size_t k, const float* w, std::vector<int8_t>* q,
                                    std::vector<float>* scales) {
  q->resize(n * k);
  scales->resize(n);
  for (size_t j = 0; j < n; ++j) {
    float max_abs = 0.0f;
    for (size_t kk = 0; kk < k; ++kk) max_abs = std::max(max_abs, std::fabs(w[j * k + kk]));
    const float scale = max_abs > 0.0f ? max_abs / 127.0f : 1.0f;
    (*scales)[j] = scale;
    for (size_t kk = 0; kk < k; ++kk) {
      const float v = std::nearbyint(w[j * k + kk] / scale);
      (*q)[j * k + kk] = static_cast<int8_t>(std::min(127.0f, std::max(-127.0f, v)));
    }
  }
}

}  // namespace mint
