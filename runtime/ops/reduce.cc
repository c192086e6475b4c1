// reduce_mean over any set of axes of an f32 tensor (ONNX ReduceMean, GlobalAveragePool as the
// mean over NHWC axes 1 and 2); outputs tiled over the pool. Kernel: kernels/image.h.
#include "kernels/image.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/shapes.h"

namespace mint {
namespace {

static_assert(kImageMaxRank == kMaxRank, "kernels/image.h and runtime/tensor.h disagree");

Status validate_reduce(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 1, 1, 1));
  MINT_RETURN_IF_ERROR(expect_all_plain_f32(op));
  Status st;
  const auto* o = options_as<plan::ReduceOptions>(op, &st);
  if (!o) return st;
  if (o->axes() == nullptr) return Status::invalid_plan("options have no axes");
  Result<Shape> out = reduce_output_shape(op.inputs[0]->shape, o->axes()->data(), o->axes()->size(),
                                          o->keepdims());
  if (!out.is_ok()) return about("input", 0, *op.inputs[0], out.status());
  MINT_RETURN_IF_ERROR(expect_output_shape(op, out.value()));
  return expect_disjoint(op, false);
}

class ReduceNode final : public Node {
 public:
  explicit ReduceNode(const OpView& op) : x_(op.input_ids[0]), y_(op.output_ids[0]) {
    const Shape& s = op.inputs[0]->shape;
    p_.rank = s.rank;
    for (size_t i = 0; i < s.rank; ++i) {
      p_.dims[i] = static_cast<size_t>(s[i]);
      p_.reduced[i] = false;
    }
    for (int32_t a : *op.op->options_as_ReduceOptions()->axes()) {
      p_.reduced[normalize_axis(a, s.rank).value()] = true;
    }
    outputs_ = static_cast<size_t>(op.outputs[0]->shape.elements());
    inputs_ = static_cast<size_t>(s.elements());
  }

  Status run(const ExecContext& ctx) const override {
    const float* x = data_as<const float>(ctx, x_);
    float* y = data_as<float>(ctx, y_);
    const size_t tile = std::max<size_t>(1, outputs_ / 64);
    parallel_tiles(ctx.pool, outputs_, tile, inputs_, [&](size_t start, size_t count) {
      f32_reduce_mean_scalar(p_, x, y, start, start + count);
    });
    return Status::ok();
  }
  std::string kernel_name() const override { return "f32_reduce_mean_scalar"; }

 private:
  int32_t x_, y_;
  ReduceKernelParams p_{};
  size_t outputs_ = 0, inputs_ = 0;
};

Result<std::unique_ptr<Node>> prepare_reduce(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new ReduceNode(op));
}

}  // namespace

extern const OpDefinition kReduceMeanOp{plan::OpCode::reduce_mean, "reduce_mean", validate_reduce,
                                        prepare_reduce};

}  // namespace mint
