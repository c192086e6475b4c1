// Serializes a lowered graph and its memory plan into a plan file (schema/plan.fbs):
//   [u32 length][FlatBuffer "MINT"][zero padding to 64][segments, each 64-byte aligned]
// Only values that some node, input or output references become tensors (constants replaced
// by prepacking disappear). Each constant gets its own 64-byte aligned segment, so the runtime
// can use it in place from an mmapped file.
//
// A tokenizer (PlanTokenizer with kind != none) is stored as one more segment after the
// constants' (a Buffer no tensor refers to) and described by Plan.tokenizer; its bytes are
// written as given (compile() checks them first).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/graph.h"
#include "compiler/memory_planner.h"

namespace mint::compiler {

constexpr uint32_t kPlanFormatVersion = 1;
constexpr size_t kSegmentAlignment = 64;

// The tokenizer a plan carries (schema/plan.fbs TokenizerInfo).
struct PlanTokenizer {
  plan::TokenizerKind kind = plan::TokenizerKind::none;  // none: no tokenizer
  std::string data;      // the binary form (gpt2_bpe: Gpt2Bpe::to_binary())
  int32_t bos_id = -1;   // -1: none
  int32_t eos_id = -1;
  bool add_bos = false;
};

Result<std::vector<uint8_t>> write_plan(const Graph& graph, const MemoryPlan& memory,
                                        const std::vector<size_t>& byte_sizes,
                                        const std::string& producer,
                                        const PlanTokenizer& tokenizer = {});

}  // namespace mint::compiler
