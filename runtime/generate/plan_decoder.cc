// PRE-IMPORTER BEHAVIOUR. This file stands in for the plan-backed TokenDecoder until the
// Hugging Face importer (branch hf-import) lands: plans written today have no prefill/decode
// graphs, so no plan is a text plan and make_plan_decoder always fails cleanly. The hf-import
// branch replaces this file with the real implementation (the lead merges both branches); the
// generation loop, the C ABI and `mint generate` only use the contract in plan_decoder.h.
#include "runtime/generate/plan_decoder.h"

namespace mint::generate {

bool is_text_plan(const Model&) { return false; }

Result<std::unique_ptr<TokenDecoder>> make_plan_decoder(Session& session) {
  (void)session;
  return Status::invalid_argument("plan has no text-generation graphs");
}

}  // namespace mint::generate
