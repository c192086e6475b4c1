// GEMM operators: tile C = A * W over a thread pool and call one kernel per tile.
//
// The kernels (kernels/gemm.h) are single-threaded and compute at most MR rows per call; these
// functions split the output into tiles of MR rows by `nc` channels (a multiple of the panel
// width 16) and run the tiles with pthreadpool_parallelize_2d_tile_2d. The outer dimension is
// the channel block, so a thread walks consecutive row tiles of one channel block and reuses
// that block of weights from L2 (the block is sized to about 512 KiB of packed weights, and
// narrowed when there are too few row tiles to keep every thread busy).
//
// m == 1 uses the selection's GEMV kernel. A GEMV has no weight reuse, so its blocks only
// balance the threads: one block (one call, one sequential weight stream) on a single thread,
// a few blocks per thread otherwise. With a single thread, or a single tile, the tiles run in a
// plain loop on the calling thread.
//
// GEMMs of fewer than kMinParallelGemmMacs multiply-adds (m * n * k) run on the calling thread
// whatever the pool: a few microseconds of work, less than waking the pool's threads costs.
//
// f16-weight GEMMs use run_f32_gemm with a select_f16w_gemm() selection and
// panel_bytes = f16w_gemm_panel_bytes(k).
//
// No validation here: the caller (an op's prepare step, or a benchmark) has checked shapes and
// buffer sizes. `pool` may be null (run on the calling thread).
#pragma once

#include <pthreadpool.h>

#include <cstddef>

#include "kernels/registry.h"

namespace mint {

constexpr size_t kMinParallelGemmMacs = size_t{1} << 17;

// Channel-block width (channels, a multiple of 16) for a GEMM of this shape on `threads`
// threads, for a kernel of up to 8 rows (1 when m == 1): keeps a block of weights within about
// 512 KiB and gives every thread several tiles. The run_* functions use the same rule with the
// selected kernel's MR. panel_bytes: bytes of one packed 16-channel panel.
size_t gemm_channel_block(size_t m, size_t n, size_t panel_bytes, size_t threads);

void run_f32_gemm(pthreadpool_t pool, const GemmSelection<F32GemmFn>& kernels, size_t m, size_t n,
                  size_t k, const float* a, size_t a_stride, const void* packed_w,
                  size_t panel_bytes, float* c, size_t c_stride, const F32MinMaxParams& params);

void run_qs8_gemm(pthreadpool_t pool, const GemmSelection<Qs8GemmFn>& kernels, size_t m, size_t n,
                  size_t k, const int8_t* a, size_t a_stride, const void* packed_w, void* c,
                  size_t c_stride_bytes, const Qs8GemmParams& params);

// int4 group-wise weights (kernels/qs4_gemm.h); params.a_quant covers the m rows
// (params.a_quant_stride groups per row) and is advanced per row tile.
void run_qs4_gemm(pthreadpool_t pool, const GemmSelection<Qs4GemmFn>& kernels, size_t m, size_t n,
                  size_t k, const int8_t* a, size_t a_stride, const void* packed_w, float* c,
                  size_t c_stride, const Qs4GemmParams& params);

}  // namespace mint
