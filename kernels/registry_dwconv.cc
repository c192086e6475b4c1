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
  const KernelList<F32DwConvRowFn> list = f32_dwconv_kernels();
  return best_kernel_for(list.begin(), list.end(), mask);
}

}  // namespace mint
