// max_pool2d and average_pool2d over NHWC f32 tensors; output rows (n x oh) tiled over the
// pool. Kernels: kernels/image.h. Shape rule: pool2d_output_shape (runtime/ops/shapes.h).
#include <algorithm>

#include "kernels/image.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/shapes.h"

namespace mint {
namespace {

Status validate_pool(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 1, 1, 1));
  MINT_RETURN_IF_ERROR(expect_all_plain_f32(op));
  Status st;
  const auto* o = options_as<plan::Pool2DOptions>(op, &st);
  if (!o) return st;
  Result<Shape> out = pool2d_output_shape(op.inputs[0]->shape, pool2d_params(*o));
  if (!out.is_ok()) return about("input", 0, *op.inputs[0], out.status());
  MINT_RETURN_IF_ERROR(expect_output_shape(op, out.value()));
  return expect_disjoint(op, false);
}

using PoolFn = void (*)(const Pool2DKernelParams&, const float*, float*, size_t, size_t);

class PoolNode final : public Node {
 public:
  PoolNode(const OpView& op, PoolFn fn, const char* name)
      : fn_(fn), name_(name), x_(op.input_ids[0]), y_(op.output_ids[0]) {
    const Pool2DParams q = pool2d_params(*op.op->options_as_Pool2DOptions());
    const Shape& x = op.inputs[0]->shape;
    const Shape& y = op.outputs[0]->shape;
    const auto u = [](int64_t v) { return static_cast<size_t>(v); };
    p_ = {u(x[0]), u(x[1]), u(x[2]), u(x[3]), u(y[1]), u(y[2]),
          u(q.kernel_h), u(q.kernel_w), u(q.stride_h), u(q.stride_w), u(q.dilation_h),
          u(q.dilation_w), u(q.pad_top), u(q.pad_left), u(q.pad_bottom), u(q.pad_right),
          q.count_include_pad};
  }

  Status run(const ExecContext& ctx) const override {
    const float* x = data_as<const float>(ctx, x_);
    float* y = data_as<float>(ctx, y_);
    const size_t rows = p_.n * p_.oh;
    const size_t work = rows * p_.ow * p_.c * p_.kernel_h * p_.kernel_w;
    parallel_tiles(ctx.pool, rows, 1, work,
                   [&](size_t start, size_t count) { fn_(p_, x, y, start, start + count); });
    return Status::ok();
  }
  std::string kernel_name() const override { return name_; }

 private:
  PoolFn fn_;
  const char* name_;
  int32_t x_, y_;
  Pool2DKernelParams p_{};
};

Result<std::unique_ptr<Node>> prepare_max_pool(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new PoolNode(op, f32_max_pool2d_scalar, "f32_max_pool2d_scalar"));
}
Result<std::unique_ptr<Node>> prepare_avg_pool(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new PoolNode(op, f32_avg_pool2d_scalar, "f32_avg_pool2d_scalar"));
}

}  // namespace

extern const OpDefinition kMaxPool2DOp{plan::OpCode::max_pool2d, "max_pool2d", validate_pool,
                                       prepare_max_pool};
extern const OpDefinition kAveragePool2DOp{plan::OpCode::average_pool2d, "average_pool2d",
                                           validate_pool, prepare_avg_pool};

}  // namespace mint
