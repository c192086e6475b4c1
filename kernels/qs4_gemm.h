// qs4 GEMM family: 4-bit group-wise quantized weights, int8 dynamically quantized activations
// (the llama.cpp Q4_0 x Q8_0 scheme, with an integer zero point per group for asymmetric
// weights). Kernel list: kernels/qs4_gemm.inc; scalar reference: kernels/ref/qs4_gemm_scalar.cc.
//
// Weights W [n, k] are quantized in groups of G (32, 64 or 128) consecutive k of one output
// channel j: W[j][kk] ~= d[g][j] * (q[kk][j] - z[g][j]) with g = kk / G, q in [0, 15], z in
// [0, 15] and d an IEEE f16 scale. Symmetric weights (values in [-8, 7]) are stored with
// q = value + 8 and z = 8, so one layout and one set of kernels serve both. k is padded with
// zero weights to kp = round_up(k, G); ng = kp / G groups.
//
// Packed layout (the `gemm_qs4` plan layout): panels of kGemmNR = 16 channels, the last one
// zero-padded (scale 0, zero point 0, weights 0). Each panel, Qs4PanelHeader then ng groups:
//     float    bias[16];                       f32 bias, added first (Qs4PanelHeader)
//     group g (qs4_group_bytes(G) = 48 + 8 G bytes):
//       uint16_t scale[16];                    d[g][j] as IEEE f16    (Qs4GroupHeader)
//       uint8_t  zero[16];                     z[g][j]
//       uint8_t  w[G / 8][16][4];              sub-block s (8 k), byte w[s][j][t] holds
//                                              q[G g + 8 s + t][j] in its low nibble and
//                                              q[G g + 8 s + 4 + t][j] in its high nibble
// So a 64-byte sub-block is 16 channels x 8 k: masking its low (high) nibbles gives the
// 16 x 4-byte c4 block of the qs8 layout for k 0..3 (4..7), ready for vpdpbusd / SDOT with
// 4 activation bytes broadcast. Panel bytes: 64 + ng * (48 + 8 G); 4.75 bits per weight at
// G = 32, 4.19 at G = 128. No alignment is assumed inside a panel (unaligned loads).
//
// Activations are quantized per row and per group of G k (the same G), symmetric int8:
//     amax = max |x| over the group;  scale = amax / 127;  inv = amax > 0 ? 127 / amax : 0
//     q[kk] = clamp(nearbyint(x[kk] * inv), -127, 127)   (round-half-even);  sum = sum q
// (qs4_quantize_rows_*, below). Bytes k .. kp - 1 of a row are 0; sum covers the group's q.
//
// Each kernel computes, for row i and channel j, with exact int32
//     acc[g] = sum_{kk in group g} A[i][kk] * q[kk][j] - z[g][j] * sum[i][g]
// exactly these float operations in this order (no fused multiply-add, the tests compare
// bit for bit across ISAs):
//     out = bias[j];  for g = 0 .. ng-1:  out = out + (float)acc[g] * (scale[i][g] * d[g][j])
//     C[i][j] = std::min(std::max(out, min), max)
// |acc| <= 127 * 15 * 128 < 2^24, so (float)acc is exact.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/gemm.h"
#include "kernels/isa.h"

namespace mint {

constexpr size_t kQs4SubK = 8;  // k values per 64-byte sub-block

struct Qs4PanelHeader {
  float bias[kGemmNR];
};
static_assert(sizeof(Qs4PanelHeader) == 64, "qs4 panel header");

struct Qs4GroupHeader {
  uint16_t scale[kGemmNR];  // IEEE f16
  uint8_t zero[kGemmNR];
};
static_assert(sizeof(Qs4GroupHeader) == 48, "qs4 group header");

static constexpr bool qs4_valid_group_size(size_t g) { return g == 32 || g == 64 || g == 128; }
static constexpr size_t qs4_group_bytes(size_t g) { return sizeof(Qs4GroupHeader) + 8 * g; }
static constexpr size_t qs4_group_count(size_t k, size_t g) { return (k + g - 1) / g; }
static constexpr size_t qs4_gemm_panel_bytes(size_t k, size_t g) {
  return sizeof(Qs4PanelHeader) + qs4_group_count(k, g) * qs4_group_bytes(g);
}

// Quantization of one group of one activation row: real ~= scale * q; sum = sum of its q.
// Kernels rely on sum being exactly that sum (so |sum| <= 128 * 128 fits int16).
struct Qs4ActQuant {
  float scale;
  int32_t sum;
};
static_assert(sizeof(Qs4ActQuant) == 8, "qs4 activation quantization");

struct Qs4GemmParams {
  // Row i, group g of this call uses a_quant[i * a_quant_stride + g] (stride >= ng).
  const Qs4ActQuant* a_quant;
  size_t a_quant_stride;
  size_t group_size;  // G: 32, 64 or 128
  float min;          // output clamp; -INFINITY / +INFINITY for none
  float max;
};

// C = as in the block comment above.
//   a:        m rows of int8, row i at a + i * a_stride (bytes), each readable for kp bytes,
//             bytes k .. kp - 1 zero
//   packed_w: qs4 panels as above, covering at least n channels
//   c:        m rows of n floats, row i at c + i * c_stride (elements)
using Qs4GemmFn = void (*)(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                           const void* packed_w, float* c, size_t c_stride,
                           const Qs4GemmParams* params);

// Quantizes m rows of k floats (row i at x + i * x_stride) as above into q (row i at
// q + i * q_stride, q_stride >= kp; writes kp bytes per row) and quant (row i's ng groups at
// quant + i * ng).
using Qs4QuantizeRowsFn = void (*)(size_t m, size_t k, size_t group_size, const float* x,
                                   size_t x_stride, int8_t* q, size_t q_stride,
                                   Qs4ActQuant* quant);

void qs4_quantize_rows_scalar(size_t m, size_t k, size_t group_size, const float* x,
                              size_t x_stride, int8_t* q, size_t q_stride, Qs4ActQuant* quant);

// Best row quantizer for the ISAs in `mask` (only the scalar one exists today).
Qs4QuantizeRowsFn select_qs4_quantize_rows(IsaMask mask);

}  // namespace mint
