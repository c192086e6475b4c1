// Structured channel pruning at compile time (`mint compile --prune-channels R`).
//
// Which layers. A *source* is a conv2d (groups 1) or transposed_conv2d with plain f32 constant
// weights W [cout, kh, kw, cin] (mint's layout after the ONNX importer, BatchNormalization
// already folded into W and the bias) whose result reaches exactly one *target* through a
// chain of values that each have exactly one consumer, are not graph outputs, and pass only
// channelwise activations (relu, leaky_relu, tanh, sigmoid, gelu, silu). A target is a
// conv2d (groups 1) or transposed_conv2d reading the chain as input 0, or a fully_connected
// whose input's last dimension is the channel dimension (NHWC). Anything else (a reshape, an
// add, a graph output, two consumers) stops the chain and the source is not pruned; so the
// last layer's outputs are never pruned.
//
// The ranking rule (a PyTorch fine-tuning script applies the identical rule):
//   - score[co] = sum over (cin, kh, kw) of |W[co, kh, kw, cin]|: the L1 norm of output filter
//     co of the BN-folded weights (for ONNX ConvTranspose weights [cin, cout, kh, kw], the
//     filter of output channel co is W[:, co, :, :]), accumulated in double;
//   - keep = max(1, ceil((1 - R) * C)) filters, computed in IEEE double exactly as Python's
//     math.ceil((1 - R) * C) (so R = 0.7, C = 10 keeps 4, since (1 - 0.7) * 10 is
//     3.0000000000000004 in double; R = 0.3 keeps 7);
//   - the `keep` largest scores are kept, ties broken by the lower index; kept channels keep
//     their original order;
//   - sequential, in node (topological) order, as models/image/prune.py does: a source that
//     is itself the target of an earlier source is scored only over the input channels that
//     earlier source kept (its weights after the earlier pruning removed the other input
//     channels); a source that is no earlier source's target is scored over all its inputs.
//     Then each source loses its pruned filters (rows of W and bias entries) and its target
//     the matching input channels (W[:, :, :, ci] of a conv / transposed conv, columns of a
//     fully_connected W [n, k]).
// The pruned graph has physically smaller weights and activations (fewer parameters and FLOPs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "compiler/graph.h"

namespace mint::compiler {

// Number of channels kept out of `channels` at ratio r: max(1, ceil((1 - r) * channels)).
size_t pruned_channel_count(size_t channels, double ratio);

// Indices (ascending) of the channels kept, by the ranking rule above.
std::vector<size_t> kept_channels(const std::vector<double>& scores, double ratio);

// Prunes every source of `graph` in place. ratio must be in [0.1, 0.9]. `pruned` (optional)
// receives the names of the pruned source nodes, `kept` (optional) the kept output channel
// indices (ascending) of each of them, in the same order.
Status prune_channels(Graph& graph, double ratio, std::vector<std::string>* pruned = nullptr,
                      std::vector<std::vector<size_t>>* kept = nullptr);

// Parameters of a graph: the elements of every constant value some node uses.
int64_t parameter_count(const Graph& graph);

}  // namespace mint::compiler
