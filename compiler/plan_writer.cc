#include "compiler/plan_writer.h"

#include <cstring>

#include "kernels/gemm.h"
#include "schema/plan_generated.h"

namespace mint::compiler {
namespace {

struct Layout {
  std::vector<int32_t> tensor_of_value;  // value id -> tensor index, -1 if unused
  std::vector<ValueId> value_of_tensor;
  std::vector<ValueId> constants;        // in segment order
};

Layout number_tensors(const Graph& graph) {
  Layout layout;
  layout.tensor_of_value.assign(graph.values.size(), -1);
  auto use = [&](ValueId v) {
    if (v < 0 || layout.tensor_of_value[v] >= 0) return;
    layout.tensor_of_value[v] = static_cast<int32_t>(layout.value_of_tensor.size());
    layout.value_of_tensor.push_back(v);
    if (graph.values[v].kind == ValueKind::kConstant) layout.constants.push_back(v);
  };
  for (ValueId v : graph.inputs) use(v);
  for (const Node& node : graph.nodes) {
    for (ValueId v : node.inputs) use(v);
    for (ValueId v : node.outputs) use(v);
  }
  for (ValueId v : graph.outputs) use(v);
  return layout;
}

plan::Storage storage_of(const Graph& graph, ValueId v) {
  const Value& value = graph.values[v];
  if (value.kind == ValueKind::kConstant) return plan::Storage::constant;
  if (value.kind == ValueKind::kInput) return plan::Storage::input;
  if (value.kind == ValueKind::kState) return plan::Storage::state;
  if (value.is_output) return plan::Storage::output;
  return plan::Storage::arena;
}

std::vector<uint8_t> build_flatbuffer(const Graph& graph, const MemoryPlan& memory,
                                      const std::vector<size_t>& byte_sizes, const Layout& layout,
                                      const std::vector<uint64_t>& segment_offsets,
                                      uint64_t segment_base, const std::string& producer,
                                      const PlanTokenizer& tokenizer) {
  flatbuffers::FlatBufferBuilder fbb(1 << 16);
  std::vector<flatbuffers::Offset<plan::Tensor>> tensors;
  size_t constant_index = 0;
  for (ValueId v : layout.value_of_tensor) {
    const Value& value = graph.values[v];
    flatbuffers::Offset<plan::Quantization> quant = 0;
    if (value.quant.kind != plan::QuantKind::none) {
      quant = plan::CreateQuantization(fbb, value.quant.kind, value.quant.axis,
                                       value.quant.group_size, fbb.CreateVector(value.quant.scales),
                                       fbb.CreateVector(value.quant.zero_points));
    }
    const plan::Storage storage = storage_of(graph, v);
    uint32_t buffer = 0;
    uint64_t offset = 0;
    if (storage == plan::Storage::constant) {
      buffer = static_cast<uint32_t>(constant_index++);
    } else if (storage == plan::Storage::state) {
      offset = memory.state_offsets[v];
    } else {
      offset = memory.offsets[v];
    }
    tensors.push_back(plan::CreateTensor(fbb, fbb.CreateString(value.name), value.dtype,
                                         fbb.CreateVector(value.shape), quant, storage,
                                         value.layout, buffer, offset, byte_sizes[v]));
  }
  std::vector<flatbuffers::Offset<plan::Op>> ops;
  for (const Node& node : graph.nodes) {
    std::vector<int32_t> inputs, outputs;
    for (ValueId v : node.inputs) inputs.push_back(v < 0 ? -1 : layout.tensor_of_value[v]);
    for (ValueId v : node.outputs) outputs.push_back(layout.tensor_of_value[v]);
    ops.push_back(plan::CreateOp(fbb, node.code, node.options.type, node.options.Pack(fbb),
                                 fbb.CreateVector(inputs), fbb.CreateVector(outputs),
                                 fbb.CreateString(node.name)));
  }
  std::vector<int32_t> inputs, outputs;
  for (ValueId v : graph.inputs) inputs.push_back(layout.tensor_of_value[v]);
  for (ValueId v : graph.outputs) outputs.push_back(layout.tensor_of_value[v]);
  std::vector<flatbuffers::Offset<plan::Buffer>> buffers;
  for (size_t i = 0; i < layout.constants.size(); ++i) {
    buffers.push_back(plan::CreateBuffer(fbb, segment_offsets[i],
                                         graph.values[layout.constants[i]].data->size()));
  }
  flatbuffers::Offset<plan::TokenizerInfo> tokenizer_info = 0;
  if (tokenizer.kind != plan::TokenizerKind::none) {
    tokenizer_info = plan::CreateTokenizerInfo(fbb, tokenizer.kind, static_cast<uint32_t>(buffers.size()),
                                               tokenizer.bos_id, tokenizer.eos_id, tokenizer.add_bos);
    buffers.push_back(plan::CreateBuffer(fbb, segment_offsets[layout.constants.size()],
                                         tokenizer.data.size()));
  }
  std::vector<flatbuffers::Offset<plan::KeyValue>> entries;
  for (const auto& [key, value] : graph.metadata) {
    entries.push_back(plan::CreateKeyValue(fbb, fbb.CreateString(key), fbb.CreateString(value)));
  }
  auto metadata = plan::CreateMetadata(fbb, fbb.CreateString(producer),
                                       fbb.CreateString(graph.model_family),
                                       fbb.CreateVectorOfSortedTables(&entries));
  auto mem = plan::CreateMemoryPlan(fbb, memory.arena_size, memory.state_size,
                                    static_cast<uint32_t>(memory.alignment));
  std::vector<flatbuffers::Offset<plan::Segment>> segments;
  for (const Segment& s : graph.segments) {
    std::vector<int32_t> seg_inputs, seg_outputs;
    for (ValueId v : s.inputs) seg_inputs.push_back(layout.tensor_of_value[v]);
    for (ValueId v : s.outputs) seg_outputs.push_back(layout.tensor_of_value[v]);
    segments.push_back(plan::CreateSegment(fbb, fbb.CreateString(s.name),
                                           static_cast<uint32_t>(s.first_node),
                                           static_cast<uint32_t>(s.node_count),
                                           fbb.CreateVector(seg_inputs), fbb.CreateVector(seg_outputs)));
  }
  auto root = plan::CreatePlan(fbb, kPlanFormatVersion, fbb.CreateVector(tensors),
                               fbb.CreateVector(ops), fbb.CreateVector(inputs),
                               fbb.CreateVector(outputs), mem, fbb.CreateVector(buffers),
                               segment_base, metadata,
                               segments.empty() ? 0 : fbb.CreateVector(segments), tokenizer_info);
  plan::FinishSizePrefixedPlanBuffer(fbb, root);
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

}  // namespace

Result<std::vector<uint8_t>> write_plan(const Graph& graph, const MemoryPlan& memory,
                                        const std::vector<size_t>& byte_sizes,
                                        const std::string& producer,
                                        const PlanTokenizer& tokenizer) {
  const Layout layout = number_tensors(graph);
  std::vector<uint64_t> segment_offsets;
  uint64_t segments_size = 0;
  for (ValueId v : layout.constants) {
    segment_offsets.push_back(segments_size);
    segments_size = round_up(segments_size + graph.values[v].data->size(), kSegmentAlignment);
  }
  const bool has_tokenizer = tokenizer.kind != plan::TokenizerKind::none;
  if (has_tokenizer) {
    segment_offsets.push_back(segments_size);
    segments_size = round_up(segments_size + tokenizer.data.size(), kSegmentAlignment);
  }
  // The segment base is written into the FlatBuffer, whose size does not depend on its value
  // (a non-zero scalar always takes the same space): build, measure, rebuild until stable.
  uint64_t segment_base = kSegmentAlignment;
  std::vector<uint8_t> fb;
  for (int attempt = 0; attempt < 4; ++attempt) {
    fb = build_flatbuffer(graph, memory, byte_sizes, layout, segment_offsets, segment_base, producer,
                          tokenizer);
    const uint64_t needed = round_up(fb.size(), kSegmentAlignment);
    if (needed == segment_base) break;
    segment_base = needed;
  }
  if (round_up(fb.size(), kSegmentAlignment) != segment_base) {
    return Status::internal("plan writer: segment base did not converge");
  }
  std::vector<uint8_t> file(segment_base + segments_size, 0);
  std::memcpy(file.data(), fb.data(), fb.size());
  for (size_t i = 0; i < layout.constants.size(); ++i) {
    const auto& data = *graph.values[layout.constants[i]].data;
    if (!data.empty()) std::memcpy(file.data() + segment_base + segment_offsets[i], data.data(), data.size());
  }
  if (has_tokenizer && !tokenizer.data.empty()) {
    std::memcpy(file.data() + segment_base + segment_offsets.back(), tokenizer.data.data(),
                tokenizer.data.size());
  }
  return file;
}

}  // namespace mint::compiler
