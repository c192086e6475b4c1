#include "runtime/ops/op_util.h"

#include <algorithm>

namespace mint {

Status expect_constant(const OpView& op, size_t i) {
  MINT_RETURN_IF_ERROR(expect_present(op, i));
  const TensorDesc& t = *op.inputs[i];
  if (t.storage != plan::Storage::constant) {
    return Status::invalid_plan(tensor_ref("input", i, t) + " must be a constant, is " +
                                storage_name(t.storage));
  }
  return Status::ok();
}

Status expect_plain(const TensorDesc& t, const char* role, size_t i, DType dtype) {
  MINT_RETURN_IF_ERROR(expect_dtype(t, role, i, dtype));
  return expect_layout(t, role, i, plan::Layout::plain);
}

Status expect_all_plain_f32(const OpView& op) {
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    MINT_RETURN_IF_ERROR(expect_present(op, i));
    MINT_RETURN_IF_ERROR(expect_plain(*op.inputs[i], "input", i, DType::f32));
  }
  for (size_t i = 0; i < op.outputs.size(); ++i) {
    MINT_RETURN_IF_ERROR(expect_plain(*op.outputs[i], "output", i, DType::f32));
  }
  return Status::ok();
}

Status expect_activation(plan::Activation act) {
  switch (act) {
    case plan::Activation::none:
    case plan::Activation::relu:
    case plan::Activation::relu6:
      return Status::ok();
  }
  return Status::invalid_plan("activation " + std::to_string(static_cast<int>(act)) +
                              " is unknown, want none, relu or relu6");
}

Status expect_per_tensor_i8(const TensorDesc& t, const char* role, size_t i) {
  if (t.quant.kind != plan::QuantKind::per_tensor || t.quant.count != 1 ||
      t.quant.scales == nullptr) {
    return Status::invalid_plan(tensor_ref(role, i, t) + " needs per-tensor quantization");
  }
  const float scale = t.quant.scale();
  if (!(scale > 0.0f) || !std::isfinite(scale)) {
    return Status::invalid_plan(tensor_ref(role, i, t) + " has scale " + std::to_string(scale) +
                                ", want finite and > 0");
  }
  const int32_t zp = t.quant.zero_point();
  if (zp < -128 || zp > 127) {
    return Status::invalid_plan(tensor_ref(role, i, t) + " has zero point " + std::to_string(zp) +
                                ", want [-128, 127]");
  }
  return Status::ok();
}

Status expect_same_encoding(const TensorDesc& t, const char* role, size_t i,
                            const TensorDesc& ref) {
  MINT_RETURN_IF_ERROR(expect_dtype(t, role, i, ref.dtype));
  if (t.dtype != DType::i8 && t.dtype != DType::u8) return Status::ok();
  const bool same =
      t.quant.kind == ref.quant.kind && t.quant.count == ref.quant.count &&
      (t.quant.kind == plan::QuantKind::none ||
       (t.quant.kind == plan::QuantKind::per_tensor && t.quant.count == 1 &&
        t.quant.scale() == ref.quant.scale() && t.quant.zero_point() == ref.quant.zero_point()));
  if (!same) {
    return Status::invalid_plan(tensor_ref(role, i, t) + " has a quantization different from '" +
                                ref.name + "' (data movement does not requantize)");
  }
  return Status::ok();
}

namespace {
// Which writable region a tensor lives in: 0 arena (inputs, outputs, intermediates), 1 state,
// -1 none (constants).
int region_of(const TensorDesc& t) {
  switch (t.storage) {
    case plan::Storage::arena:
    case plan::Storage::input:
    case plan::Storage::output:
      return 0;
    case plan::Storage::state:
      return 1;
    default:
      return -1;
  }
}
bool overlap(const TensorDesc& a, const TensorDesc& b) {
  const int ra = region_of(a);
  if (ra < 0 || ra != region_of(b) || a.byte_size == 0 || b.byte_size == 0) return false;
  return a.offset < b.offset + b.byte_size && b.offset < a.offset + a.byte_size;
}
}  // namespace

Status expect_disjoint(const OpView& op, bool allow_in_place) {
  for (size_t j = 0; j < op.outputs.size(); ++j) {
    const TensorDesc& y = *op.outputs[j];
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      if (op.inputs[i] == nullptr || !overlap(y, *op.inputs[i])) continue;
      const TensorDesc& x = *op.inputs[i];
      if (allow_in_place && x.offset == y.offset && x.byte_size == y.byte_size) continue;
      return Status::invalid_plan(tensor_ref("output", j, y) + " overlaps " +
                                  tensor_ref("input", i, x) +
                                  (allow_in_place ? " (only exact in-place use is allowed)" : ""));
    }
    for (size_t k = 0; k < j; ++k) {
      if (overlap(y, *op.outputs[k])) {
        return Status::invalid_plan(tensor_ref("output", j, y) + " overlaps " +
                                    tensor_ref("output", k, *op.outputs[k]));
      }
    }
  }
  return Status::ok();
}

bool is_byte_addressable(DType dtype) {
  switch (dtype) {
    case DType::f32:
    case DType::f16:
    case DType::bf16:
    case DType::i8:
    case DType::u8:
    case DType::i32:
      return true;
    default:
      return false;
  }
}

Status expect_static_qs8_io(const OpView& op) {
  const TensorDesc& x = *op.inputs[0];
  const TensorDesc& y = *op.outputs[0];
  MINT_RETURN_IF_ERROR(expect_plain(x, "input", 0, DType::i8));
  MINT_RETURN_IF_ERROR(expect_per_tensor_i8(x, "input", 0));
  if (y.dtype == DType::i8) {
    MINT_RETURN_IF_ERROR(expect_plain(y, "output", 0, DType::i8));
    return expect_per_tensor_i8(y, "output", 0);
  }
  return expect_plain(y, "output", 0, DType::f32);
}

Qs8GemmParams static_qs8_params(const TensorDesc& y, plan::Activation act) {
  Qs8GemmParams params{};
  params.a_quant_stride = 0;
  const F32MinMaxParams clamp = activation_clamp(act);
  if (y.dtype == DType::i8) {
    params.output = Qs8Output::kQs8;
    const float out_scale = y.quant.scale();
    params.out_inv_scale = 1.0f / out_scale;
    params.out_zero_point = y.quant.zero_point();
    const auto quantize_bound = [&](float v) {
      if (std::isinf(v)) return v > 0 ? 127 : -128;
      return static_cast<int>(std::nearbyint(v / out_scale)) + params.out_zero_point;
    };
    params.out_min = static_cast<int8_t>(std::clamp(quantize_bound(clamp.min), -128, 127));
    params.out_max = static_cast<int8_t>(std::clamp(quantize_bound(clamp.max), -128, 127));
  } else {
    params.output = Qs8Output::kF32;
    params.f32_min = clamp.min;
    params.f32_max = clamp.max;
  }
  return params;
}

}  // namespace mint
