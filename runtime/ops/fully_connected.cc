// fully_connected: y[.., n] = act(x[.., k] W^T + b), W prepacked [n, k] with the bias inside.
//
// Supported combinations (input, weight layout -> output):
//   f32, gemm_f32 (f32)  -> f32                      f32 GEMM
//   f32, gemm_f16 (f16)  -> f32                      f32 GEMM on f16 weights
//   f32, gemm_qs8 (i8)   -> f32                      dynamic quantization: each row of x is
//                                                    quantized to int8 (asymmetric, its own
//                                                    scale) into scratch, int8 GEMM, f32 out
//   i8 (per-tensor), gemm_qs8 (i8) -> i8 (per-tensor) or f32   static int8 GEMM
//   f32, gemm_qs4 (i4)   -> f32                      dynamic quantization: each row of x is
//                                                    quantized to int8 per group of G k
//                                                    (symmetric, kernels/qs4_gemm.h), int4 x
//                                                    int8 GEMM, f32 out
// The weight tensor carries per-channel quantization (axis 0) for gemm_qs8, per_group (axis 1,
// group size 32, 64 or 128) for gemm_qs4; its scales are also stored in the panels, where the
// kernels read them.
#include <algorithm>
#include <cmath>

#include "kernels/qs4_gemm.h"
#include "kernels/quantize.h"
#include "kernels/registry.h"
#include "runtime/ops/gemm_operator.h"
#include "runtime/ops/op.h"
#include "runtime/ops/op_util.h"

namespace mint {
namespace {

struct FcShape {
  size_t m, n, k;
};

FcShape fc_shape(const OpView& op) {
  const TensorDesc& x = *op.inputs[0];
  const TensorDesc& w = *op.inputs[1];
  const size_t k = static_cast<size_t>(w.shape[1]);
  return {static_cast<size_t>(x.shape.elements() / std::max<int64_t>(1, static_cast<int64_t>(k))),
          static_cast<size_t>(w.shape[0]), k};
}

Status validate_fully_connected(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 2, 2, 1));
  MINT_RETURN_IF_ERROR(expect_present(op, 0));
  MINT_RETURN_IF_ERROR(expect_present(op, 1));
  Status st;
  const auto* options = options_as<plan::FullyConnectedOptions>(op, &st);
  if (!options) return st;
  const TensorDesc& x = *op.inputs[0];
  const TensorDesc& w = *op.inputs[1];
  const TensorDesc& y = *op.outputs[0];
  if (w.storage != plan::Storage::constant) {
    return Status::invalid_plan("input 1 '" + w.name + "' (weights) must be a constant");
  }
  MINT_RETURN_IF_ERROR(expect_rank(w, "input", 1, 2));
  const size_t n = static_cast<size_t>(w.shape[0]), k = static_cast<size_t>(w.shape[1]);
  if (n == 0 || k == 0) return Status::invalid_plan("weights '" + w.name + "' are empty");
  if (x.shape.rank < 1 || x.shape[x.shape.rank - 1] != static_cast<int64_t>(k)) {
    return Status::invalid_plan("input 0 '" + x.name + "' has shape " + x.shape.to_string() +
                                ", want last dimension " + std::to_string(k));
  }
  Shape want = x.shape;
  want[want.rank - 1] = static_cast<int64_t>(n);
  MINT_RETURN_IF_ERROR(expect_same_shape(y, "output", 0, want));
  MINT_RETURN_IF_ERROR(expect_activation(options->activation()));
  MINT_RETURN_IF_ERROR(expect_disjoint(op, /*allow_in_place=*/false));

  size_t panel_bytes = 0;
  switch (w.layout) {
    case plan::Layout::gemm_f32:
      MINT_RETURN_IF_ERROR(expect_dtype(w, "input", 1, DType::f32));
      panel_bytes = f32_gemm_panel_bytes(k);
      break;
    case plan::Layout::gemm_f16:
      MINT_RETURN_IF_ERROR(expect_dtype(w, "input", 1, DType::f16));
      panel_bytes = f16w_gemm_panel_bytes(k);
      break;
    case plan::Layout::gemm_qs8:
      MINT_RETURN_IF_ERROR(expect_dtype(w, "input", 1, DType::i8));
      panel_bytes = qs8_gemm_panel_bytes(k);
      break;
    case plan::Layout::gemm_qs4: {
      MINT_RETURN_IF_ERROR(expect_dtype(w, "input", 1, DType::i4));
      const size_t gs = static_cast<size_t>(std::max(0, w.quant.group_size));
      if (w.quant.kind != plan::QuantKind::per_group || w.quant.axis != 1 ||
          !qs4_valid_group_size(gs)) {
        return Status::invalid_plan("input 1 '" + w.name +
                                    "' (gemm_qs4) needs per_group quantization on axis 1 with "
                                    "group size 32, 64 or 128");
      }
      if (x.dtype != DType::f32) {
        return Status::invalid_plan("input 0 '" + x.name + "' has dtype " + dtype_name(x.dtype) +
                                    ", want f32 for gemm_qs4 weights");
      }
      panel_bytes = qs4_gemm_panel_bytes(k, gs);
      break;
    }
    default:
      return Status::invalid_plan("input 1 '" + w.name + "' has layout " + layout_name(w.layout) +
                                  ", want gemm_f32, gemm_f16, gemm_qs8 or gemm_qs4");
  }
  if (w.byte_size != gemm_panel_count(n) * panel_bytes) {
    return Status::invalid_plan("input 1 '" + w.name + "' has " + std::to_string(w.byte_size) +
                                " bytes, want " + std::to_string(gemm_panel_count(n) * panel_bytes) +
                                " for packed [" + std::to_string(n) + "," + std::to_string(k) + "]");
  }
  if (x.dtype == DType::f32) {
    return expect_dtype(y, "output", 0, DType::f32);
  }
  if (x.dtype == DType::i8) {
    if (w.layout != plan::Layout::gemm_qs8) {
      return Status::invalid_plan("int8 input 0 '" + x.name + "' needs gemm_qs8 weights");
    }
    if (x.quant.kind != plan::QuantKind::per_tensor) {
      return Status::invalid_plan("int8 input 0 '" + x.name + "' needs per-tensor quantization");
    }
    if (y.dtype == DType::i8 && y.quant.kind != plan::QuantKind::per_tensor) {
      return Status::invalid_plan("int8 output 0 '" + y.name + "' needs per-tensor quantization");
    }
    if (y.dtype != DType::i8 && y.dtype != DType::f32) {
      return Status::invalid_plan("output 0 '" + y.name + "' has dtype " + dtype_name(y.dtype) +
                                  ", want i8 or f32");
    }
    return Status::ok();
  }
  return Status::invalid_plan("input 0 '" + x.name + "' has dtype " + dtype_name(x.dtype) +
                              ", want f32 or i8");
}

class FloatFcNode final : public Node {
 public:
  FloatFcNode(const OpView& op, GemmSelection<F32GemmFn> kernels, size_t panel_bytes)
      : kernels_(kernels), shape_(fc_shape(op)), panel_bytes_(panel_bytes),
        x_(op.input_ids[0]), w_(op.input_ids[1]), y_(op.output_ids[0]) {
    Status st;
    clamp_ = activation_clamp(options_as<plan::FullyConnectedOptions>(op, &st)->activation());
  }
  Status run(const ExecContext& ctx) const override {
    run_f32_gemm(ctx.pool, kernels_, shape_.m, shape_.n, shape_.k,
                 reinterpret_cast<const float*>(ctx.tensor_data[x_]), shape_.k,
                 ctx.tensor_data[w_], panel_bytes_, reinterpret_cast<float*>(ctx.tensor_data[y_]),
                 shape_.n, clamp_);
    return Status::ok();
  }
  std::string kernel_name() const override {
    return shape_.m == 1 ? kernels_.gemv->name : kernels_.gemm->name;
  }

 private:
  GemmSelection<F32GemmFn> kernels_;
  FcShape shape_;
  size_t panel_bytes_;
  int32_t x_, w_, y_;
  F32MinMaxParams clamp_;
};

// Dynamic (f32 in) or static (i8 in) int8 fully connected.
class Qs8FcNode final : public Node {
 public:
  Qs8FcNode(const OpView& op, GemmSelection<Qs8GemmFn> kernels, QuantizeRowsFn quantize)
      : kernels_(kernels), quantize_(quantize), shape_(fc_shape(op)),
        x_(op.input_ids[0]), w_(op.input_ids[1]), y_(op.output_ids[0]) {
    const TensorDesc& x = *op.inputs[0];
    const TensorDesc& y = *op.outputs[0];
    Status st;
    const auto act = options_as<plan::FullyConnectedOptions>(op, &st)->activation();
    dynamic_ = x.dtype == DType::f32;
    padded_k_ = round_up(shape_.k, kQs8KR);
    if (!dynamic_) static_quant_ = {x.quant.zero_point(), x.quant.scale()};
    params_.a_quant_stride = dynamic_ ? 1 : 0;
    if (y.dtype == DType::i8) {
      params_.output = Qs8Output::kQs8;
      const float out_scale = y.quant.scale();
      params_.out_inv_scale = 1.0f / out_scale;
      params_.out_zero_point = y.quant.zero_point();
      // Fused activations clamp in the quantized domain.
      const F32MinMaxParams clamp = activation_clamp(act);
      const auto quantize_bound = [&](float v) {
        if (std::isinf(v)) return v > 0 ? 127 : -128;
        return static_cast<int>(std::nearbyint(v / out_scale)) + params_.out_zero_point;
      };
      params_.out_min = static_cast<int8_t>(std::clamp(quantize_bound(clamp.min), -128, 127));
      params_.out_max = static_cast<int8_t>(std::clamp(quantize_bound(clamp.max), -128, 127));
    } else {
      params_.output = Qs8Output::kF32;
      const F32MinMaxParams clamp = activation_clamp(act);
      params_.f32_min = clamp.min;
      params_.f32_max = clamp.max;
    }
    // Static int8 rows whose length is not a multiple of 4 are copied into padded scratch,
    // since the kernels read round_up(k, 4) bytes per row.
    copy_rows_ = !dynamic_ && padded_k_ != shape_.k;
  }

  size_t scratch_bytes() const override {
    size_t bytes = 0;
    if (dynamic_ || copy_rows_) bytes += round_up(shape_.m * padded_k_, 64);
    if (dynamic_) bytes += shape_.m * sizeof(Qs8RowQuant);
    return bytes;
  }

  Status run(const ExecContext& ctx) const override {
    const int8_t* a = reinterpret_cast<const int8_t*>(ctx.tensor_data[x_]);
    size_t a_stride = shape_.k;
    Qs8GemmParams params = params_;
    params.a_quant = &static_quant_;
    if (dynamic_ || copy_rows_) {
      int8_t* rows = reinterpret_cast<int8_t*>(ctx.scratch);
      if (dynamic_) {
        auto* quant = reinterpret_cast<Qs8RowQuant*>(ctx.scratch + round_up(shape_.m * padded_k_, 64));
        quantize_(shape_.m, shape_.k, reinterpret_cast<const float*>(ctx.tensor_data[x_]),
                  shape_.k, rows, padded_k_, quant);
        params.a_quant = quant;
      } else {
        for (size_t i = 0; i < shape_.m; ++i) {
          std::copy(a + i * shape_.k, a + (i + 1) * shape_.k, rows + i * padded_k_);
          std::fill(rows + i * padded_k_ + shape_.k, rows + (i + 1) * padded_k_, int8_t{0});
        }
      }
      a = rows;
      a_stride = padded_k_;
    }
    const size_t out_elem = params.output == Qs8Output::kQs8 ? 1 : sizeof(float);
    run_qs8_gemm(ctx.pool, kernels_, shape_.m, shape_.n, shape_.k, a, a_stride,
                 ctx.tensor_data[w_], ctx.tensor_data[y_], shape_.n * out_elem, params);
    return Status::ok();
  }
  std::string kernel_name() const override {
    return shape_.m == 1 ? kernels_.gemv->name : kernels_.gemm->name;
  }

 private:
  GemmSelection<Qs8GemmFn> kernels_;
  QuantizeRowsFn quantize_;
  FcShape shape_;
  int32_t x_, w_, y_;
  bool dynamic_ = false;
  bool copy_rows_ = false;
  size_t padded_k_ = 0;
  Qs8RowQuant static_quant_{0, 1.0f};
  Qs8GemmParams params_{};
};

// f32 in, int4 group-wise weights: rows quantized per group into scratch, then the qs4 GEMM.
class Qs4FcNode final : public Node {
 public:
  Qs4FcNode(const OpView& op, GemmSelection<Qs4GemmFn> kernels, Qs4QuantizeRowsFn quantize)
      : kernels_(kernels), quantize_(quantize), shape_(fc_shape(op)),
        x_(op.input_ids[0]), w_(op.input_ids[1]), y_(op.output_ids[0]) {
    Status st;
    const F32MinMaxParams clamp =
        activation_clamp(options_as<plan::FullyConnectedOptions>(op, &st)->activation());
    params_.group_size = static_cast<size_t>(op.inputs[1]->quant.group_size);
    params_.min = clamp.min;
    params_.max = clamp.max;
    groups_ = qs4_group_count(shape_.k, params_.group_size);
    params_.a_quant_stride = groups_;
    padded_k_ = groups_ * params_.group_size;
  }
  size_t scratch_bytes() const override {
    return round_up(shape_.m * padded_k_, 64) + shape_.m * groups_ * sizeof(Qs4ActQuant);
  }
  Status run(const ExecContext& ctx) const override {
    auto* rows = reinterpret_cast<int8_t*>(ctx.scratch);
    auto* quant = reinterpret_cast<Qs4ActQuant*>(ctx.scratch + round_up(shape_.m * padded_k_, 64));
    quantize_(shape_.m, shape_.k, params_.group_size,
              reinterpret_cast<const float*>(ctx.tensor_data[x_]), shape_.k, rows, padded_k_, quant);
    Qs4GemmParams params = params_;
    params.a_quant = quant;
    run_qs4_gemm(ctx.pool, kernels_, shape_.m, shape_.n, shape_.k, rows, padded_k_,
                 ctx.tensor_data[w_], reinterpret_cast<float*>(ctx.tensor_data[y_]), shape_.n,
                 params);
    return Status::ok();
  }
  std::string kernel_name() const override {
    return shape_.m == 1 ? kernels_.gemv->name : kernels_.gemm->name;
  }

 private:
  GemmSelection<Qs4GemmFn> kernels_;
  Qs4QuantizeRowsFn quantize_;
  FcShape shape_;
  int32_t x_, w_, y_;
  size_t groups_ = 0, padded_k_ = 0;
  Qs4GemmParams params_{};
};

Result<std::unique_ptr<Node>> prepare_fully_connected(const OpView& op, const PrepareContext& ctx) {
  const TensorDesc& w = *op.inputs[1];
  const size_t k = static_cast<size_t>(w.shape[1]);
  switch (w.layout) {
    case plan::Layout::gemm_f32:
      return std::unique_ptr<Node>(
          new FloatFcNode(op, select_f32_gemm(ctx.isa), f32_gemm_panel_bytes(k)));
    case plan::Layout::gemm_f16:
      return std::unique_ptr<Node>(
          new FloatFcNode(op, select_f16w_gemm(ctx.isa), f16w_gemm_panel_bytes(k)));
    case plan::Layout::gemm_qs4:
      return std::unique_ptr<Node>(
          new Qs4FcNode(op, select_qs4_gemm(ctx.isa), select_qs4_quantize_rows(ctx.isa)));
    default:
      return std::unique_ptr<Node>(
          new Qs8FcNode(op, select_qs8_gemm(ctx.isa), select_quantize_rows(ctx.isa)));
  }
}

}  // namespace

extern const OpDefinition kFullyConnectedOp{plan::OpCode::fully_connected, "fully_connected",
                                            validate_fully_connected, prepare_fully_connected};

}  // namespace mint
