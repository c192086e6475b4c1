// The depthwise convolution family's list and selection (kernels/dwconv.h).
#include "kernels/dwconv.h"

namespace mint {
namespace {

constexpr F32DwConvKernel kF32DwConv[] = {
#define MINT_KERNEL(isa, name, mr) {#name, Isa::isa, mr, name},
#include "kernels/f32_dwconv.inc"
#undef MINT_KERNEL
};

}  // namespace

KernelList<F32DwConvRowFn> f32_dwconv_kernels() {
  return {kF32DwConv, sizeof(kF32DwConv) / sizeof(kF32DwConv[0])};
}

const F32DwConvKernel* select_f32_dwconv(IsaMask mask) {
  mask |= isa_bit(Isa::kScalar);
  const F32DwConvKernel* best = nullptr;
  for (const auto& k : f32_dwconv_kernels()) {
    if ((mask & isa_bit(k.isa)) == 0) continue;
    if (best == nullptr || k.isa > best->isa) best = &k;
  }
  return best;
}

}  // namespace mint
