// embedding: y[..., :] = table[ids[...], :]. Inputs: table [vocab, dim] f32 constant, ids i32
// [...]; output f32 [..., dim]. An id outside [0, vocab) is the caller's data, not the plan's:
// run() reports it as invalid_argument. Kernel: kernels/layout.h (f32_gather_rows).
#include <algorithm>

#include "kernels/layout.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/shapes.h"

namespace mint {
namespace {

Status validate_embedding(const OpView& op) {
  MINT_RETURN_IF_ERROR(expect_io_counts(op, 2, 2, 1));
  MINT_RETURN_IF_ERROR(expect_constant(op, 0));
  MINT_RETURN_IF_ERROR(expect_present(op, 1));
  const TensorDesc& table = *op.inputs[0];
  const TensorDesc& ids = *op.inputs[1];
  MINT_RETURN_IF_ERROR(expect_plain(table, "input", 0, DType::f32));
  MINT_RETURN_IF_ERROR(expect_plain(ids, "input", 1, DType::i32));
  MINT_RETURN_IF_ERROR(expect_plain(*op.outputs[0], "output", 0, DType::f32));
  if (table.shape.rank != 2) {
    return Status::invalid_plan(tensor_ref("input", 0, table) + " has shape " +
                                table.shape.to_string() + ", want rank 2 [vocab, dim]");
  }
  Result<Shape> out = embedding_output_shape(table.shape, ids.shape);
  if (!out.is_ok()) return about("input", 1, ids, out.status());
  MINT_RETURN_IF_ERROR(expect_output_shape(op, out.value()));
  return expect_disjoint(op, false);
}

class EmbeddingNode final : public Node {
 public:
  EmbeddingNode(const OpView& op, F32GatherRowsFn fn)
      : fn_(fn),
        table_(op.input_ids[0]),
        ids_(op.input_ids[1]),
        y_(op.output_ids[0]),
        vocab_(static_cast<size_t>(op.inputs[0]->shape[0])),
        dim_(static_cast<size_t>(op.inputs[0]->shape[1])),
        n_(static_cast<size_t>(op.inputs[1]->shape.elements())) {}

  Status run(const ExecContext& ctx) const override {
    const int32_t* ids = data_as<const int32_t>(ctx, ids_);
    const size_t bad =
        fn_(n_, ids, vocab_, dim_, data_as<const float>(ctx, table_), data_as<float>(ctx, y_));
    if (bad < n_) {
      return Status::invalid_argument("id " + std::to_string(ids[bad]) +
                                      " at position " + std::to_string(bad) + " is outside [0, " +
                                      std::to_string(vocab_) + ")");
    }
    return Status::ok();
  }
  std::string kernel_name() const override { return "f32_gather_rows_scalar"; }

 private:
  F32GatherRowsFn fn_;
  int32_t table_, ids_, y_;
  size_t vocab_, dim_, n_;
};

Result<std::unique_ptr<Node>> prepare_embedding(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new EmbeddingNode(op, f32_gather_rows_scalar));
}

}  // namespace

extern const OpDefinition kEmbeddingOp{plan::OpCode::embedding, "embedding", validate_embedding,
                                       prepare_embedding};

}  // namespace mint
