// Template parts of runtime/ops/op.h.
#pragma once

namespace mint {

namespace detail {
template <typename T> struct OptionsTag;
#define MINT_OPTIONS_TAG(T) \
  template <> struct OptionsTag<plan::T> { static constexpr plan::OpOptions value = plan::OpOptions::T; };
MINT_OPTIONS_TAG(FullyConnectedOptions)
MINT_OPTIONS_TAG(MatMulOptions)
MINT_OPTIONS_TAG(Conv2DOptions)
MINT_OPTIONS_TAG(TransposedConv2DOptions)
MINT_OPTIONS_TAG(LeakyReluOptions)
MINT_OPTIONS_TAG(GeluOptions)
MINT_OPTIONS_TAG(SoftmaxOptions)
MINT_OPTIONS_TAG(NormOptions)
MINT_OPTIONS_TAG(ReshapeOptions)
MINT_OPTIONS_TAG(TransposeOptions)
MINT_OPTIONS_TAG(ConcatOptions)
// onnx-ops branch
MINT_OPTIONS_TAG(ClipOptions)
MINT_OPTIONS_TAG(HardSigmoidOptions)
MINT_OPTIONS_TAG(Pool2DOptions)
MINT_OPTIONS_TAG(ResizeOptions)
MINT_OPTIONS_TAG(PadOptions)
MINT_OPTIONS_TAG(ReduceOptions)
MINT_OPTIONS_TAG(SliceOptions)
MINT_OPTIONS_TAG(RopeOptions)
MINT_OPTIONS_TAG(AttentionOptions)
#undef MINT_OPTIONS_TAG
}  // namespace detail

template <typename T>
const T* options_as(const OpView& op, Status* status) {
  if (op.op->options_type() != detail::OptionsTag<T>::value || op.op->options() == nullptr) {
    *status = Status::invalid_plan(std::string("options must be ") +
                                   plan::EnumNameOpOptions(detail::OptionsTag<T>::value) +
                                   ", got " + plan::EnumNameOpOptions(op.op->options_type()));
    return nullptr;
  }
  return static_cast<const T*>(op.op->options());
}

}  // namespace mint
