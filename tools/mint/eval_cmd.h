// `mint eval` and `mint bench`: the evaluation and cost-measurement commands. Each parses its
// own arguments (argv[2...]) and returns the process exit code (0 ok, 1 error, 2 usage).
//
//   mint eval gan PLAN --classifier CLS [--samples N] [--seed S] [--real M] [--grid out.png]
//   mint eval vae ENCODER DECODER [--classifier CLS] [--samples N] [--images M] [--grid out.png]
//   mint eval classifier CLS [--images M]
//     common: [--data DIR] [--threads T] [--json] [--range R] [--encoder-range R]
//             [--classifier-range R]   (R: pm1 or 01; see evaluation/image_eval.h)
//   mint eval text PLAN [--split test|validation] [--ctx N] [--bleu-prompts N]
//             [--distinct-samples N] [--threads 1,2] [--json]   (tools/mint/eval_text.cc: perplexity,
//             BLEU, distinct-n, prefill/decode tokens/s, time to first token, peak RSS, plan size)
//   mint bench PLAN [--threads 1,2] [--runs N] [--warmup W] [--isa ISA] [--json]
#pragma once

namespace mint::tool {

int cmd_eval(int argc, char** argv);
int cmd_eval_text(int argc, char** argv);
int cmd_bench(int argc, char** argv);

}  // namespace mint::tool
