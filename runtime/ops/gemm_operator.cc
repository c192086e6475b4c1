#include "runtime/ops/gemm_operator.h"

#include <algorithm>

namespace mint {
namespace {

// Weights of one channel block are re-read from L2 by every row tile; half of a typical
// 1-2 MiB L2 leaves room for the activation tile, the output and the other thread's traffic
// on parts whose L2 is shared.
constexpr size_t kL2WeightBudget = 512 * 1024;

// GEMV splits its channels into this many blocks per thread, so that a thread slowed down by
// other work on its core hands blocks over to the others (pthreadpool steals work).
constexpr size_t kGemvBlocksPerThread = 4;

// Row tiles x channel blocks should give every thread at least this many tiles.
constexpr size_t kGemmTilesPerThread = 4;

// Channel-block width in channels (a multiple of 16, or n rounded up) for a kernel of `mr` rows.
size_t channel_block(size_t m, size_t mr, size_t n, size_t panel_bytes, size_t threads) {
  const size_t panels = gemm_panel_count(n);
  if (panels == 0) return kGemmNR;
  size_t block;
  if (m == 1) {
    // No weight reuse: one sequential stream per thread is best; blocks only for balance.
    const size_t blocks = threads <= 1 ? 1 : threads * kGemvBlocksPerThread;
    block = (panels + blocks - 1) / blocks;
  } else {
    block = std::max<size_t>(1, kL2WeightBudget / std::max<size_t>(1, panel_bytes));
    // Even, so that the kernels that walk two panels at a time never get an odd leftover.
    if (block > 1) block &= ~size_t{1};
    const size_t row_tiles = (m + mr - 1) / mr;
    const size_t want_tiles = threads <= 1 ? 1 : threads * kGemmTilesPerThread;
    if (row_tiles < want_tiles) {
      const size_t want_blocks = (want_tiles + row_tiles - 1) / row_tiles;
      block = std::min(block, std::max<size_t>(1, (panels + want_blocks - 1) / want_blocks));
    }
  }
  return std::min(block, panels) * kGemmNR;
}

size_t pool_threads(pthreadpool_t pool) { return pool ? pthreadpool_get_threads_count(pool) : 1; }

struct F32GemmContext {
  F32GemmFn fn;
  size_t k;
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
  size_t k;
  const int8_t* a;
  size_t a_stride;
  const char* packed_w;
  size_t panel_bytes;
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
          ctx->packed_w + (n0 / kGemmNR) * ctx->panel_bytes,
          ctx->c + m0 * ctx->c_stride_bytes + n0 * ctx->c_elem_bytes, ctx->c_stride_bytes, &params);
}

struct Qs4GemmContext {
  Qs4GemmFn fn;
  size_t k;
  const int8_t* a;
  size_t a_stride;
  const char* packed_w;
  size_t panel_bytes;
  float* c;
  size_t c_stride;
  const Qs4GemmParams* params;
};

void qs4_gemm_tile(void* context, size_t n0, size_t m0, size_t n_tile, size_t m_tile) {
  const auto* ctx = static_cast<const Qs4GemmContext*>(context);
  Qs4GemmParams params = *ctx->params;
  params.a_quant += m0 * params.a_quant_stride;
  ctx->fn(m_tile, n_tile, ctx->k, ctx->a + m0 * ctx->a_stride, ctx->a_stride,
          ctx->packed_w + (n0 / kGemmNR) * ctx->panel_bytes, ctx->c + m0 * ctx->c_stride + n0,
          ctx->c_stride, &params);
}

// Runs tile(ctx, n0, m0, n_tile, m_tile) over the output. With one thread (or one tile) the
// tiles run in a plain loop on the caller, in the same order, without the pool's dispatch.
void run_tiles(pthreadpool_t pool, pthreadpool_task_2d_tile_2d_t tile, void* ctx, size_t m,
               size_t n, size_t mr, size_t nc) {
  if (m == 0 || n == 0) return;
  const size_t threads = pool_threads(pool);
  if (threads <= 1 || (m <= mr && n <= nc)) {
    for (size_t n0 = 0; n0 < n; n0 += nc) {
      for (size_t m0 = 0; m0 < m; m0 += mr) {
        tile(ctx, n0, m0, std::min(nc, n - n0), std::min(mr, m - m0));
      }
    }
    return;
  }
  pthreadpool_parallelize_2d_tile_2d(pool, tile, ctx, n, m, nc, mr, 0);
}

}  // namespace

size_t gemm_channel_block(size_t m, size_t n, size_t panel_bytes, size_t threads) {
  // Without the kernel at hand, assume the widest row tile of the x86/ARM kernels.
  return channel_block(m, m == 1 ? 1 : 8, n, panel_bytes, threads);
}

void run_f32_gemm(pthreadpool_t pool, const GemmSelection<F32GemmFn>& kernels, size_t m, size_t n,
                  size_t k, const float* a, size_t a_stride, const void* packed_w,
                  size_t panel_bytes, float* c, size_t c_stride, const F32MinMaxParams& params) {
  if (m * n * k < kMinParallelGemmMacs) pool = nullptr;
  const auto* kernel = m == 1 ? kernels.gemv : kernels.gemm;
  F32GemmContext ctx{kernel->fn,  k, a,        a_stride, static_cast<const char*>(packed_w),
                     panel_bytes, c, c_stride, &params};
  const size_t nc = channel_block(m, kernel->mr, n, panel_bytes, pool_threads(pool));
  run_tiles(pool, f32_gemm_tile, &ctx, m, n, kernel->mr, nc);
}

void run_qs8_gemm(pthreadpool_t pool, const GemmSelection<Qs8GemmFn>& kernels, size_t m, size_t n,
                  size_t k, const int8_t* a, size_t a_stride, const void* packed_w, void* c,
                  size_t c_stride_bytes, const Qs8GemmParams& params) {
  if (m * n * k < kMinParallelGemmMacs) pool = nullptr;
  const auto* kernel = m == 1 ? kernels.gemv : kernels.gemm;
  const size_t panel_bytes = qs8_gemm_panel_bytes(k);
  Qs8GemmContext ctx{kernel->fn,
                     k,
                     a,
                     a_stride,
                     static_cast<const char*>(packed_w),
                     panel_bytes,
                     static_cast<char*>(c),
                     c_stride_bytes,
                     params.output == Qs8Output::kQs8 ? size_t{1} : sizeof(float),
                     &params};
  const size_t nc = channel_block(m, kernel->mr, n, panel_bytes, pool_threads(pool));
  run_tiles(pool, qs8_gemm_tile, &ctx, m, n, kernel->mr, nc);
}

void run_qs4_gemm(pthreadpool_t pool, const GemmSelection<Qs4GemmFn>& kernels, size_t m, size_t n,
                  size_t k, const int8_t* a, size_t a_stride, const void* packed_w, float* c,
                  size_t c_stride, const Qs4GemmParams& params) {
  const auto* kernel = m == 1 ? kernels.gemv : kernels.gemm;
  const size_t panel_bytes = qs4_gemm_panel_bytes(k, params.group_size);
  Qs4GemmContext ctx{kernel->fn, k, a, a_stride, static_cast<const char*>(packed_w),
                     panel_bytes, c, c_stride, &params};
  const size_t nc = channel_block(m, kernel->mr, n, panel_bytes, pool_threads(pool));
  run_tiles(pool, qs4_gemm_tile, &ctx, m, n, kernel->mr, nc);
}

}  // namespace mint
