// layer_norm and rms_norm over the last axis. Kernels: kernels/normalization.h.
//   layer_norm: inputs (x, gamma [d], beta [d] or absent), NormOptions (epsilon, axis -1)
//   rms_norm:   inputs (x, gamma [d]),                     NormOptions
// gamma and beta are f32 tensors of shape [d] (constants in practice, but any storage works).
#include "kernels/normalization.h"

#include <algorithm>
#include <string>
#include <utility>

#include "runtime/ops/op_util.h"
#include "runtime/ops/shapes.h"

namespace mint {
namespace {

Status validate_norm(const OpView& op, size_t max_inputs) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 2, max_inputs, 1));
  MINT_RETURN_IF_ERROR(expect_present(op, 0));
  MINT_RETURN_IF_ERROR(expect_present(op, 1));
  Status st;
  const auto* o = options_as<plan::NormOptions>(op, &st);
  if (!o) return st;
  const TensorDesc& x = *op.inputs[0];
  MINT_RETURN_IF_ERROR(expect_plain(x, "input", 0, DType::f32));
  Result<int64_t> d = norm_axis_size(x.shape, o->axis(), o->epsilon());
  if (!d.is_ok()) return about("input", 0, x, d.status());
  if (d.value() < 1)
    return Status::invalid_plan(tensor_ref("input", 0, x) + " has an empty last axis");
  Shape vec;
  vec.rank = 1;
  vec[0] = d.value();
  for (size_t i = 1; i < op.inputs.size(); ++i) {
    if (op.inputs[i] == nullptr) continue;  // only beta (i == 2) can reach here absent
    MINT_RETURN_IF_ERROR(expect_plain(*op.inputs[i], "input", i, DType::f32));
    MINT_RETURN_IF_ERROR(expect_same_shape(*op.inputs[i], "input", i, vec));
  }
  MINT_RETURN_IF_ERROR(expect_plain(*op.outputs[0], "output", 0, DType::f32));
  MINT_RETURN_IF_ERROR(expect_output_shape(op, x.shape));
  return expect_disjoint(op, true);
}

Status validate_layer_norm(const OpView& op) { return validate_norm(op, 3); }
Status validate_rms_norm(const OpView& op) { return validate_norm(op, 2); }

class NormNode final : public Node {
 public:
  NormNode(const OpView& op, F32LayerNormFn layer_norm, F32RmsNormFn rms_norm, std::string name)
      : layer_norm_(layer_norm),
        rms_norm_(rms_norm),
        name_(std::move(name)),
        x_(op.input_ids[0]),
        gamma_(op.input_ids[1]),
        beta_(op.input_ids.size() > 2 ? op.input_ids[2] : -1),
        y_(op.output_ids[0]),
        epsilon_(op.op->options_as_NormOptions()->epsilon()) {
    const Shape& s = op.inputs[0]->shape;
    d_ = static_cast<size_t>(s[s.rank - 1]);
    rows_ = static_cast<size_t>(s.product(0, s.rank - 1));
  }

  Status run(const ExecContext& ctx) const override {
    const float* x = data_as<const float>(ctx, x_);
    const float* gamma = data_as<const float>(ctx, gamma_);
    const float* beta = beta_ >= 0 ? data_as<const float>(ctx, beta_) : nullptr;
    float* y = data_as<float>(ctx, y_);
    const size_t tile = std::max<size_t>(1, 8192 / d_);
    parallel_tiles(ctx.pool, rows_, tile, rows_ * d_, [&](size_t start, size_t count) {
      if (rms_norm_) {
        rms_norm_(count, d_, x + start * d_, gamma, epsilon_, y + start * d_);
      } else {
        layer_norm_(count, d_, x + start * d_, gamma, beta, epsilon_, y + start * d_);
      }
    });
    return Status::ok();
  }
  std::string kernel_name() const override { return name_; }

 private:
  F32LayerNormFn layer_norm_;  // exactly one of the two is set
  F32RmsNormFn rms_norm_;
  std::string name_;
  int32_t x_, gamma_, beta_, y_;
  float epsilon_;
  size_t d_ = 1, rows_ = 0;
};

// The best variant the session allows (kernels/normalization.inc), chosen here once.
Result<std::unique_ptr<Node>> prepare_layer_norm(const OpView& op, const PrepareContext& ctx) {
  const NormKernel* k = select_norm(ctx.isa);
  return std::unique_ptr<Node>(
      new NormNode(op, k->layer_norm, nullptr, std::string("f32_layer_norm_") + k->name));
}
Result<std::unique_ptr<Node>> prepare_rms_norm(const OpView& op, const PrepareContext& ctx) {
  const NormKernel* k = select_norm(ctx.isa);
  return std::unique_ptr<Node>(
      new NormNode(op, nullptr, k->rms_norm, std::string("f32_rms_norm_") + k->name));
}

}  // namespace

extern const OpDefinition kLayerNormOp{plan::OpCode::layer_norm, "layer_norm", validate_layer_norm,
                                       prepare_layer_norm};
extern const OpDefinition kRmsNormOp{plan::OpCode::rms_norm, "rms_norm", validate_rms_norm,
                                     prepare_rms_norm};

}  // namespace mint
