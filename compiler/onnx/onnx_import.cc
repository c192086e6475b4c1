// ONNX -> mint Graph (compiler/onnx/onnx_import.h).
#include "compiler/onnx/onnx_import.h"

#include <cmath>
#include <fstream>
#include <set>
#include <utility>

namespace mint::compiler {
namespace {

using onnx::AttrType;
using onnx::HostType;
using onnx::OnnxAttribute;
using onnx::OnnxGraph;
using onnx::OnnxModel;
using onnx::OnnxNode;
using onnx::OnnxTensor;

using Dims = std::vector<int64_t>;

const std::vector<int32_t> kToNhwc = {0, 2, 3, 1};
const std::vector<int32_t> kToNchw = {0, 3, 1, 2};

std::string dims_str(const Dims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

int64_t product(const Dims& d, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end && i < d.size(); ++i) n *= d[i];
  return n;
}

Dims permute_dims(const Dims& d, const std::vector<int32_t>& perm) {
  Dims out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = d[perm[i]];
  return out;
}

// out[i0..] = x[perm-mapped]: the host version of mint's transpose.
template <typename T>
std::vector<T> transpose_host(const std::vector<T>& x, const Dims& dims,
                              const std::vector<int32_t>& perm) {
  const size_t rank = dims.size();
  const Dims out_dims = permute_dims(dims, perm);
  std::vector<int64_t> in_strides(rank, 1);
  for (size_t i = rank; i-- > 1;) in_strides[i - 1] = in_strides[i] * dims[i];
  std::vector<T> out(x.size());
  std::vector<int64_t> idx(rank, 0);
  for (size_t o = 0; o < out.size(); ++o) {
    int64_t src = 0;
    for (size_t i = 0; i < rank; ++i) src += idx[i] * in_strides[perm[i]];
    out[o] = x[static_cast<size_t>(src)];
    for (size_t i = rank; i-- > 0;) {
      if (++idx[i] < out_dims[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

OnnxTensor transpose_tensor(const OnnxTensor& t, const std::vector<int32_t>& perm) {
  OnnxTensor r = t;
  r.dims = permute_dims(t.dims, perm);
  switch (t.host) {
    case HostType::kF32: r.f32 = transpose_host(t.f32, t.dims, perm); break;
    case HostType::kI64: r.i64 = transpose_host(t.i64, t.dims, perm); break;
    case HostType::kI32: r.i32 = transpose_host(t.i32, t.dims, perm); break;
  }
  return r;
}

OnnxTensor f32_tensor(const std::string& name, Dims dims, std::vector<float> values) {
  OnnxTensor t;
  t.name = name;
  t.data_type = onnx::kOnnxFloat;
  t.host = HostType::kF32;
  t.dims = std::move(dims);
  t.f32 = std::move(values);
  return t;
}

// Numpy broadcast of two ONNX shapes.
Result<Dims> broadcast(const Dims& a, const Dims& b) {
  const size_t r = std::max(a.size(), b.size());
  Dims out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t x = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t y = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (x != y && x != 1 && y != 1) {
      return Status::invalid_argument("shapes " + dims_str(a) + " and " + dims_str(b) +
                                      " do not broadcast");
    }
    out[i] = x == 1 ? y : x;
  }
  return out;
}

// One axis of a Slice after ONNX's normalization: start, start + step, ... (count of them)
// strictly before end (step > 0) or after it (step < 0).
struct SliceAxis {
  int64_t start, end, step, count;
};

// A pattern of several ONNX nodes lowered as one mint op at its last node
// (compiler/onnx/onnx_import_fuse.inc).
struct Fusion {
  enum Kind { kHardSwish, kSilu, kLayerNorm } kind;
  std::string x;              // the pattern's input
  std::string gamma, beta;    // layer_norm
  float epsilon = 0.0f;       // layer_norm
};

// What the importer knows about one ONNX value.
struct Entry {
  Dims dims;                      // ONNX (NCHW) dims
  bool is_const = false;
  OnnxTensor value;               // constants
  ValueId plain = kInvalidValue;  // mint value in ONNX layout
  ValueId nhwc = kInvalidValue;   // mint value permuted [0,2,3,1] (rank 4 only)
  bool prefers_nhwc() const { return !is_const && nhwc != kInvalidValue && plain == kInvalidValue; }
};

class Importer {
 public:
  Importer(const OnnxModel& model, const OnnxImportOptions& options)
      : model_(model), graph_(model.graph), options_(options) {}

  Result<Graph> run();

 private:
  // ---- values ---------------------------------------------------------------------------
  Result<Entry*> get(const std::string& name);
  Result<const OnnxTensor*> constant(const std::string& name, const char* what);
  Result<ValueId> plain(const std::string& name);
  Result<ValueId> nhwc(const std::string& name);
  Status set_plain(const std::string& name, ValueId v);
  Status set_nhwc(const std::string& name, ValueId v);
  Status set_const(const std::string& name, OnnxTensor t);
  Status builder_status();

  // ---- attributes -------------------------------------------------------------------------
  Status check_attributes(const std::set<std::string>& known);
  Result<int64_t> attr_int(const char* name, int64_t def);
  Result<float> attr_float(const char* name, float def);
  Result<std::string> attr_string(const char* name, const std::string& def);
  Result<Dims> attr_ints(const char* name, Dims def);
  Status unsupported(const std::string& message) { return Status::unsupported(message); }
  Status input_count(size_t min, size_t max);
  const std::string& in(size_t i) const { return node_->inputs[i]; }
  bool has_in(size_t i) const { return i < node_->inputs.size() && !node_->inputs[i].empty(); }
  const std::string& out0() const { return node_->outputs[0]; }
  std::string mint_name() const { return node_->name.empty() ? out0() : node_->name; }

  // ---- ops ------------------------------------------------------------------------------
  Status lower_node();
  Status lower_conv(bool transposed);
  Status lower_gemm();
  Status lower_matmul();
  Status lower_binary(plan::OpCode code);
  Status binary_values(plan::OpCode code, const std::string& a, const std::string& b,
                       const std::string& out);
  // onnx_import_image.inc
  template <typename F>
  Status same_layout(const F& make);
  Status lower_clip();
  Status lower_simple_unary();
  Status lower_pool(bool is_max);
  Status lower_global_pool();
  Status lower_reduce_mean();
  Status lower_pad();
  Status lower_slice();
  Status lower_squeeze(bool unsqueeze);
  Status lower_gather();
  Status lower_cast();
  Status lower_resize(bool upsample);
  Status lower_layer_norm();
  // onnx_import_fold.inc
  Status try_fold(bool* done);
  Result<Dims> axes_operand(int64_t input_from, bool required);
  Result<Dims> squeeze_dims(const Dims& dims, bool unsqueeze);
  Result<std::vector<SliceAxis>> slice_axes(const Dims& dims);
  // onnx_import_fuse.inc
  void plan_fusions();
  plan::Activation planned_activation(std::string* out_name);
  Status lower_fused(const Fusion& f);
  Status lower_unary();
  Status lower_softmax();
  Status lower_reshape(bool flatten);
  Status lower_transpose();
  Status lower_concat();
  Status lower_constant();
  Status lower_batchnorm();
  Status alias(const std::string& from, const std::string& to);
  // The per-channel affine a * x + c of an inference BatchNormalization node `bn`.
  Status batchnorm_affine(const OnnxNode& bn, std::vector<float>* a, std::vector<float>* c);
  void plan_batchnorm_folds();

  const OnnxModel& model_;
  const OnnxGraph& graph_;
  const OnnxImportOptions& options_;
  int64_t opset_ = 0;
  GraphBuilder b_;
  std::map<std::string, Entry> values_;
  const OnnxNode* node_ = nullptr;
  std::map<size_t, size_t> fold_into_;  // conv node index -> batchnorm node index
  std::set<size_t> folded_;             // batchnorm nodes folded away
  // onnx_import_fuse.inc: conv / gemm node -> (activation node, activation) fused into it;
  // nodes lowered as a Fusion at the pattern's last node; nodes a fusion absorbed.
  std::map<size_t, std::pair<size_t, plan::Activation>> act_into_;
  std::map<size_t, Fusion> fused_at_;
  std::set<size_t> absorbed_;
  size_t node_index_ = 0;
};

// ---- values -------------------------------------------------------------------------------

Result<Entry*> Importer::get(const std::string& name) {
  auto it = values_.find(name);
  if (it == values_.end()) {
    return Status::invalid_argument("value '" + name + "' is not produced by any earlier node, "
                                    "initializer or graph input");
  }
  return &it->second;
}

Result<const OnnxTensor*> Importer::constant(const std::string& name, const char* what) {
  MINT_ASSIGN_OR_RETURN(Entry * e, get(name));
  if (!e->is_const) {
    return unsupported(std::string(what) + " '" + name +
                       "' must be a constant (an initializer or Constant node)");
  }
  return &e->value;
}

Status Importer::builder_status() { return b_.status(); }

Result<ValueId> Importer::plain(const std::string& name) {
  MINT_ASSIGN_OR_RETURN(Entry * e, get(name));
  if (e->plain != kInvalidValue) return e->plain;
  if (e->is_const) {
    if (e->value.host != HostType::kF32) {
      return unsupported("constant '" + name + "' of dtype " +
                         onnx::onnx_dtype_name(e->value.data_type) +
                         " is used as an activation; only FLOAT is supported");
    }
    e->plain = b_.constant_f32(name, e->dims, e->value.f32);
  } else {
    e->plain = b_.transpose(e->nhwc, kToNchw, name + ".nchw");
  }
  MINT_RETURN_IF_ERROR(builder_status());
  return e->plain;
}

Result<ValueId> Importer::nhwc(const std::string& name) {
  MINT_ASSIGN_OR_RETURN(Entry * e, get(name));
  if (e->nhwc != kInvalidValue) return e->nhwc;
  if (e->dims.size() != 4) {
    return unsupported("value '" + name + "' has shape " + dims_str(e->dims) +
                       ", want rank 4 (NCHW)");
  }
  if (e->is_const) {
    if (e->value.host != HostType::kF32) {
      return unsupported("constant '" + name + "' of dtype " +
                         onnx::onnx_dtype_name(e->value.data_type) + " is not supported here");
    }
    const OnnxTensor t = transpose_tensor(e->value, kToNhwc);
    e->nhwc = b_.constant_f32(name + ".nhwc", t.dims, t.f32);
  } else {
    e->nhwc = b_.transpose(e->plain, kToNhwc, name + ".nhwc");
  }
  MINT_RETURN_IF_ERROR(builder_status());
  return e->nhwc;
}

Status Importer::set_plain(const std::string& name, ValueId v) {
  MINT_RETURN_IF_ERROR(builder_status());
  Entry e;
  e.dims = b_.graph().values[v].shape;
  e.plain = v;
  values_[name] = std::move(e);
  return Status::ok();
}

Status Importer::set_nhwc(const std::string& name, ValueId v) {
  MINT_RETURN_IF_ERROR(builder_status());
  Entry e;
  e.dims = permute_dims(b_.graph().values[v].shape, kToNchw);
  e.nhwc = v;
  values_[name] = std::move(e);
  return Status::ok();
}

Status Importer::set_const(const std::string& name, OnnxTensor t) {
  Entry e;
  e.dims = t.dims;
  e.is_const = true;
  e.value = std::move(t);
  e.value.name = name;
  values_[name] = std::move(e);
  return Status::ok();
}

Status Importer::alias(const std::string& from, const std::string& to) {
  MINT_ASSIGN_OR_RETURN(Entry * e, get(from));
  Entry copy = *e;
  values_[to] = std::move(copy);
  return Status::ok();
}

// ---- attributes ---------------------------------------------------------------------------

Status Importer::check_attributes(const std::set<std::string>& known) {
  for (const OnnxAttribute& a : node_->attributes) {
    if (!known.count(a.name)) return unsupported("attribute " + a.name + " is not supported");
  }
  return Status::ok();
}

Result<int64_t> Importer::attr_int(const char* name, int64_t def) {
  const OnnxAttribute* a = node_->attribute(name);
  if (!a) return def;
  if (a->type != AttrType::kInt && a->type != AttrType::kUndefined) {
    return Status::invalid_argument(std::string("attribute ") + name + " must be an int");
  }
  return a->i;
}

Result<float> Importer::attr_float(const char* name, float def) {
  const OnnxAttribute* a = node_->attribute(name);
  if (!a) return def;
  if (a->type != AttrType::kFloat && a->type != AttrType::kUndefined) {
    return Status::invalid_argument(std::string("attribute ") + name + " must be a float");
  }
  return a->f;
}

Result<std::string> Importer::attr_string(const char* name, const std::string& def) {
  const OnnxAttribute* a = node_->attribute(name);
  if (!a) return def;
  if (a->type != AttrType::kString && a->type != AttrType::kUndefined) {
    return Status::invalid_argument(std::string("attribute ") + name + " must be a string");
  }
  return a->s;
}

Result<Dims> Importer::attr_ints(const char* name, Dims def) {
  const OnnxAttribute* a = node_->attribute(name);
  if (!a) return def;
  if (a->type != AttrType::kInts && a->type != AttrType::kUndefined) {
    return Status::invalid_argument(std::string("attribute ") + name + " must be a list of ints");
  }
  return a->ints;
}

Status Importer::input_count(size_t min, size_t max) {
  const size_t n = node_->inputs.size();
  if (n < min || n > max) {
    return Status::invalid_argument("has " + std::to_string(n) + " inputs, want " +
                                    std::to_string(min) + " to " + std::to_string(max));
  }
  for (size_t i = 0; i < min; ++i) {
    if (node_->inputs[i].empty()) {
      return Status::invalid_argument("input " + std::to_string(i) + " is required");
    }
  }
  if (node_->outputs.empty() || node_->outputs[0].empty()) {
    return Status::invalid_argument("has no output");
  }
  return Status::ok();
}

// ---- driver -------------------------------------------------------------------------------

void Importer::plan_batchnorm_folds() {
  if (!options_.fold_batchnorm) return;
  std::map<std::string, int> uses;
  std::map<std::string, size_t> producer;
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    for (const std::string& s : graph_.nodes[i].inputs) ++uses[s];
    for (const std::string& s : graph_.nodes[i].outputs) producer[s] = i;
  }
  for (const auto& o : graph_.outputs) uses[o.name] += 2;  // a graph output is kept as is
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    const OnnxNode& bn = graph_.nodes[i];
    if (bn.op_type != "BatchNormalization" || bn.inputs.size() != 5 || bn.outputs.size() != 1) continue;
    auto p = producer.find(bn.inputs[0]);
    if (p == producer.end() || uses[bn.inputs[0]] != 1) continue;
    const OnnxNode& conv = graph_.nodes[p->second];
    if ((conv.op_type != "Conv" && conv.op_type != "ConvTranspose") || conv.outputs.size() != 1 ||
        fold_into_.count(p->second)) {
      continue;
    }
    bool params_constant = true;  // only initializers / constant inputs are known this early
    for (size_t k = 1; k < 5; ++k) {
      bool found = options_.constant_inputs.count(bn.inputs[k]) > 0;
      for (const OnnxTensor& t : graph_.initializers) found = found || t.name == bn.inputs[k];
      params_constant = params_constant && found;
    }
    if (!params_constant) continue;
    fold_into_[p->second] = i;
    folded_.insert(i);
  }
}

Result<Graph> Importer::run() {
  bool found = false;
  for (const auto& o : model_.opset_imports) {
    if (o.domain.empty() || o.domain == "ai.onnx") {
      opset_ = o.version;
      found = true;
    }
  }
  if (!found) return Status::unsupported("onnx: the model imports no default-domain opset");
  if (opset_ < kOnnxMinOpset || opset_ > kOnnxMaxOpset) {
    return Status::unsupported("onnx: opset " + std::to_string(opset_) +
                               " is not supported (mint supports opsets " +
                               std::to_string(kOnnxMinOpset) + " to " +
                               std::to_string(kOnnxMaxOpset) + ")");
  }
  for (const OnnxTensor& t : graph_.initializers) MINT_RETURN_IF_ERROR(set_const(t.name, t));
  for (const auto& [name, t] : options_.constant_inputs) MINT_RETURN_IF_ERROR(set_const(name, t));
  for (const auto& [name, dims] : options_.input_shapes) {
    bool is_input = false;
    for (const auto& in : graph_.inputs) is_input = is_input || in.name == name;
    if (!is_input) return Status::invalid_argument("onnx: --input-shape names '" + name + "', which is not a graph input");
  }
  for (size_t i = 0; i < graph_.inputs.size(); ++i) {
    const auto& in = graph_.inputs[i];
    if (values_.count(in.name)) continue;  // an initializer or a bound constant
    const std::string where = "onnx: graph input " + std::to_string(i) + " '" + in.name + "'";
    if (in.elem_type != onnx::kOnnxFloat) {
      return Status::unsupported(where + " has dtype " + onnx::onnx_dtype_name(in.elem_type) +
                                 "; only FLOAT inputs are supported");
    }
    Dims dims = in.dims;
    auto given = options_.input_shapes.find(in.name);
    if (given != options_.input_shapes.end()) {
      if (in.has_shape && given->second.size() != dims.size()) {
        return Status::invalid_argument(where + " has rank " + std::to_string(dims.size()) +
                                        ", the given shape " + dims_str(given->second) + " has rank " +
                                        std::to_string(given->second.size()));
      }
      for (size_t k = 0; k < given->second.size(); ++k) {
        if (given->second[k] < 1) {
          return Status::invalid_argument(where + ": given shape " + dims_str(given->second) +
                                          " has a dimension < 1");
        }
        if (in.has_shape && dims[k] >= 0 && dims[k] != given->second[k]) {
          return Status::invalid_argument(where + " has shape " + dims_str(dims) +
                                          ", the given shape " + dims_str(given->second) +
                                          " differs at dimension " + std::to_string(k));
        }
      }
      dims = given->second;
    } else if (!in.has_shape) {
      return Status::unsupported(where + " has no shape (give one with --input-shape)");
    }
    for (int64_t d : dims) {
      if (d < 0) {
        return Status::unsupported(where + " has shape " + dims_str(dims) +
                                   " with a symbolic dimension; static shapes are required "
                                   "(give one with --input-shape " + in.name + "=d0,d1,..)");
      }
    }
    MINT_RETURN_IF_ERROR(set_plain(in.name, b_.input(in.name, DType::f32, dims)));
  }
  plan_batchnorm_folds();
  plan_fusions();
  for (node_index_ = 0; node_index_ < graph_.nodes.size(); ++node_index_) {
    node_ = &graph_.nodes[node_index_];
    if (folded_.count(node_index_) || absorbed_.count(node_index_)) continue;
    auto fusion = fused_at_.find(node_index_);
    Status st = fusion != fused_at_.end() ? lower_fused(fusion->second) : lower_node();
    if (!st.is_ok()) {
      return st.with_context("onnx: node " + std::to_string(node_index_) + " '" + node_->name +
                             "' (" + node_->op_type + ")");
    }
  }
  std::vector<std::pair<ValueId, std::string>> outputs;
  std::set<ValueId> used;
  for (const auto& o : graph_.outputs) {
    Result<ValueId> v = plain(o.name);
    if (!v.is_ok()) return v.status().with_context("onnx: graph output '" + o.name + "'");
    ValueId id = v.value();
    const Value& val = b_.graph().values[id];
    if (val.kind != ValueKind::kIntermediate || used.count(id)) {  // needs a copy of its own
      id = b_.reshape(id, val.shape, o.name + ".copy");
      MINT_RETURN_IF_ERROR(builder_status().with_context("onnx: graph output '" + o.name + "'"));
    }
    used.insert(id);
    b_.output(id);
    outputs.emplace_back(id, o.name);
  }
  MINT_ASSIGN_OR_RETURN(Graph g, b_.finish());
  for (const auto& [id, name] : outputs) g.values[id].name = name;
  g.metadata["source"] = "onnx";
  return g;
}

Status Importer::lower_node() {
  if (!node_->domain.empty() && node_->domain != "ai.onnx") {
    return unsupported("domain '" + node_->domain + "' is not supported");
  }
  const std::string& op = node_->op_type;
  if (node_->outputs.empty()) return Status::invalid_argument("has no outputs");
  if (op == "Conv") return lower_conv(false);
  if (op == "ConvTranspose") return lower_conv(true);
  if (op == "Gemm") return lower_gemm();
  if (op == "MatMul") return lower_matmul();
  {
    bool folded = false;
    MINT_RETURN_IF_ERROR(try_fold(&folded));
    if (folded) return Status::ok();
  }
  if (op == "Add") return lower_binary(plan::OpCode::add);
  if (op == "Mul") return lower_binary(plan::OpCode::mul);
  if (op == "Sub") return lower_binary(plan::OpCode::sub);
  if (op == "Div") return lower_binary(plan::OpCode::div);
  if (op == "Pow") return lower_binary(plan::OpCode::pow);
  if (op == "Max") return lower_binary(plan::OpCode::maximum);
  if (op == "Min") return lower_binary(plan::OpCode::minimum);
  if (op == "Clip") return lower_clip();
  if (op == "HardSigmoid" || op == "HardSwish" || op == "Sqrt" || op == "Exp" || op == "Neg" ||
      op == "Abs" || op == "Reciprocal") {
    return lower_simple_unary();
  }
  if (op == "MaxPool") return lower_pool(true);
  if (op == "AveragePool") return lower_pool(false);
  if (op == "GlobalAveragePool") return lower_global_pool();
  if (op == "ReduceMean") return lower_reduce_mean();
  if (op == "Pad") return lower_pad();
  if (op == "Slice") return lower_slice();
  if (op == "Squeeze") return lower_squeeze(false);
  if (op == "Unsqueeze") return lower_squeeze(true);
  if (op == "Gather") return lower_gather();
  if (op == "Cast") return lower_cast();
  if (op == "Resize") return lower_resize(false);
  if (op == "Upsample") return lower_resize(true);
  if (op == "LayerNormalization") return lower_layer_norm();
  if (op == "Relu" || op == "LeakyRelu" || op == "Tanh" || op == "Sigmoid") return lower_unary();
  if (op == "Softmax") return lower_softmax();
  if (op == "Reshape") return lower_reshape(false);
  if (op == "Flatten") return lower_reshape(true);
  if (op == "Transpose") return lower_transpose();
  if (op == "Concat") return lower_concat();
  if (op == "Constant") return lower_constant();
  if (op == "BatchNormalization") return lower_batchnorm();
  if (op == "Identity") {
    MINT_RETURN_IF_ERROR(check_attributes({}));
    MINT_RETURN_IF_ERROR(input_count(1, 1));
    return alias(in(0), out0());
  }
  if (op == "Dropout") {
    MINT_RETURN_IF_ERROR(check_attributes({"seed"}));
    MINT_RETURN_IF_ERROR(input_count(1, 3));
    if (node_->outputs.size() > 1 && !node_->outputs[1].empty()) {
      return unsupported("the mask output is not supported (inference only)");
    }
    if (has_in(2)) {
      MINT_ASSIGN_OR_RETURN(const OnnxTensor* t, constant(in(2), "training_mode"));
      const auto v = t->as_i64();
      if (v.size() != 1 || v[0] != 0) return unsupported("training_mode=1 is not supported");
    }
    return alias(in(0), out0());
  }
  return unsupported("op " + op + " is not supported");
}

}  // namespace
}  // namespace mint::compiler

#include "compiler/onnx/onnx_import_ops.inc"
#include "compiler/onnx/onnx_import_fold.inc"
#include "compiler/onnx/onnx_import_image.inc"
#include "compiler/onnx/onnx_import_fuse.inc"

namespace mint::compiler {

Result<std::vector<uint8_t>> read_file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) return Status::io_error("cannot open '" + path + "'");
  const std::streamoff size = f.tellg();
  if (size < 0) return Status::io_error("cannot read '" + path + "'");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  f.seekg(0);
  if (size > 0 && !f.read(reinterpret_cast<char*>(bytes.data()), size)) {
    return Status::io_error("cannot read '" + path + "'");
  }
  return bytes;
}

Result<Graph> import_onnx_model(const onnx::OnnxModel& model, const OnnxImportOptions& options) {
  Importer importer(model, options);
  return importer.run();
}

Result<Graph> import_onnx_bytes(const uint8_t* data, size_t size, const OnnxImportOptions& options) {
  Result<onnx::OnnxModel> model = onnx::decode_onnx_model(data, size);
  if (!model.is_ok()) return model.status().with_context("onnx");
  return import_onnx_model(model.value(), options);
}

Result<Graph> import_onnx(const std::string& path, const OnnxImportOptions& options) {
  MINT_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file_bytes(path));
  Result<Graph> g = import_onnx_bytes(bytes.data(), bytes.size(), options);
  if (!g.is_ok()) return g.status().with_context(path);
  return g;
}

}  // namespace mint::compiler
