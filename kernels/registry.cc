#include "kernels/registry.h"

namespace mint {
namespace {

constexpr F32GemmKernel kF32Gemm[] = {
#define MINT_KERNEL(isa, name, mr) {#name, Isa::isa, mr, name},
#include "kernels/f32_gemm.inc"
#undef MINT_KERNEL
};
constexpr F32GemmKernel kF16wGemm[] = {
#define MINT_KERNEL(isa, name, mr) {#name, Isa::isa, mr, name},
#include "kernels/f16w_gemm.inc"
#undef MINT_KERNEL
};
constexpr Qs8GemmKernel kQs8Gemm[] = {
#define MINT_KERNEL(isa, name, mr) {#name, Isa::isa, mr, name},
#include "kernels/qs8_gemm.inc"
#undef MINT_KERNEL
};
constexpr Qs4GemmKernel kQs4Gemm[] = {
#define MINT_KERNEL(isa, name, mr) {#name, Isa::isa, mr, name},
#include "kernels/qs4_gemm.inc"
#undef MINT_KERNEL
};

// Best kernel among those whose ISA is in `mask` and whose shape fits (MR == 1 for GEMV,
// MR > 1 for GEMM): the highest ISA, then the smallest (GEMV) or largest (GEMM) MR. The scalar
// kernels have both shapes, so there is always an answer.
template <typename Fn>
const KernelInfo<Fn>* pick(KernelList<Fn> list, IsaMask mask, bool want_gemv) {
  const KernelInfo<Fn>* best = nullptr;
  for (const auto& k : list) {
    if ((mask & isa_bit(k.isa)) == 0 || (k.mr == 1) != want_gemv) continue;
    if (best == nullptr || k.isa > best->isa || (k.isa == best->isa && k.mr > best->mr)) best = &k;
  }
  return best;
}

template <typename Fn>
GemmSelection<Fn> select(KernelList<Fn> list, IsaMask mask) {
  mask |= isa_bit(Isa::kScalar);
  return {pick(list, mask, false), pick(list, mask, true)};
}

}  // namespace

KernelList<F32GemmFn> f32_gemm_kernels() { return {kF32Gemm, sizeof(kF32Gemm) / sizeof(kF32Gemm[0])}; }
KernelList<F32GemmFn> f16w_gemm_kernels() { return {kF16wGemm, sizeof(kF16wGemm) / sizeof(kF16wGemm[0])}; }
KernelList<Qs8GemmFn> qs8_gemm_kernels() { return {kQs8Gemm, sizeof(kQs8Gemm) / sizeof(kQs8Gemm[0])}; }

KernelList<Qs4GemmFn> qs4_gemm_kernels() { return {kQs4Gemm, sizeof(kQs4Gemm) / sizeof(kQs4Gemm[0])}; }

GemmSelection<F32GemmFn> select_f32_gemm(IsaMask mask) { return select(f32_gemm_kernels(), mask); }
GemmSelection<F32GemmFn> select_f16w_gemm(IsaMask mask) { return select(f16w_gemm_kernels(), mask); }
GemmSelection<Qs8GemmFn> select_qs8_gemm(IsaMask mask) { return select(qs8_gemm_kernels(), mask); }
GemmSelection<Qs4GemmFn> select_qs4_gemm(IsaMask mask) { return select(qs4_gemm_kernels(), mask); }

}  // namespace mint
