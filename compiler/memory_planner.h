// Arena memory planning by liveness.
//
// Every non-constant value of the graph (inputs, intermediates, outputs) gets a byte offset in
// one arena that a session allocates once. Two values may share bytes only if their lifetimes
// do not overlap. Lifetimes are in node steps:
//   graph inputs     [0, last node]      the caller writes them once and may run many times
//   graph outputs    [producer, last node]  read by the caller after the run
//   intermediates    [producer, last consumer]
// With segments (Graph::segments), inputs and outputs live to the end of their segment only.
// State values are not in the arena: each gets its own slot of the state region, in value
// order (state_offsets, state_size).
//
// Algorithm (greedy by size, as in tflite-micro's GreedyMemoryPlanner): sort the buffers by
// size, largest first (ties: earlier first use, then value id, so plans are reproducible);
// place each at the lowest offset, aligned to `alignment`, where it overlaps no
// already-placed buffer whose lifetime intersects its own. O(b^2) for b buffers, fine for
// graphs of thousands of values. The arena size is the highest end offset.
#pragma once

#include <cstddef>
#include <vector>

#include "compiler/graph.h"

namespace mint::compiler {

struct MemoryPlan {
  size_t arena_size = 0;
  size_t alignment = 64;
  std::vector<size_t> offsets;  // per value id; meaningless for constants
  size_t naive_size = 0;        // sum of all planned buffers, for reports
  size_t state_size = 0;
  std::vector<size_t> state_offsets;  // per value id; meaningful for used state values
};

// byte_size(v) gives each value's size in bytes.
MemoryPlan plan_memory(const Graph& graph, const std::vector<size_t>& byte_sizes,
                       size_t alignment = 64);

}  // namespace mint::compiler
