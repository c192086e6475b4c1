// embedding: y[..., :] = table[ids[...], :]. Inputs: table [vocab, dim] constant, ids i32
// [...]; output f32 [..., dim]. The table is f32, f16 (dequantized on gather), or i8 with
// symmetric per-row scales (quantization per_channel, axis 0; y = q * scale[id]). An id outside
// [0, vocab) is the caller's data, not the plan's: run() reports it as invalid_argument.
// The table may also be packed GEMM weights [vocab, dim] (gemm_f32, gemm_f16, gemm_qs8 layouts
// of kernels/gemm.h), the same constant as a tied output head's: rows are gathered from the
// panels. Kernels: kernels/layout.h ({f32,f16,qs8}_gather_rows, {f32,f16,qs8}_panel_gather_rows).
#include <algorithm>

#include "kernels/gemm.h"
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
  const DType td = table.dtype == DType::f16 || table.dtype == DType::i8 ? table.dtype : DType::f32;
  if (table.layout == plan::Layout::plain) {
    MINT_RETURN_IF_ERROR(expect_plain(table, "input", 0, td));
    if (td == DType::i8 && (table.quant.kind != plan::QuantKind::per_channel || table.quant.axis != 0 ||
                            table.shape.rank != 2 ||
                            table.quant.count != static_cast<size_t>(table.shape[0]))) {
      return Status::invalid_plan(tensor_ref("input", 0, table) +
                                  " is i8 without per-row scales (per_channel, axis 0, one per row)");
    }
  } else {
    const plan::Layout want = td == DType::f32 ? plan::Layout::gemm_f32
                              : td == DType::f16 ? plan::Layout::gemm_f16
                                                 : plan::Layout::gemm_qs8;
    if (table.dtype != td || table.layout != want || table.shape.rank != 2) {
      return Status::invalid_plan(tensor_ref("input", 0, table) + " has dtype " + dtype_name(table.dtype) +
                                  " and layout " + layout_name(table.layout) +
                                  ", want plain, or gemm_f32 / gemm_f16 / gemm_qs8 [vocab, dim]");
    }
    const size_t k = static_cast<size_t>(table.shape[1]);
    const size_t panel = td == DType::f32   ? f32_gemm_panel_bytes(k)
                         : td == DType::f16 ? f16w_gemm_panel_bytes(k)
                                            : qs8_gemm_panel_bytes(k);
    const size_t want_bytes = gemm_panel_count(static_cast<size_t>(table.shape[0])) * panel;
    if (table.byte_size != want_bytes) {
      return Status::invalid_plan(tensor_ref("input", 0, table) + " has " + std::to_string(table.byte_size) +
                                  " bytes, want " + std::to_string(want_bytes) + " for packed " +
                                  table.shape.to_string());
    }
  }
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
  explicit EmbeddingNode(const OpView& op)
      : dtype_(op.inputs[0]->dtype),
        packed_(op.inputs[0]->layout != plan::Layout::plain),
        scales_(op.inputs[0]->quant.scales),
        table_(op.input_ids[0]),
        ids_(op.input_ids[1]),
        y_(op.output_ids[0]),
        vocab_(static_cast<size_t>(op.inputs[0]->shape[0])),
        dim_(static_cast<size_t>(op.inputs[0]->shape[1])),
        n_(static_cast<size_t>(op.inputs[1]->shape.elements())) {}

  Status run(const ExecContext& ctx) const override {
    const int32_t* ids = data_as<const int32_t>(ctx, ids_);
    float* y = data_as<float>(ctx, y_);
    size_t bad;
    const void* table = ctx.tensor_data[table_];
    if (packed_) {
      bad = dtype_ == DType::f16  ? f16_panel_gather_rows_scalar(n_, ids, vocab_, dim_, table, y)
            : dtype_ == DType::i8 ? qs8_panel_gather_rows_scalar(n_, ids, vocab_, dim_, table, y)
                                  : f32_panel_gather_rows_scalar(n_, ids, vocab_, dim_, table, y);
    } else if (dtype_ == DType::f16) {
      bad = f16_gather_rows_scalar(n_, ids, vocab_, dim_, data_as<const uint16_t>(ctx, table_), y);
    } else if (dtype_ == DType::i8) {
      bad = qs8_gather_rows_scalar(n_, ids, vocab_, dim_, data_as<const int8_t>(ctx, table_), scales_, y);
    } else {
      bad = f32_gather_rows_scalar(n_, ids, vocab_, dim_, data_as<const float>(ctx, table_), y);
    }
    if (bad < n_) {
      return Status::invalid_argument("id " + std::to_string(ids[bad]) +
                                      " at position " + std::to_string(bad) + " is outside [0, " +
                                      std::to_string(vocab_) + ")");
    }
    return Status::ok();
  }
  std::string kernel_name() const override {
    const std::string t = dtype_ == DType::f16 ? "f16" : dtype_ == DType::i8 ? "qs8" : "f32";
    return t + (packed_ ? "_panel_gather_rows_scalar" : "_gather_rows_scalar");
  }

 private:
  DType dtype_;
  bool packed_;
  const float* scales_;
  int32_t table_, ids_, y_;
  size_t vocab_, dim_, n_;
};

Result<std::unique_ptr<Node>> prepare_embedding(const OpView& op, const PrepareContext&) {
  return std::unique_ptr<Node>(new EmbeddingNode(op));
}

}  // namespace

extern const OpDefinition kEmbeddingOp{plan::OpCode::embedding, "embedding", validate_embedding,
                                       prepare_embedding};

}  // namespace mint
