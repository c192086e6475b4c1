// ONNX Runtime (onnxruntime-node, CPU EP) decode baseline for the graphs of
// models/text/export_onnx.py: prefill the reference's 128-token prompt, then decode --decode
// tokens greedily with the KV cache. Per variant and intra-op thread count: one warm-up run, then
// --runs measured runs, each in the same session; reports median / min / max of
//   prefill_tok_s  prompt tokens / prefill time
//   ttft_ms        prefill + argmax of the first generated token
//   decode_tok_s   decoded tokens / time of the --decode single-token steps (argmax included)
//   prefill_cpu_ms_per_tok, decode_cpu_ms_per_tok  process CPU time (user + system, all threads)
//                  per token: less sensitive than wall time to other load on a shared machine
// Usage: node benchmarks/text/ort_decode.js --model-dir .data/text/onnx/gpt2
//          [--variants fp32,int8,int4] [--threads 1,2] [--decode 32] [--runs 3] [--json]
'use strict';
const path = require('path');
const c = require('./ort_common');

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return {median, min: s[0], max: s[s.length - 1], n: s.length};
}

async function generate(ort, session, meta, prompt, nDecode) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let {logits, past} = await c.step(ort, session, meta, prompt, c.emptyPast(ort, meta));
  let tok = c.argmax(logits);
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage();
  const tokens = [tok];
  for (let i = 0; i < nDecode; i++) {
    ({logits, past} = await c.step(ort, session, meta, [tok], past));
    tok = c.argmax(logits);
    tokens.push(tok);
  }
  const t2 = process.hrtime.bigint();
  const c2 = process.cpuUsage();
  const cpu = (a, b) => (b.user + b.system - a.user - a.system) / 1e6;
  return {prefillS: Number(t1 - t0) / 1e9, decodeS: Number(t2 - t1) / 1e9,
          prefillCpuS: cpu(c0, c1), decodeCpuS: cpu(c1, c2), tokens};
}

async function main() {
  const args = c.parseArgs(process.argv.slice(2), {
    model_dir: '', variants: '', threads: '1,2', decode: '32', runs: '3', json: false, ort: '',
  });
  if (!args.model_dir) throw new Error('--model-dir is required');
  const ort = c.loadOrt(args.ort);
  const meta = c.readMeta(args.model_dir);
  const prompt = c.readReference(args.model_dir).prompt;
  const nDecode = Number(args.decode), runs = Number(args.runs);
  const variants = args.variants ? args.variants.split(',') : meta.variants;
  const rows = [];
  for (const variant of variants) {
    for (const threads of args.threads.split(',').map(Number)) {
      const t0 = process.hrtime.bigint();
      const session = await c.createSession(ort, path.join(args.model_dir, `${variant}.onnx`), threads);
      const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
      await generate(ort, session, meta, prompt.slice(0, 16), 2);  // warm-up
      const prefill = [], ttft = [], decode = [], prefillCpu = [], decodeCpu = [];
      let tokens;
      for (let r = 0; r < runs; r++) {
        const g = await generate(ort, session, meta, prompt, nDecode);
        prefill.push(prompt.length / g.prefillS);
        ttft.push(g.prefillS * 1e3);
        decode.push(nDecode / g.decodeS);
        prefillCpu.push(g.prefillCpuS * 1e3 / prompt.length);
        decodeCpu.push(g.decodeCpuS * 1e3 / nDecode);
        tokens = g.tokens;
      }
      const row = {engine: 'onnxruntime', engine_version: ort.env.versions.node, model: meta.model,
                   variant, threads, prompt_tokens: prompt.length, decode_tokens: nDecode, runs,
                   prefill_tok_s: stats(prefill), decode_tok_s: stats(decode), ttft_ms: stats(ttft),
                   prefill_cpu_ms_per_tok: stats(prefillCpu), decode_cpu_ms_per_tok: stats(decodeCpu),
                   session_load_s: loadS, first_tokens: tokens.slice(0, 8)};
      rows.push(row);
      if (!args.json) {
        const f = (s, d) => `${s.median.toFixed(d)} [${s.min.toFixed(d)}, ${s.max.toFixed(d)}]`;
        console.log(`ort ${meta.model} ${variant} t${threads}: prefill ${f(row.prefill_tok_s, 1)} tok/s, ` +
                    `ttft ${f(row.ttft_ms, 0)} ms, decode ${f(row.decode_tok_s, 2)} tok/s, decode cpu ` +
                    `${f(row.decode_cpu_ms_per_tok, 1)} ms/tok (median [min, max] of ${runs})`);
      }
      await session.release();
    }
  }
  if (args.json) console.log(JSON.stringify(rows, null, 1));
}

main().catch((e) => { console.error(`ort_decode: ${e.message}`); process.exitCode = 2; });
