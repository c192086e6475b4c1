// The typed GraphBuilder helpers (compiler/graph.h): each wraps its options in the plan's
// object-API union and calls add_node1, which infers the result (compiler/shape_inference.h).
#include <utility>

#include "compiler/graph.h"

namespace mint::compiler {
namespace {

// OpOptionsUnion::Set needs a non-const, non-reference type to find the union member (a const
// T& would select OpOptions::NONE), hence the copy.
template <typename T>
plan::OpOptionsUnion wrap(T options) {
  plan::OpOptionsUnion u;
  u.Set(std::move(options));
  return u;
}

}  // namespace

ValueId GraphBuilder::fully_connected(ValueId x, ValueId w, ValueId bias, plan::Activation act,
                                      const std::string& name) {
  plan::FullyConnectedOptionsT o;
  o.activation = act;
  return add_node1(plan::OpCode::fully_connected, {x, w, bias}, wrap(o), name);
}

ValueId GraphBuilder::matmul(ValueId a, ValueId b, bool transpose_b, const std::string& name) {
  plan::MatMulOptionsT o;
  o.transpose_b = transpose_b;
  return add_node1(plan::OpCode::matmul, {a, b}, wrap(o), name);
}

ValueId GraphBuilder::conv2d(ValueId x, ValueId w, ValueId bias,
                             const plan::Conv2DOptionsT& options, const std::string& name) {
  return add_node1(plan::OpCode::conv2d, {x, w, bias}, wrap(options), name);
}

ValueId GraphBuilder::transposed_conv2d(ValueId x, ValueId w, ValueId bias,
                                        const plan::TransposedConv2DOptionsT& options,
                                        const std::string& name) {
  return add_node1(plan::OpCode::transposed_conv2d, {x, w, bias}, wrap(options), name);
}

ValueId GraphBuilder::add(ValueId a, ValueId b, const std::string& name) {
  return add_node1(plan::OpCode::add, {a, b}, {}, name);
}

ValueId GraphBuilder::mul(ValueId a, ValueId b, const std::string& name) {
  return add_node1(plan::OpCode::mul, {a, b}, {}, name);
}

ValueId GraphBuilder::relu(ValueId x, const std::string& name) {
  return add_node1(plan::OpCode::relu, {x}, {}, name);
}

ValueId GraphBuilder::leaky_relu(ValueId x, float alpha, const std::string& name) {
  plan::LeakyReluOptionsT o;
  o.alpha = alpha;
  return add_node1(plan::OpCode::leaky_relu, {x}, wrap(o), name);
}

ValueId GraphBuilder::tanh(ValueId x, const std::string& name) {
  return add_node1(plan::OpCode::tanh, {x}, {}, name);
}

ValueId GraphBuilder::sigmoid(ValueId x, const std::string& name) {
  return add_node1(plan::OpCode::sigmoid, {x}, {}, name);
}

ValueId GraphBuilder::gelu(ValueId x, bool approximate_tanh, const std::string& name) {
  plan::GeluOptionsT o;
  o.approximate_tanh = approximate_tanh;
  return add_node1(plan::OpCode::gelu, {x}, wrap(o), name);
}

ValueId GraphBuilder::silu(ValueId x, const std::string& name) {
  return add_node1(plan::OpCode::silu, {x}, {}, name);
}

ValueId GraphBuilder::softmax(ValueId x, int axis, const std::string& name) {
  plan::SoftmaxOptionsT o;
  o.axis = axis;
  return add_node1(plan::OpCode::softmax, {x}, wrap(o), name);
}

ValueId GraphBuilder::layer_norm(ValueId x, ValueId gamma, ValueId beta, float epsilon,
                                 const std::string& name) {
  plan::NormOptionsT o;
  o.epsilon = epsilon;
  o.axis = -1;
  return add_node1(plan::OpCode::layer_norm, {x, gamma, beta}, wrap(o), name);
}

ValueId GraphBuilder::rms_norm(ValueId x, ValueId gamma, float epsilon, const std::string& name) {
  plan::NormOptionsT o;
  o.epsilon = epsilon;
  o.axis = -1;
  return add_node1(plan::OpCode::rms_norm, {x, gamma}, wrap(o), name);
}

ValueId GraphBuilder::reshape(ValueId x, std::vector<int64_t> shape, const std::string& name) {
  // One -1 entry is resolved here from the input's element count, so the plan always carries
  // the exact output shape.
  if (status_.is_ok() && x >= 0 && static_cast<size_t>(x) < graph_.values.size()) {
    size_t wildcard = shape.size();
    int64_t known = 1;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == -1 && wildcard == shape.size()) {
        wildcard = i;
      } else {
        known *= shape[i];
      }
    }
    const int64_t total = graph_.element_count(x);
    if (wildcard < shape.size() && known > 0 && total % known == 0) shape[wildcard] = total / known;
  }
  plan::ReshapeOptionsT o;
  o.new_shape = std::move(shape);
  return add_node1(plan::OpCode::reshape, {x}, wrap(std::move(o)), name);
}

ValueId GraphBuilder::transpose(ValueId x, std::vector<int32_t> perm, const std::string& name) {
  plan::TransposeOptionsT o;
  o.perm = std::move(perm);
  return add_node1(plan::OpCode::transpose, {x}, wrap(std::move(o)), name);
}

ValueId GraphBuilder::concat(std::vector<ValueId> xs, int axis, const std::string& name) {
  plan::ConcatOptionsT o;
  o.axis = axis;
  return add_node1(plan::OpCode::concat, std::move(xs), wrap(o), name);
}

ValueId GraphBuilder::embedding(ValueId table, ValueId ids, const std::string& name) {
  return add_node1(plan::OpCode::embedding, {table, ids}, {}, name);
}

ValueId GraphBuilder::rope(ValueId x, ValueId positions, int heads, int head_dim, int rotary_dim,
                           float theta, const std::string& name) {
  plan::RopeOptionsT o;
  o.num_heads = heads;
  o.head_dim = head_dim;
  o.rotary_dim = rotary_dim;
  o.theta = theta;
  return add_node1(plan::OpCode::rope, {x, positions}, wrap(o), name);
}

ValueId GraphBuilder::attention(std::vector<ValueId> inputs, int heads, int kv_heads, int head_dim,
                                float scale, const std::string& name) {
  plan::AttentionOptionsT o;
  o.num_heads = heads;
  o.num_kv_heads = kv_heads;
  o.head_dim = head_dim;
  o.scale = scale;
  return add_node1(plan::OpCode::attention, std::move(inputs), wrap(o), name);
}

ValueId GraphBuilder::gather_last(ValueId x, ValueId count, const std::string& name) {
  return add_node1(plan::OpCode::gather_last, {x, count}, {}, name);
}

}  // namespace mint::compiler
