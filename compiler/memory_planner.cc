#include "compiler/memory_planner.h"

#include <algorithm>
#include <limits>

#include "kernels/gemm.h"

namespace mint::compiler {

MemoryPlan plan_memory(const Graph& graph, const std::vector<size_t>& byte_sizes,
                       size_t alignment) {
  constexpr int kUnused = std::numeric_limits<int>::max();
  const int last_step = std::max<int>(0, static_cast<int>(graph.nodes.size()) - 1);
  const size_t count = graph.values.size();
  std::vector<int> first(count, kUnused), last(count, -1);
  for (size_t step = 0; step < graph.nodes.size(); ++step) {
    const Node& node = graph.nodes[step];
    for (ValueId v : node.inputs) {
      if (v >= 0) last[v] = std::max(last[v], static_cast<int>(step));
    }
    for (ValueId v : node.outputs) {
      first[v] = std::min(first[v], static_cast<int>(step));
      last[v] = std::max(last[v], static_cast<int>(step));
    }
  }
  // Inputs and outputs live to the end of their segment (of the graph without segments);
  // segments never run together, so their values may share bytes.
  auto io_lifetimes = [&](const std::vector<ValueId>& inputs, const std::vector<ValueId>& outputs,
                          int begin, int end) {
    for (ValueId v : inputs) {
      first[v] = begin;
      last[v] = end;
    }
    for (ValueId v : outputs) {
      first[v] = std::min(first[v], end);
      last[v] = end;
    }
  };
  if (graph.segments.empty()) {
    io_lifetimes(graph.inputs, graph.outputs, 0, last_step);
  } else {
    for (const Segment& s : graph.segments) {
      const int begin = static_cast<int>(s.first_node);
      io_lifetimes(s.inputs, s.outputs, begin,
                   std::max(begin, static_cast<int>(s.first_node + s.node_count) - 1));
    }
  }

  struct Buffer {
    ValueId id;
    size_t size;
    int first, last;
    size_t offset;
  };
  std::vector<Buffer> buffers;
  MemoryPlan plan;
  plan.alignment = alignment;
  plan.offsets.assign(count, 0);
  plan.state_offsets.assign(count, 0);
  for (size_t v = 0; v < count; ++v) {
    if (graph.values[v].kind != ValueKind::kState || last[v] < 0) continue;  // unused
    plan.state_offsets[v] = plan.state_size;
    plan.state_size += round_up(std::max<size_t>(byte_sizes[v], 1), alignment);
  }
  for (size_t v = 0; v < count; ++v) {
    if (graph.values[v].kind == ValueKind::kConstant || graph.values[v].kind == ValueKind::kState ||
        first[v] == kUnused) {
      continue;
    }
    const size_t size = round_up(std::max<size_t>(byte_sizes[v], 1), alignment);
    buffers.push_back({static_cast<ValueId>(v), size, first[v], last[v], 0});
    plan.naive_size += size;
  }
  std::vector<size_t> order(buffers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (buffers[a].size != buffers[b].size) return buffers[a].size > buffers[b].size;
    if (buffers[a].first != buffers[b].first) return buffers[a].first < buffers[b].first;
    return buffers[a].id < buffers[b].id;
  });

  std::vector<size_t> placed;
  for (size_t idx : order) {
    Buffer& b = buffers[idx];
    // Placed buffers alive at the same time, by offset.
    std::vector<const Buffer*> conflicts;
    for (size_t p : placed) {
      const Buffer& o = buffers[p];
      if (o.first <= b.last && b.first <= o.last) conflicts.push_back(&o);
    }
    std::sort(conflicts.begin(), conflicts.end(),
              [](const Buffer* x, const Buffer* y) { return x->offset < y->offset; });
    size_t offset = 0;
    for (const Buffer* o : conflicts) {
      if (offset + b.size <= o->offset) break;  // fits in the gap before o
      offset = std::max(offset, round_up(o->offset + o->size, alignment));
    }
    b.offset = offset;
    plan.offsets[b.id] = offset;
    plan.arena_size = std::max(plan.arena_size, offset + b.size);
    placed.push_back(idx);
  }
  return plan;
}

}  // namespace mint::compiler
