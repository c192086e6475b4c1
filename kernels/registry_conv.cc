// The lists and selection of the col2im family (kernels/conv.h, list kernels/col2im.inc) and
// of the qs8 quantize family (kernels/elementwise.h, list kernels/qs8_quantize.inc).
#include "kernels/conv.h"
#include "kernels/elementwise.h"

#include <iterator>

namespace mint {
namespace {

constexpr Col2ImKernel kCol2Im[] = {
#define MINT_KERNEL(isa, suffix) {#suffix, Isa::isa, f32_col2im_row_##suffix, qs8_col2im_row_##suffix},
#include "kernels/col2im.inc"
#undef MINT_KERNEL
};

constexpr Qs8QuantizeKernel kQs8Quantize[] = {
#define MINT_KERNEL(isa, name) {#name, Isa::isa, name},
#include "kernels/qs8_quantize.inc"
#undef MINT_KERNEL
};

}  // namespace

const Col2ImKernel* col2im_kernels(size_t* count) {
  *count = sizeof(kCol2Im) / sizeof(kCol2Im[0]);
  return kCol2Im;
}

const Col2ImKernel* select_col2im(IsaMask mask) {
  return best_kernel_for(std::begin(kCol2Im), std::end(kCol2Im), mask);
}

const Qs8QuantizeKernel* qs8_quantize_kernels(size_t* count) {
  *count = sizeof(kQs8Quantize) / sizeof(kQs8Quantize[0]);
  return kQs8Quantize;
}

const Qs8QuantizeKernel* select_qs8_quantize(IsaMask mask) {
  return best_kernel_for(std::begin(kQs8Quantize), std::end(kQs8Quantize), mask);
}

}  // namespace mint
