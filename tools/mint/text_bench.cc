#include "tools/mint/text_bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "runtime/generate/plan_decoder.h"

namespace mint::tool {

int cmd_decode_bench(const std::string& path, size_t threads, size_t tokens, size_t prompt) {
  auto fail = [](const Status& st) {
    std::fprintf(stderr, "mint: error: %s\n", st.message().c_str());
    return 1;
  };
  auto model = Model::load_file(path, LoadOptions{});
  if (!model.is_ok()) return fail(model.status());
  SessionOptions so;
  so.num_threads = threads;
  auto session = Session::create(*model.value(), so);
  if (!session.is_ok()) return fail(session.status());
  auto decoder = generate::make_plan_decoder(*session.value());
  if (!decoder.is_ok()) return fail(decoder.status());
  generate::TokenDecoder& d = *decoder.value();
  if (prompt < 1 || prompt + tokens > d.context_length()) {
    return fail(Status::invalid_argument("prompt + tokens exceed the context of " +
                                         std::to_string(d.context_length())));
  }
  std::vector<int32_t> ids(prompt);
  for (size_t i = 0; i < prompt; ++i) ids[i] = static_cast<int32_t>((i * 7919 + 13) % d.vocab_size());
  using clock = std::chrono::steady_clock;
  std::vector<double> prefill_s, decode_s;
  for (int rep = 0; rep < 3; ++rep) {
    d.reset();
    const auto t0 = clock::now();
    auto logits = d.append(ids.data(), ids.size());
    if (!logits.is_ok()) return fail(logits.status());
    const auto t1 = clock::now();
    const float* l = logits.value();
    for (size_t step = 0; step < tokens; ++step) {
      const int32_t next = static_cast<int32_t>(std::max_element(l, l + d.vocab_size()) - l);
      auto r = d.append(&next, 1);
      if (!r.is_ok()) return fail(r.status());
      l = r.value();
    }
    const auto t2 = clock::now();
    prefill_s.push_back(std::chrono::duration<double>(t1 - t0).count());
    decode_s.push_back(std::chrono::duration<double>(t2 - t1).count());
  }
  std::sort(prefill_s.begin(), prefill_s.end());
  std::sort(decode_s.begin(), decode_s.end());
  std::printf("%s: threads %zu, isa %s\n", path.c_str(), threads, isa_name(session.value()->isa()));
  std::printf("prefill %zu tokens: %.1f tokens/s; decode %zu tokens: %.2f tokens/s (median of 3)\n",
              prompt, prompt / prefill_s[1], tokens, tokens / decode_s[1]);
  return 0;
}

}  // namespace mint::tool
