// The lists and selection of the f32 activation family (kernels/elementwise.h, list
// kernels/activation.inc) and of the dynamic row quantization (kernels/quantize.h, list
// kernels/quantize_rows.inc) and of the normalization family (kernels/normalization.h, list
// kernels/normalization.inc).
#include <iterator>

#include "kernels/elementwise.h"
#include "kernels/normalization.h"
#include "kernels/quantize.h"

namespace mint {
namespace {

constexpr F32ActivationKernel kActivation[] = {
#define MINT_KERNEL(isa, suffix)              \
  {#suffix,           Isa::isa,               \
   f32_tanh_##suffix, f32_sigmoid_##suffix,   \
   f32_gelu_##suffix, f32_gelu_tanh_##suffix, \
   f32_silu_##suffix},
#include "kernels/activation.inc"
#undef MINT_KERNEL
};

constexpr NormKernel kNorm[] = {
#define MINT_KERNEL(isa, suffix) \
  {#suffix, Isa::isa, f32_layer_norm_##suffix, f32_rms_norm_##suffix},
#include "kernels/normalization.inc"
#undef MINT_KERNEL
};

constexpr QuantizeRowsKernel kQuantizeRows[] = {
#define MINT_KERNEL(isa, suffix) {#suffix, Isa::isa, qs8_quantize_rows_##suffix},
#include "kernels/quantize_rows.inc"
#undef MINT_KERNEL
};

}  // namespace

const F32ActivationKernel* f32_activation_kernels(size_t* count) {
  *count = sizeof(kActivation) / sizeof(kActivation[0]);
  return kActivation;
}

const F32ActivationKernel* select_f32_activation(IsaMask mask) {
  return best_kernel_for(std::begin(kActivation), std::end(kActivation), mask);
}

const QuantizeRowsKernel* quantize_rows_kernels(size_t* count) {
  *count = sizeof(kQuantizeRows) / sizeof(kQuantizeRows[0]);
  return kQuantizeRows;
}

QuantizeRowsFn select_quantize_rows(IsaMask mask) {
  return best_kernel_for(std::begin(kQuantizeRows), std::end(kQuantizeRows), mask)->fn;
}

const NormKernel* norm_kernels(size_t* count) {
  *count = sizeof(kNorm) / sizeof(kNorm[0]);
  return kNorm;
}

const NormKernel* select_norm(IsaMask mask) {
  return best_kernel_for(std::begin(kNorm), std::end(kNorm), mask);
}

}  // namespace mint
