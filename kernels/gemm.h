// GEMM kernel families: packed-weight layouts, parameters and kernel signatures.
//
// A GEMM kernel computes, for a tile of `m` rows (m <= MR of the kernel) and `n` output
// channels (any n; the kernel walks the NR-wide panels of the packed weights itself):
//
//     C[i][j] = epilogue( sum_k A[i][k] * W[k][j] + bias[j] )        0 <= i < m, 0 <= j < n
//
// Kernels are pure single-threaded functions. They never allocate, never fail and never
// touch a thread pool: the operator (runtime/ops/) validates shapes, tiles the output and
// threads the tiles. Every family has a scalar reference in kernels/ref/ that is the test
// oracle and the portable fallback; optimized variants live in kernels/<arch>/<isa>/ and must
// agree with the reference (bit-exactly for the integer families, within a tolerance for the
// float ones, see tests/gemm_kernel_test.cc).
//
// Packed weights are produced offline by the compiler (compiler/prepack.cc) and mmapped from
// the plan; every kernel of a family reads the same layout, so one plan runs on every ISA.
// All packed layouts are sequences of panels of kGemmNR = 16 output channels; the last panel
// is zero-padded when n is not a multiple of 16. Panel p covers channels [16p, 16p + 16).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mint {

// The size helpers below are `static`: this header is included by translation units compiled
// with different ISA flags, and an out-of-line copy (as in Debug builds) must never be shared.
constexpr size_t kGemmNR = 16;  // output channels per packed panel, every family
constexpr size_t kQs8KR = 4;    // k values grouped per channel in qs8 panels (VNNI/SDOT)

static constexpr size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }
static constexpr size_t gemm_panel_count(size_t n) { return (n + kGemmNR - 1) / kGemmNR; }

// ---------------------------------------------------------------------------------------------
// f32 weights: each panel is
//     float bias[16];           bias of the 16 channels (0 for padding channels)
//     float w[k][16];           w[kk][j] = W[kk][16p + j]
// Panel size in bytes: 4 * 16 * (k + 1).
static constexpr size_t f32_gemm_panel_bytes(size_t k) { return sizeof(float) * kGemmNR * (k + 1); }

// f16 weights (IEEE binary16, stored as uint16_t): each panel is
//     float    bias[16];
//     uint16_t w[k][16];
// Panel size in bytes: 4 * 16 + 2 * 16 * k. Weights are widened to f32 before the multiply.
static constexpr size_t f16w_gemm_panel_bytes(size_t k) {
  return sizeof(float) * kGemmNR + sizeof(uint16_t) * kGemmNR * k;
}

struct F32MinMaxParams {
  float min;  // output clamp; -INFINITY / +INFINITY for none, 0 / +INFINITY for ReLU
  float max;
};

// C = clamp(A * W + bias, min, max).
//   a:        m rows of k floats, row i at a + i * a_stride (a_stride in elements)
//   packed_w: f32 (or f16 for f16w kernels) panels as above, covering at least n channels
//   c:        m rows of n floats, row i at c + i * c_stride (c_stride in elements)
using F32GemmFn = void (*)(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                           const void* packed_w, float* c, size_t c_stride,
                           const F32MinMaxParams* params);

// ---------------------------------------------------------------------------------------------
// qs8 (signed 8-bit) weights, per-output-channel scales. Let kp = round_up(k, 4). Each panel:
//     int32_t bias_q[16];       int32 bias, added to the accumulator (static quantization)
//     float   bias_f[16];       f32 bias, added after dequantization (f32 output only)
//     int32_t w_sum[16];        sum over kk of W[kk][j] (for activation zero points)
//     float   w_scale[16];      per-channel weight scale (0 for padding channels)
//     int8_t  w[kp/4][16][4];   w[g][j][t] = W[4g + t][16p + j], 0 beyond k
// Panel size in bytes: 256 + 16 * kp.
static constexpr size_t qs8_gemm_panel_header_bytes() { return 4 * sizeof(int32_t) * kGemmNR; }
static constexpr size_t qs8_gemm_panel_bytes(size_t k) {
  return qs8_gemm_panel_header_bytes() + kGemmNR * round_up(k, kQs8KR);
}

// Quantization of one activation row: real = scale * (q - zero_point).
struct Qs8RowQuant {
  int32_t zero_point;
  float scale;
};

enum class Qs8Output : uint8_t {
  kQs8 = 0,  // requantize to int8
  kF32 = 1,  // dequantize to f32
};

struct Qs8GemmParams {
  // Quantization of the m activation rows of this call: row i uses a_quant[i * a_quant_stride]
  // (a_quant_stride = 0: one per-tensor quantization; 1: per-row, as in dynamic quantization).
  const Qs8RowQuant* a_quant;
  size_t a_quant_stride;
  Qs8Output output;
  // Requantization (output == kQs8):
  float out_inv_scale;     // 1 / output scale
  int32_t out_zero_point;
  int8_t out_min;          // clamp in the quantized domain (-128 / 127 for none)
  int8_t out_max;
  // Dequantization (output == kF32):
  float f32_min;
  float f32_max;
};

// With acc[i][j] = sum_{kk<k} (A[i][kk] - za_i) * W[kk][j] + bias_q[j]
//                = sum A*W - za_i * w_sum[j] + bias_q[j]                (exact int32)
// every kernel of the family produces exactly (the same float operations in the same order):
//   kQs8: m_ij = (sa_i * w_scale[j]) * out_inv_scale;
//         v = clamp((float)acc * m_ij, (float)(out_min - out_zero_point),
//                                      (float)(out_max - out_zero_point));
//         C = (int8)(nearbyint(v) + out_zero_point)      round-half-to-even
//         (the clamp before rounding keeps the conversion in range; the bounds are integers,
//         so it equals clamping after rounding);
//   kF32: C = clamp((float)acc * (sa_i * w_scale[j]) + bias_f[j], f32_min, f32_max)
// where sa_i, za_i = a_quant[i * a_quant_stride].
//
//   a:        m rows of int8, row i at a + i * a_stride (bytes). Each row must be readable for
//             kp = round_up(k, 4) bytes; bytes past k may hold anything (their weights are 0).
//   packed_w: qs8 panels as above, covering at least n channels
//   c:        int8_t (kQs8) or float (kF32) rows; row i at (char*)c + i * c_stride_bytes
using Qs8GemmFn = void (*)(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                           const void* packed_w, void* c, size_t c_stride_bytes,
                           const Qs8GemmParams* params);

}  // namespace mint
