// Elementwise f32 ops: add and mul (numpy broadcasting), relu, leaky_relu, tanh, sigmoid, gelu,
// silu, and softmax along one axis. Kernels: kernels/elementwise.h.
#include "kernels/elementwise.h"

#include <algorithm>
#include <string>
#include <utility>

#include "runtime/ops/binary.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/shapes.h"

namespace mint {
namespace {

constexpr size_t kTile = 4096;  // elements per task

// ---- add, mul --------------------------------------------------------------------------------

Status validate_binary(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 2, 2, 1));
  MINT_RETURN_IF_ERROR(expect_all_plain_f32(op));
  Result<Shape> out = broadcast_shape(op.inputs[0]->shape, op.inputs[1]->shape);
  if (!out.is_ok()) {
    return out.status().with_context("inputs 0 '" + op.inputs[0]->name + "' and 1 '" +
                                     op.inputs[1]->name + "'");
  }
  MINT_RETURN_IF_ERROR(expect_output_shape(op, out.value()));
  return expect_disjoint(op, true);
}

// A broadcast binary op reduced to rows: the output is `rows` contiguous rows of `inner`
// values; row r reads a and b at the offsets given by its outer index, then steps through
// `inner` values with increments a_inc / b_inc (0 for a broadcast operand).
struct BroadcastPlan {
  size_t outer_rank = 0;
  size_t outer_dims[kMaxRank] = {};
  size_t a_strides[kMaxRank] = {};
  size_t b_strides[kMaxRank] = {};
  size_t rows = 1, inner = 1, a_inc = 0, b_inc = 0;
};

BroadcastPlan plan_broadcast(const Shape& a, const Shape& b, const Shape& out) {
  struct Dim {
    size_t size;
    bool a_bc, b_bc;
  };
  Dim dims[kMaxRank];
  size_t count = 0;
  const size_t r = out.rank;
  for (size_t i = 0; i < r; ++i) {
    if (out[i] == 1) continue;
    const int64_t da = i + a.rank >= r ? a[i + a.rank - r] : 1;
    const int64_t db = i + b.rank >= r ? b[i + b.rank - r] : 1;
    const Dim d{static_cast<size_t>(out[i]), da == 1, db == 1};
    // Adjacent dimensions broadcast the same way merge into one.
    if (count > 0 && dims[count - 1].a_bc == d.a_bc && dims[count - 1].b_bc == d.b_bc) {
      dims[count - 1].size *= d.size;
    } else {
      dims[count++] = d;
    }
  }
  if (count == 0) dims[count++] = {1, true, true};
  size_t sa[kMaxRank], sb[kMaxRank];
  size_t ra = 1, rb = 1;
  for (size_t j = count; j-- > 0;) {
    sa[j] = dims[j].a_bc ? 0 : ra;
    sb[j] = dims[j].b_bc ? 0 : rb;
    if (!dims[j].a_bc) ra *= dims[j].size;
    if (!dims[j].b_bc) rb *= dims[j].size;
  }
  BroadcastPlan p;
  p.outer_rank = count - 1;
  for (size_t j = 0; j + 1 < count; ++j) {
    p.outer_dims[j] = dims[j].size;
    p.a_strides[j] = sa[j];
    p.b_strides[j] = sb[j];
    p.rows *= dims[j].size;
  }
  p.inner = dims[count - 1].size;
  p.a_inc = sa[count - 1];
  p.b_inc = sb[count - 1];
  return p;
}

class BinaryNode final : public Node {
 public:
  BinaryNode(const OpView& op, F32BinaryFn fn, const char* name)
      : fn_(fn),
        name_(name),
        a_(op.input_ids[0]),
        b_(op.input_ids[1]),
        y_(op.output_ids[0]),
        plan_(plan_broadcast(op.inputs[0]->shape, op.inputs[1]->shape, op.outputs[0]->shape)),
        total_(static_cast<size_t>(op.outputs[0]->shape.elements())) {}

  Status run(const ExecContext& ctx) const override {
    if (total_ == 0) return Status::ok();
    const float* a = data_as<const float>(ctx, a_);
    const float* b = data_as<const float>(ctx, b_);
    float* y = data_as<float>(ctx, y_);
    const BroadcastPlan& p = plan_;
    const auto row_tile = [&](size_t row, size_t j0, size_t nj) {
      size_t ao = 0, bo = 0, rem = row;
      for (size_t d = p.outer_rank; d-- > 0;) {
        const size_t idx = rem % p.outer_dims[d];
        rem /= p.outer_dims[d];
        ao += idx * p.a_strides[d];
        bo += idx * p.b_strides[d];
      }
      fn_(nj, a + ao + j0 * p.a_inc, p.a_inc, b + bo + j0 * p.b_inc, p.b_inc,
          y + row * p.inner + j0);
    };
    if (ctx.pool == nullptr || total_ < kParallelThreshold) {
      for (size_t row = 0; row < p.rows; ++row) row_tile(row, 0, p.inner);
    } else {
      pthreadpool_parallelize_2d_tile_1d(ctx.pool, row_tile, p.rows, p.inner,
                                         std::min(p.inner, kTile), 0);
    }
    return Status::ok();
  }
  std::string kernel_name() const override { return name_; }

 private:
  F32BinaryFn fn_;
  const char* name_;
  int32_t a_, b_, y_;
  BroadcastPlan plan_;
  size_t total_;
};

Result<std::unique_ptr<Node>> prepare_add(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new BinaryNode(op, f32_add_scalar, "f32_add_scalar"));
}
Result<std::unique_ptr<Node>> prepare_mul(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new BinaryNode(op, f32_mul_scalar, "f32_mul_scalar"));
}

// ---- unary activations -----------------------------------------------------------------------

Status validate_unary_common(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 1, 1, 1));
  MINT_RETURN_IF_ERROR(expect_all_plain_f32(op));
  MINT_RETURN_IF_ERROR(expect_output_shape(op, op.inputs[0]->shape));
  return expect_disjoint(op, true);
}

Status validate_leaky_relu(const OpView& op) {
  MINT_RETURN_IF_ERROR(validate_unary_common(op));
  Status st;
  const auto* o = options_as<plan::LeakyReluOptions>(op, &st);
  if (!o) return st;
  if (!std::isfinite(o->alpha())) {
    return Status::invalid_plan("alpha " + std::to_string(o->alpha()) + " is not finite");
  }
  return Status::ok();
}

Status validate_gelu(const OpView& op) {
  MINT_RETURN_IF_ERROR(validate_unary_common(op));
  Status st;
  return options_as<plan::GeluOptions>(op, &st) ? Status::ok() : st;
}

class UnaryNode final : public Node {
 public:
  UnaryNode(const OpView& op, F32UnaryFn fn, std::string name, float alpha)
      : fn_(fn),
        name_(std::move(name)),
        params_{alpha},
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
  F32UnaryFn fn_;
  std::string name_;
  F32UnaryParams params_;
  int32_t x_, y_;
  size_t n_;
};

#define MINT_UNARY_PREPARE(op_name, kernel, alpha_expr)                                      \
  Result<std::unique_ptr<Node>> prepare_##op_name(const OpView& op, const PrepareContext&) { \
    return std::unique_ptr<Node>(new UnaryNode(op, kernel, #kernel, alpha_expr));            \
  }
MINT_UNARY_PREPARE(relu, f32_relu_scalar, 0.0f)
MINT_UNARY_PREPARE(leaky_relu, f32_leaky_relu_scalar, op.op->options_as_LeakyReluOptions()->alpha())
#undef MINT_UNARY_PREPARE

// The activations with ISA variants (kernels/activation.inc): the best one the session allows,
// chosen here once.
#define MINT_ACTIVATION_PREPARE(op_name)                                                         \
  Result<std::unique_ptr<Node>> prepare_##op_name(const OpView& op, const PrepareContext& ctx) { \
    const F32ActivationKernel* k = select_f32_activation(ctx.isa);                               \
    return std::unique_ptr<Node>(                                                                \
        new UnaryNode(op, k->op_name, std::string("f32_" #op_name "_") + k->name, 0.0f));        \
  }
MINT_ACTIVATION_PREPARE(tanh)
MINT_ACTIVATION_PREPARE(sigmoid)
MINT_ACTIVATION_PREPARE(silu)
#undef MINT_ACTIVATION_PREPARE

Result<std::unique_ptr<Node>> prepare_gelu(const OpView& op, const PrepareContext& ctx) {
  const F32ActivationKernel* k = select_f32_activation(ctx.isa);
  if (op.op->options_as_GeluOptions()->approximate_tanh()) {
    return std::unique_ptr<Node>(
        new UnaryNode(op, k->gelu_tanh, std::string("f32_gelu_tanh_") + k->name, 0.0f));
  }
  return std::unique_ptr<Node>(
      new UnaryNode(op, k->gelu, std::string("f32_gelu_") + k->name, 0.0f));
}

// ---- softmax ---------------------------------------------------------------------------------

Status validate_softmax(const OpView& op) {
  MINT_RETURN_IF_ERROR(validate_unary_common(op));
  Status st;
  const auto* o = options_as<plan::SoftmaxOptions>(op, &st);
  if (!o) return st;
  Result<size_t> axis = normalize_axis(o->axis(), op.inputs[0]->shape.rank);
  return axis.is_ok() ? Status::ok() : about("input", 0, *op.inputs[0], axis.status());
}

class SoftmaxNode final : public Node {
 public:
  SoftmaxNode(const OpView& op, F32SoftmaxFn fn)
      : fn_(fn), x_(op.input_ids[0]), y_(op.output_ids[0]) {
    const Shape& s = op.inputs[0]->shape;
    const size_t axis = normalize_axis(op.op->options_as_SoftmaxOptions()->axis(), s.rank).value();
    outer_ = static_cast<size_t>(s.product(0, axis));
    n_ = static_cast<size_t>(s[axis]);
    inner_ = static_cast<size_t>(s.product(axis + 1, s.rank));
  }

  Status run(const ExecContext& ctx) const override {
    const float* x = data_as<const float>(ctx, x_);
    float* y = data_as<float>(ctx, y_);
    const size_t lines = outer_ * inner_;
    const size_t tile = std::max<size_t>(1, kTile / std::max<size_t>(1, n_));
    parallel_tiles(ctx.pool, lines, tile, lines * n_, [&](size_t start, size_t count) {
      for (size_t l = start; l < start + count; ++l) {
        const size_t base = (l / inner_) * n_ * inner_ + l % inner_;
        fn_(n_, inner_, x + base, y + base);
      }
    });
    return Status::ok();
  }
  std::string kernel_name() const override { return "f32_softmax_scalar"; }

 private:
  F32SoftmaxFn fn_;
  int32_t x_, y_;
  size_t outer_ = 1, n_ = 1, inner_ = 1;
};

Result<std::unique_ptr<Node>> prepare_softmax(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new SoftmaxNode(op, f32_softmax_scalar));
}

}  // namespace

Status validate_broadcast_binary(const OpView& op) { return validate_binary(op); }
std::unique_ptr<Node> make_broadcast_binary_node(const OpView& op, F32BinaryFn fn,
                                                 const char* name) {
  return std::unique_ptr<Node>(new BinaryNode(op, fn, name));
}

extern const OpDefinition kAddOp{plan::OpCode::add, "add", validate_binary, prepare_add};
extern const OpDefinition kMulOp{plan::OpCode::mul, "mul", validate_binary, prepare_mul};
extern const OpDefinition kReluOp{plan::OpCode::relu, "relu", validate_unary_common, prepare_relu};
extern const OpDefinition kLeakyReluOp{plan::OpCode::leaky_relu, "leaky_relu", validate_leaky_relu,
                                       prepare_leaky_relu};
extern const OpDefinition kTanhOp{plan::OpCode::tanh, "tanh", validate_unary_common, prepare_tanh};
extern const OpDefinition kSigmoidOp{plan::OpCode::sigmoid, "sigmoid", validate_unary_common,
                                     prepare_sigmoid};
extern const OpDefinition kGeluOp{plan::OpCode::gelu, "gelu", validate_gelu, prepare_gelu};
extern const OpDefinition kSiluOp{plan::OpCode::silu, "silu", validate_unary_common, prepare_silu};
extern const OpDefinition kSoftmaxOp{plan::OpCode::softmax, "softmax", validate_softmax,
                                     prepare_softmax};

}  // namespace mint
