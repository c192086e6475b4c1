// matmul: C [.., m, n] = A [.., m, k] B [.., k, n] (B [.., n, k] with transpose_b), f32, both
// operands activations. B's batch dimensions equal A's, or B has rank 2 and is shared.
//
// B is packed at run time into the f32 GEMM panel layout (kernels/gemm_pack.h) in scratch
// memory, then the threaded GEMM operator (runtime/ops/gemm_operator.h) runs the best f32
// GEMM kernel of the session's ISA. A shared B is packed once and the batch folds into m.
#include "kernels/gemm_pack.h"
#include "kernels/registry.h"
#include "runtime/ops/gemm_operator.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/shapes.h"

namespace mint {
namespace {

Status validate_matmul(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 2, 2, 1));
  MINT_RETURN_IF_ERROR(expect_all_plain_f32(op));
  Status st;
  const auto* o = options_as<plan::MatMulOptions>(op, &st);
  if (!o) return st;
  Result<Shape> out =
      matmul_output_shape(op.inputs[0]->shape, op.inputs[1]->shape, o->transpose_b());
  if (!out.is_ok()) {
    return out.status().with_context("inputs 0 '" + op.inputs[0]->name + "' and 1 '" +
                                     op.inputs[1]->name + "'");
  }
  MINT_RETURN_IF_ERROR(expect_output_shape(op, out.value()));
  return expect_disjoint(op, false);
}

class MatMulNode final : public Node {
 public:
  MatMulNode(const OpView& op, GemmSelection<F32GemmFn> kernels, F32GemmPackFn pack)
      : kernels_(kernels),
        pack_(pack),
        a_(op.input_ids[0]),
        b_(op.input_ids[1]),
        c_(op.output_ids[0]) {
    const Shape& a = op.inputs[0]->shape;
    const Shape& b = op.inputs[1]->shape;
    m_ = static_cast<size_t>(a[a.rank - 2]);
    k_ = static_cast<size_t>(a[a.rank - 1]);
    const bool tb = op.op->options_as_MatMulOptions()->transpose_b();
    n_ = static_cast<size_t>(tb ? b[b.rank - 2] : b[b.rank - 1]);
    batch_ = static_cast<size_t>(a.product(0, a.rank - 2));
    shared_b_ = b.rank == 2;
    k_stride_ = tb ? 1 : n_;
    n_stride_ = tb ? k_ : 1;
    panel_bytes_ = f32_gemm_panel_bytes(k_);
    packed_bytes_ = gemm_panel_count(n_) * panel_bytes_;
  }

  size_t scratch_bytes() const override { return round_up(packed_bytes_, 64); }

  Status run(const ExecContext& ctx) const override {
    if (batch_ == 0 || m_ == 0 || n_ == 0) return Status::ok();
    const float* a = data_as<const float>(ctx, a_);
    const float* b = data_as<const float>(ctx, b_);
    float* c = data_as<float>(ctx, c_);
    const F32MinMaxParams none{-INFINITY, INFINITY};
    if (shared_b_) {
      pack_(n_, k_, b, k_stride_, n_stride_, ctx.scratch);
      run_f32_gemm(ctx.pool, kernels_, batch_ * m_, n_, k_, a, k_, ctx.scratch, panel_bytes_, c, n_,
                   none);
      return Status::ok();
    }
    for (size_t i = 0; i < batch_; ++i) {
      pack_(n_, k_, b + i * k_ * n_, k_stride_, n_stride_, ctx.scratch);
      run_f32_gemm(ctx.pool, kernels_, m_, n_, k_, a + i * m_ * k_, k_, ctx.scratch, panel_bytes_,
                   c + i * m_ * n_, n_, none);
    }
    return Status::ok();
  }
  std::string kernel_name() const override {
    return (batch_ * m_ == 1 ? kernels_.gemv : kernels_.gemm)->name;
  }

 private:
  GemmSelection<F32GemmFn> kernels_;
  F32GemmPackFn pack_;
  int32_t a_, b_, c_;
  size_t m_ = 0, n_ = 0, k_ = 0, batch_ = 1;
  bool shared_b_ = false;
  size_t k_stride_ = 0, n_stride_ = 0, panel_bytes_ = 0, packed_bytes_ = 0;
};

Result<std::unique_ptr<Node>> prepare_matmul(const OpView& op, const PrepareContext& ctx) {
  return std::unique_ptr<Node>(new MatMulNode(op, select_f32_gemm(ctx.isa), f32_gemm_pack_scalar));
}

}  // namespace

extern const OpDefinition kMatMulOp{plan::OpCode::matmul, "matmul", validate_matmul,
                                    prepare_matmul};

}  // namespace mint
