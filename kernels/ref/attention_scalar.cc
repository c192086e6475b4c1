// Scalar references of kernels/attention.h (also the portable kernels: the loops are written so
// that compilers vectorize the dot products and row updates).
#include <algorithm>
#include <cmath>

#include "kernels/attention.h"
#include "kernels/fp16.h"

namespace mint {

void rope_inv_freq(size_t rotary_dim, float theta, float* inv_freq) {
  for (size_t i = 0; i < rotary_dim / 2; ++i) {
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(rotary_dim);
    inv_freq[i] = 1.0f / std::pow(theta, exponent);
  }
}

void f32_rope_scalar(size_t rows, size_t heads, size_t head_dim, size_t rotary_dim,
                     const int32_t* positions, const float* inv_freq, const float* x, float* y) {
  const size_t half = rotary_dim / 2;
  // cos and sin of a row's angles are computed once per chunk of frequencies and used by every
  // head of the row (the same values as per head; libm's double cos / sin dominate otherwise).
  constexpr size_t kChunk = 64;
  float cos_chunk[kChunk], sin_chunk[kChunk];
  for (size_t r = 0; r < rows; ++r) {
    const float p = static_cast<float>(positions[r]);
    for (size_t i0 = 0; i0 < half; i0 += kChunk) {
      const size_t m = std::min(kChunk, half - i0);
      for (size_t i = 0; i < m; ++i) {
        const float angle = p * inv_freq[i0 + i];
        cos_chunk[i] = static_cast<float>(std::cos(static_cast<double>(angle)));
        sin_chunk[i] = static_cast<float>(std::sin(static_cast<double>(angle)));
      }
      for (size_t h = 0; h < heads; ++h) {
        const float* xr = x + (r * heads + h) * head_dim + i0;
        float* yr = y + (r * heads + h) * head_dim + i0;
        for (size_t i = 0; i < m; ++i) {
          const float c = cos_chunk[i], s = sin_chunk[i];
          const float a = xr[i], b = xr[i + half];
          yr[i] = a * c - b * s;
          yr[i + half] = b * c + a * s;
        }
      }
    }
    for (size_t h = 0; h < heads; ++h) {
      const float* xr = x + (r * heads + h) * head_dim;
      float* yr = y + (r * heads + h) * head_dim;
      if (yr != xr) {
        for (size_t i = rotary_dim; i < head_dim; ++i) yr[i] = xr[i];
      }
    }
  }
}

void kv_store_row_f32(size_t d, const float* x, void* dst, float*) {
  std::copy(x, x + d, static_cast<float*>(dst));
}

void kv_store_row_f16(size_t d, const float* x, void* dst, float*) {
  uint16_t* out = static_cast<uint16_t*>(dst);
  for (size_t i = 0; i < d; ++i) out[i] = f32_to_f16(x[i]);
}

void kv_store_row_qs8(size_t d, const float* x, void* dst, float* scale) {
  float max_abs = 0.0f;
  for (size_t i = 0; i < d; ++i) max_abs = std::max(max_abs, std::fabs(x[i]));
  const float s = max_abs > 0.0f ? max_abs / 127.0f : 1.0f;
  *scale = s;
  int8_t* out = static_cast<int8_t*>(dst);
  for (size_t i = 0; i < d; ++i) {
    const float v = std::nearbyint(x[i] / s);
    out[i] = static_cast<int8_t>(std::min(127.0f, std::max(-127.0f, v)));
  }
}

namespace {

// Softmax of scores[0..len) in place; returns nothing, scores become weights.
void softmax_in_place(size_t len, float* scores) {
  float max_s = scores[0];
  for (size_t j = 1; j < len; ++j) max_s = std::max(max_s, scores[j]);
  float sum = 0.0f;
  for (size_t j = 0; j < len; ++j) {
    scores[j] = std::exp(scores[j] - max_s);
    sum += scores[j];
  }
  const float inv = 1.0f / sum;
  for (size_t j = 0; j < len; ++j) scores[j] *= inv;
}

struct F32Row {
  static float load(const void* base, size_t i) { return static_cast<const float*>(base)[i]; }
};
struct F16Row {
  static float load(const void* base, size_t i) {
    return f16_to_f32(static_cast<const uint16_t*>(base)[i]);
  }
};
struct Qs8Row {
  static float load(const void* base, size_t i) {
    return static_cast<float>(static_cast<const int8_t*>(base)[i]);
  }
};

template <typename Row, size_t kElem, bool kScaled>
void attention_head(size_t len, size_t d, const float* q, const void* k, const void* v,
                    size_t stride, const float* k_scale, const float* v_scale,
                    size_t scale_stride, float scale, float* scores, float* y) {
  const uint8_t* kb = static_cast<const uint8_t*>(k);
  const uint8_t* vb = static_cast<const uint8_t*>(v);
  for (size_t j = 0; j < len; ++j) {
    const void* kr = kb + j * stride * kElem;
    float dot = 0.0f;
    for (size_t i = 0; i < d; ++i) dot += q[i] * Row::load(kr, i);
    if (kScaled) dot *= k_scale[j * scale_stride];
    scores[j] = dot * scale;
  }
  softmax_in_place(len, scores);
  for (size_t i = 0; i < d; ++i) y[i] = 0.0f;
  for (size_t j = 0; j < len; ++j) {
    const void* vr = vb + j * stride * kElem;
    const float w = kScaled ? scores[j] * v_scale[j * scale_stride] : scores[j];
    for (size_t i = 0; i < d; ++i) y[i] += w * Row::load(vr, i);
  }
}

}  // namespace

void f32_attention_head_f32kv_scalar(size_t len, size_t d, const float* q, const void* k,
                                     const void* v, size_t stride, const float* k_scale,
                                     const float* v_scale, size_t scale_stride, float scale,
                                     float* scores, float* y) {
  attention_head<F32Row, 4, false>(len, d, q, k, v, stride, k_scale, v_scale, scale_stride, scale,
                                   scores, y);
}

void f32_attention_head_f16kv_scalar(size_t len, size_t d, const float* q, const void* k,
                                     const void* v, size_t stride, const float* k_scale,
                                     const float* v_scale, size_t scale_stride, float scale,
                                     float* scores, float* y) {
  attention_head<F16Row, 2, false>(len, d, q, k, v, stride, k_scale, v_scale, scale_stride, scale,
                                   scores, y);
}

void f32_attention_head_qs8kv_scalar(size_t len, size_t d, const float* q, const void* k,
                                     const void* v, size_t stride, const float* k_scale,
                                     const float* v_scale, size_t scale_stride, float scale,
                                     float* scores, float* y) {
  attention_head<Qs8Row, 1, true>(len, d, q, k, v, stride, k_scale, v_scale, scale_stride, scale,
                                  scores, y);
}

void f32_attention_rows_f32kv_scalar(size_t rows, size_t len0, size_t d, const float* q,
                                   size_t q_stride, const void* k, const void* v, size_t stride,
                                   const float* k_scale, const float* v_scale, size_t scale_stride,
                                   float scale, float* scores, float* y, size_t y_stride) {
  for (size_t r = 0; r < rows; ++r) {
    f32_attention_head_f32kv_scalar(len0 + r, d, q + r * q_stride, k, v, stride, k_scale, v_scale,
                                    scale_stride, scale, scores, y + r * y_stride);
  }
}

void f32_attention_rows_f16kv_scalar(size_t rows, size_t len0, size_t d, const float* q,
                                   size_t q_stride, const void* k, const void* v, size_t stride,
                                   const float* k_scale, const float* v_scale, size_t scale_stride,
                                   float scale, float* scores, float* y, size_t y_stride) {
  for (size_t r = 0; r < rows; ++r) {
    f32_attention_head_f16kv_scalar(len0 + r, d, q + r * q_stride, k, v, stride, k_scale, v_scale,
                                    scale_stride, scale, scores, y + r * y_stride);
  }
}

void f32_attention_rows_qs8kv_scalar(size_t rows, size_t len0, size_t d, const float* q,
                                   size_t q_stride, const void* k, const void* v, size_t stride,
                                   const float* k_scale, const float* v_scale, size_t scale_stride,
                                   float scale, float* scores, float* y, size_t y_stride) {
  for (size_t r = 0; r < rows; ++r) {
    f32_attention_head_qs8kv_scalar(len0 + r, d, q + r * q_stride, k, v, stride, k_scale, v_scale,
                                    scale_stride, scale, scores, y + r * y_stride);
  }
}

}  // namespace mint
