// Kernel families and load-time kernel selection.
//
// Each family has one list, kernels/<family>.inc, with a line per kernel:
//     MINT_KERNEL(<Isa enumerator>, <function name>, <MR>)
// That list drives the declarations below, the selection, the tests (tests/gemm_kernel_test.cc
// iterates it and compares every kernel the CPU has with the scalar reference) and the
// benchmarks. Adding a kernel is one line there plus its source file in its ISA folder.
//
// Selection happens once, when a model or session is loaded (runtime/ops/), never in the hot
// loop: select_*() returns the kernels of the best ISA in `mask` (the hardware mask,
// possibly narrowed by the user), with the widest-MR kernel for GEMM and the MR = 1 kernel
// for GEMV (m == 1), each falling back to lower ISAs if the best one lacks that shape.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/gemm.h"
#include "kernels/isa.h"
#include "kernels/qs4_gemm.h"

#if defined(__x86_64__) || defined(_M_X64)
#define MINT_ARCH_X86 1
#else
#define MINT_ARCH_X86 0
#endif
#if defined(__aarch64__)
#define MINT_ARCH_ARM 1
#else
#define MINT_ARCH_ARM 0
#endif

namespace mint {

#define MINT_KERNEL(isa, name, mr)                                                      \
  void name(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const void* w, \
            float* c, size_t c_stride, const F32MinMaxParams* params);
#include "kernels/f32_gemm.inc"
#include "kernels/f16w_gemm.inc"
#undef MINT_KERNEL

#define MINT_KERNEL(isa, name, mr)                                                        \
  void name(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride, const void* w, \
            void* c, size_t c_stride_bytes, const Qs8GemmParams* params);
#include "kernels/qs8_gemm.inc"
#undef MINT_KERNEL

#define MINT_KERNEL(isa, name, mr)                                                        \
  void name(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride, const void* w, \
            float* c, size_t c_stride, const Qs4GemmParams* params);
#include "kernels/qs4_gemm.inc"
#undef MINT_KERNEL

template <typename Fn>
struct KernelInfo {
  const char* name;
  Isa isa;
  uint32_t mr;
  Fn fn;
};

template <typename Fn>
struct KernelList {
  const KernelInfo<Fn>* items;
  size_t size;
  const KernelInfo<Fn>* begin() const { return items; }
  const KernelInfo<Fn>* end() const { return items + size; }
};

using F32GemmKernel = KernelInfo<F32GemmFn>;
using Qs8GemmKernel = KernelInfo<Qs8GemmFn>;
using Qs4GemmKernel = KernelInfo<Qs4GemmFn>;

KernelList<F32GemmFn> f32_gemm_kernels();   // f32 weights
KernelList<F32GemmFn> f16w_gemm_kernels();  // f16 weights, f32 activations
KernelList<Qs8GemmFn> qs8_gemm_kernels();   // int8 weights and activations
KernelList<Qs4GemmFn> qs4_gemm_kernels();   // int4 group-wise weights, int8 activations

template <typename Fn>
struct GemmSelection {
  const KernelInfo<Fn>* gemm;  // for m > 1; never null (the scalar kernel is always there)
  const KernelInfo<Fn>* gemv;  // for m == 1; never null
};

GemmSelection<F32GemmFn> select_f32_gemm(IsaMask mask);
GemmSelection<F32GemmFn> select_f16w_gemm(IsaMask mask);
GemmSelection<Qs8GemmFn> select_qs8_gemm(IsaMask mask);
GemmSelection<Qs4GemmFn> select_qs4_gemm(IsaMask mask);

}  // namespace mint
