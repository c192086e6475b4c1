#include "runtime/ops/gemm_operator.h"

#include <algorithm>

namespace mint {

size_t gemm_channel_block(size_t m, size_t n, size_t panel_bytes, size_t threads) {
  const size_t panels = gemm_panel_count(n);
  // Weights of one block should stay in L2 across the row tiles that reuse them.
  const size_t budget = 256 * 1024;
  size_t block = std::max<size_t>(1, budget / std::max<size_t>(1, panel_bytes));
  // ... and every thread should get a few blocks to balance the load.
  const size_t m_tiles = std::max<size_t>(1, m / 4);
  const size_t want_blocks = std::max<size_t>(1, threads * 4 / std::min(m_tiles, threads * 4));
  block = std::min(block, std::max<size_t>(1, panels / want_blocks));
  return std::min(block, panels) * kGemmNR;
}

namespace {

struct F32GemmContext {
  F32GemmFn fn;
  size_t n, k;
  const float* a;
  size_t a_stride;
  const char* packed_w;
  size_t panel_bytes;
  float* c;
  size_t c_stride;
  const F32MinMaxParams* params;
};

void f32_gemm_tile(void* context, size_t n0, size_t m0, size_t n_tile, size_t m_tile) {
  const auto* ctx = static_cast<const F32GemmContext*>(context);
  ctx->fn(m_tile, n_tile, ctx->k, ctx->a + m0 * ctx->a_stride, ctx->a_stride,
          ctx->packed_w + (n0 / kGemmNR) * ctx->panel_bytes, ctx->c + m0 * ctx->c_stride + n0,
          ctx->c_stride, ctx->params);
}

struct Qs8GemmContext {
  Qs8GemmFn fn;
  size_t n, k;
  const int8_t* a;
  size_t a_stride;
  const char* packed_w;
  char* c;
  size_t c_stride_bytes;
  size_t c_elem_bytes;
  const Qs8GemmParams* params;
};

void qs8_gemm_tile(void* context, size_t n0, size_t m0, size_t n_tile, size_t m_tile) {
  const auto* ctx = static_cast<const Qs8GemmContext*>(context);
  Qs8GemmParams params = *ctx->params;
  params.a_quant += m0 * params.a_quant_stride;
  ctx->fn(m_tile, n_tile, ctx->k, ctx->a + m0 * ctx->a_stride, ctx->a_stride,
          ctx->packed_w + (n0 / kGemmNR) * qs8_gemm_panel_bytes(ctx->k),
          ctx->c + m0 * ctx->c_stride_bytes + n0 * ctx->c_elem_bytes, ctx->c_stride_bytes, &params);
}

size_t pool_threads(pthreadpool_t pool) { return pool ? pthreadpool_get_threads_count(pool) : 1; }

}  // namespace

void run_f32_gemm(pthreadpool_t pool, const GemmSelection<F32GemmFn>& kernels, size_t m, size_t n,
                  size_t k, const float* a, size_t a_stride, const void* packed_w,
                  size_t panel_bytes, float* c, size_t c_stride, const F32MinMaxParams& params) {
  const auto* kernel = m == 1 ? kernels.gemv : kernels.gemm;
  F32GemmContext ctx{kernel->fn, n, k, a, a_stride, static_cast<const char*>(packed_w),
                     panel_bytes, c, c_stride, &params};
  const size_t nc = gemm_channel_block(m, n, panel_bytes, pool_threads(pool));
  pthreadpool_parallelize_2d_tile_2d(pool, f32_gemm_tile, &ctx, n, m, nc, kernel->mr, 0);
}

void run_qs8_gemm(pthreadpool_t pool, const GemmSelection<Qs8GemmFn>& kernels, size_t m, size_t n,
                  size_t k, const int8_t* a, size_t a_stride, const void* packed_w, void* c,
                  size_t c_stride_bytes, const Qs8GemmParams& params) {
  const auto* kernel = m == 1 ? kernels.gemv : kernels.gemm;
  Qs8GemmContext ctx{kernel->fn, n, k, a, a_stride, static_cast<const char*>(packed_w),
                     static_cast<char*>(c), c_stride_bytes,
                     params.output == Qs8Output::kQs8 ? size_t{1} : sizeof(float), &params};
  const size_t nc = gemm_channel_block(m, n, qs8_gemm_panel_bytes(k), pool_threads(pool));
  pthreadpool_parallelize_2d_tile_2d(pool, qs8_gemm_tile, &ctx, n, m, nc, kernel->mr, 0);
}

}  // namespace mint
