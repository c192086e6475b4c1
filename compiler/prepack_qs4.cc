// int4 group-wise weight quantization and packing (contract: compiler/prepack.h, layout:
// kernels/qs4_gemm.h).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "compiler/prepack.h"
#include "kernels/fp16.h"
#include "kernels/qs4_gemm.h"

namespace mint {
namespace {

// The smallest positive f16 (2^-24): the scale of an all-zero group, whose values are all
// exactly zero whatever the scale; scales stay > 0 as plan quantization requires.
const float kQs4MinScale = f16_to_f32(0x0001);

}  // namespace

Qs4Weights quantize_qs4_weights(size_t n, size_t k, const float* w, size_t group_size,
                                bool asymmetric) {
  Qs4Weights qw;
  qw.n = n;
  qw.k = k;
  qw.group_size = group_size;
  const size_t ng = qs4_group_count(k, group_size), kp = ng * group_size;
  qw.q.assign(n * kp, 0);
  qw.scale.assign(n * ng, 0);
  qw.zero.assign(n * ng, 0);
  for (size_t j = 0; j < n; ++j) {
    for (size_t g = 0; g < ng; ++g) {
      const size_t k0 = g * group_size, k1 = std::min(k, k0 + group_size);
      const float* x = w + j * k;
      float d = 0.0f;
      int32_t zero = 8;
      if (asymmetric) {
        float lo = 0.0f, hi = 0.0f;
        for (size_t kk = k0; kk < k1; ++kk) lo = std::min(lo, x[kk]), hi = std::max(hi, x[kk]);
        d = f16_to_f32(f32_to_f16((hi - lo) / 15.0f));
        if (d == 0.0f) d = kQs4MinScale;
        zero = static_cast<int32_t>(std::min(15.0f, std::max(0.0f, std::nearbyint(-lo / d))));
      } else {
        float v = 0.0f;  // the value of largest magnitude (the first one on ties)
        for (size_t kk = k0; kk < k1; ++kk) {
          if (std::fabs(x[kk]) > std::fabs(v)) v = x[kk];
        }
        d = f16_to_f32(f32_to_f16(v < 0.0f ? -v / 8.0f : v / 7.0f));
        if (d == 0.0f) d = kQs4MinScale;
      }
      for (size_t kk = k0; kk < k1; ++kk) {
        const float r = std::nearbyint(x[kk] / d) + static_cast<float>(zero);
        qw.q[j * kp + kk] = static_cast<uint8_t>(std::min(15.0f, std::max(0.0f, r)));
      }
      qw.scale[j * ng + g] = f32_to_f16(d);
      qw.zero[j * ng + g] = static_cast<uint8_t>(zero);
    }
  }
  return qw;
}

bool qs4_scales_finite(const Qs4Weights& qw) {
  for (uint16_t h : qw.scale) {
    if (!std::isfinite(f16_to_f32(h))) return false;
  }
  return true;
}

std::vector<float> dequantize_qs4_weights(const Qs4Weights& qw) {
  const size_t ng = qs4_group_count(qw.k, qw.group_size), kp = ng * qw.group_size;
  std::vector<float> out(qw.n * qw.k);
  for (size_t j = 0; j < qw.n; ++j) {
    for (size_t kk = 0; kk < qw.k; ++kk) {
      const size_t g = j * ng + kk / qw.group_size;
      out[j * qw.k + kk] = f16_to_f32(qw.scale[g]) *
                           static_cast<float>(int32_t{qw.q[j * kp + kk]} - int32_t{qw.zero[g]});
    }
  }
  return out;
}

std::vector<uint8_t> pack_qs4_gemm_weights(const Qs4Weights& qw, const float* bias) {
  const size_t gs = qw.group_size, ng = qs4_group_count(qw.k, gs), kp = ng * gs;
  const size_t panel_bytes = qs4_gemm_panel_bytes(qw.k, gs);
  std::vector<uint8_t> out(gemm_panel_count(qw.n) * panel_bytes, 0);
  for (size_t p = 0; p < gemm_panel_count(qw.n); ++p) {
    uint8_t* panel = out.data() + p * panel_bytes;
    Qs4PanelHeader ph{};
    for (size_t j = 0; j < kGemmNR && p * kGemmNR + j < qw.n; ++j) {
      ph.bias[j] = bias ? bias[p * kGemmNR + j] : 0.0f;
    }
    std::memcpy(panel, &ph, sizeof(ph));
    for (size_t g = 0; g < ng; ++g) {
      uint8_t* group = panel + sizeof(Qs4PanelHeader) + g * qs4_group_bytes(gs);
      Qs4GroupHeader gh{};
      uint8_t* w = group + sizeof(Qs4GroupHeader);
      for (size_t j = 0; j < kGemmNR && p * kGemmNR + j < qw.n; ++j) {
        const size_t col = p * kGemmNR + j;
        gh.scale[j] = qw.scale[col * ng + g];
        gh.zero[j] = qw.zero[col * ng + g];
        for (size_t kk = 0; kk < gs; ++kk) {
          const uint8_t v = qw.q[col * kp + g * gs + kk] & 0x0F;
          uint8_t& byte = w[(kk / kQs4SubK) * 64 + j * 4 + kk % 4];
          byte |= (kk % kQs4SubK) < 4 ? v : static_cast<uint8_t>(v << 4);
        }
      }
      std::memcpy(group, &gh, sizeof(gh));
    }
  }
  return out;
}

}  // namespace mint
