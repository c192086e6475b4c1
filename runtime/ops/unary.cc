// Elementwise f32 ops of image and third-party models: the binary sub, div, pow, maximum and
// minimum (numpy broadcasting, through the add/mul operator of elementwise.cc) and the unary
// clip, hard_sigmoid, hard_swish, sqrt, exp, neg, abs, reciprocal. Kernels: kernels/unary.h.
#include "kernels/unary.h"

#include <cmath>

#include "runtime/ops/binary.h"
#include "runtime/ops/op_util.h"

namespace mint {
namespace {

constexpr size_t kTile = 4096;  // elements per task

#define MINT_BINARY_PREPARE(op_name, kernel)                                                 \
  Result<std::unique_ptr<Node>> prepare_##op_name(const OpView& op, const PrepareContext&) { \
    return make_broadcast_binary_node(op, kernel, #kernel);                                  \
  }
MINT_BINARY_PREPARE(sub, f32_sub_scalar)
MINT_BINARY_PREPARE(div, f32_div_scalar)
MINT_BINARY_PREPARE(pow, f32_pow_scalar)
MINT_BINARY_PREPARE(maximum, f32_maximum_scalar)
MINT_BINARY_PREPARE(minimum, f32_minimum_scalar)
#undef MINT_BINARY_PREPARE

Status validate_unary(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 1, 1, 1));
  MINT_RETURN_IF_ERROR(expect_all_plain_f32(op));
  MINT_RETURN_IF_ERROR(expect_output_shape(op, op.inputs[0]->shape));
  return expect_disjoint(op, true);
}

Status validate_clip(const OpView& op) {
  MINT_RETURN_IF_ERROR(validate_unary(op));
  Status st;
  const auto* o = options_as<plan::ClipOptions>(op, &st);
  if (!o) return st;
  if (std::isnan(o->min()) || std::isnan(o->max()) || !(o->min() <= o->max())) {
    return Status::invalid_plan("clip bounds [" + std::to_string(o->min()) + ", " +
                                std::to_string(o->max()) + "] must be ordered and not NaN");
  }
  return Status::ok();
}

Status validate_hard_sigmoid(const OpView& op) {
  MINT_RETURN_IF_ERROR(validate_unary(op));
  Status st;
  const auto* o = options_as<plan::HardSigmoidOptions>(op, &st);
  if (!o) return st;
  if (!std::isfinite(o->alpha()) || !std::isfinite(o->beta())) {
    return Status::invalid_plan("alpha " + std::to_string(o->alpha()) + " and beta " +
                                std::to_string(o->beta()) + " must be finite");
  }
  return Status::ok();
}

class Unary2Node final : public Node {
 public:
  Unary2Node(const OpView& op, F32Unary2Fn fn, const char* name, F32Unary2Params params)
      : fn_(fn),
        name_(name),
        params_(params),
        x_(op.input_ids[0]),
        y_(op.output_ids[0]),
        n_(static_cast<size_t>(op.inputs[0]->shape.elements())) {}

  Status run(const ExecContext& ctx) const override {
    const float* x = data_as<const float>(ctx, x_);
    float* y = data_as<float>(ctx, y_);
    parallel_tiles(ctx.pool, n_, kTile, n_,
                   [&](size_t start, size_t count) { fn_(count, x + start, y + start, &params_); });
    return Status::ok();
  }
  std::string kernel_name() const override { return name_; }

 private:
  F32Unary2Fn fn_;
  const char* name_;
  F32Unary2Params params_;
  int32_t x_, y_;
  size_t n_;
};

#define MINT_UNARY_PREPARE(op_name, kernel, params_expr)                                     \
  Result<std::unique_ptr<Node>> prepare_##op_name(const OpView& op, const PrepareContext&) { \
    return std::unique_ptr<Node>(new Unary2Node(op, kernel, #kernel, params_expr));          \
  }
MINT_UNARY_PREPARE(clip, f32_clip_scalar,
                   (F32Unary2Params{op.op->options_as_ClipOptions()->min(),
                                    op.op->options_as_ClipOptions()->max()}))
MINT_UNARY_PREPARE(hard_sigmoid, f32_hard_sigmoid_scalar,
                   (F32Unary2Params{op.op->options_as_HardSigmoidOptions()->alpha(),
                                    op.op->options_as_HardSigmoidOptions()->beta()}))
MINT_UNARY_PREPARE(hard_swish, f32_hard_swish_scalar, (F32Unary2Params{0.0f, 0.0f}))
MINT_UNARY_PREPARE(sqrt, f32_sqrt_scalar, (F32Unary2Params{0.0f, 0.0f}))
MINT_UNARY_PREPARE(exp, f32_exp_scalar, (F32Unary2Params{0.0f, 0.0f}))
MINT_UNARY_PREPARE(neg, f32_neg_scalar, (F32Unary2Params{0.0f, 0.0f}))
MINT_UNARY_PREPARE(abs, f32_abs_scalar, (F32Unary2Params{0.0f, 0.0f}))
MINT_UNARY_PREPARE(reciprocal, f32_reciprocal_scalar, (F32Unary2Params{0.0f, 0.0f}))
#undef MINT_UNARY_PREPARE

}  // namespace

extern const OpDefinition kSubOp{plan::OpCode::sub, "sub", validate_broadcast_binary, prepare_sub};
extern const OpDefinition kDivOp{plan::OpCode::div, "div", validate_broadcast_binary, prepare_div};
extern const OpDefinition kPowOp{plan::OpCode::pow, "pow", validate_broadcast_binary, prepare_pow};
extern const OpDefinition kMaximumOp{plan::OpCode::maximum, "maximum", validate_broadcast_binary,
                                     prepare_maximum};
extern const OpDefinition kMinimumOp{plan::OpCode::minimum, "minimum", validate_broadcast_binary,
                                     prepare_minimum};
extern const OpDefinition kClipOp{plan::OpCode::clip, "clip", validate_clip, prepare_clip};
extern const OpDefinition kHardSigmoidOp{plan::OpCode::hard_sigmoid, "hard_sigmoid",
                                         validate_hard_sigmoid, prepare_hard_sigmoid};
extern const OpDefinition kHardSwishOp{plan::OpCode::hard_swish, "hard_swish", validate_unary,
                                       prepare_hard_swish};
extern const OpDefinition kSqrtOp{plan::OpCode::sqrt, "sqrt", validate_unary, prepare_sqrt};
extern const OpDefinition kExpOp{plan::OpCode::exp, "exp", validate_unary, prepare_exp};
extern const OpDefinition kNegOp{plan::OpCode::neg, "neg", validate_unary, prepare_neg};
extern const OpDefinition kAbsOp{plan::OpCode::abs, "abs", validate_unary, prepare_abs};
extern const OpDefinition kReciprocalOp{plan::OpCode::reciprocal, "reciprocal", validate_unary,
                                        prepare_reciprocal};

}  // namespace mint
