// The list and selection of the attention-head family (kernels/attention.h, list
// kernels/attention.inc).
#include <iterator>

#include "kernels/attention.h"

namespace mint {
namespace {

constexpr AttentionHeadKernel kAttentionHead[] = {
#define MINT_KERNEL(isa, suffix)      \
  {#suffix,                           \
   Isa::isa,                          \
   f32_attention_head_f32kv_##suffix, \
   f32_attention_head_f16kv_##suffix, \
   f32_attention_head_qs8kv_##suffix, \
   f32_attention_rows_f32kv_##suffix, \
   f32_attention_rows_f16kv_##suffix, \
   f32_attention_rows_qs8kv_##suffix},
#include "kernels/attention.inc"
#undef MINT_KERNEL
};

}  // namespace

const AttentionHeadKernel* attention_head_kernels(size_t* count) {
  *count = sizeof(kAttentionHead) / sizeof(kAttentionHead[0]);
  return kAttentionHead;
}

const AttentionHeadKernel* select_attention_head(IsaMask mask) {
  return best_kernel_for(std::begin(kAttentionHead), std::end(kAttentionHead), mask);
}

}  // namespace mint
