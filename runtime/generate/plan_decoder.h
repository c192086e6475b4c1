// A TokenDecoder backed by a session of a text-generation plan (the Hugging Face importer's
// output: prefill and decode graphs over one KV cache held as session state).
//
// make_plan_decoder(session): invalid_argument when the session's plan is not a text plan
// (is_text_plan false), else a decoder that runs the session; the session must outlive it
// and must not be run by anything else meanwhile.
#pragma once

#include <memory>

#include "runtime/generate/decoder.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace mint::generate {

bool is_text_plan(const Model& model);
Result<std::unique_ptr<TokenDecoder>> make_plan_decoder(Session& session);

}  // namespace mint::generate
