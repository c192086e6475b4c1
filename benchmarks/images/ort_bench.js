// Times batch-1 inference of an ONNX model with onnxruntime-node (CPU, one session per
// intra-op thread count) and prints one JSON line:
//   {"threads": [{"threads": T, "median": ms, "p90": ms}, ...], "peak_rss_kib": K}
// The input is N(0, 1)-like noise from a fixed LCG (the models here take latents).
//
//   node ort_bench.js MODEL ORT_NODE_MODULES DIMS THREADS RUNS WARMUP
//   e.g. node ort_bench.js generator.onnx .data/npm/ort/node_modules 1,100,1,1 1,2 200 20
'use strict';
const path = require('path');

const [model, ortModules, dimsArg, threadsArg, runsArg, warmupArg] = process.argv.slice(2);
if (!warmupArg) {
  console.error('usage: node ort_bench.js MODEL ORT_NODE_MODULES DIMS THREADS RUNS WARMUP');
  process.exit(2);
}
const ort = require(path.resolve(ortModules, 'onnxruntime-node'));
const dims = dimsArg.split(',').map(Number);
const runs = Number(runsArg), warmup = Number(warmupArg);

function noise(n) {
  const v = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; ++i) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = (s / 4294967296) * 2 - 1;
  }
  return v;
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main() {
  const results = [];
  const x = new ort.Tensor('float32', noise(dims.reduce((a, b) => a * b, 1)), dims);
  for (const threads of threadsArg.split(',').map(Number)) {
    const session = await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
      graphOptimizationLevel: 'all'});
    const feeds = {[session.inputNames[0]]: x};
    for (let i = 0; i < warmup; ++i) await session.run(feeds);
    const times = [];
    for (let i = 0; i < runs; ++i) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    results.push({threads, median: quantile(times, 0.5), p90: quantile(times, 0.9)});
  }
  console.log(JSON.stringify({threads: results, peak_rss_kib: process.resourceUsage().maxRSS}));
}

main().catch((e) => {
  console.error(`ort_bench: ${e.message}`);
  process.exit(1);
});
