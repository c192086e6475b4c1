// Shared by ort_decode.js and ort_check.js: loads onnxruntime-node, the export's meta.json and
// reference.bin (models/text/export_onnx.py), and runs prefill / one decode step with the KV
// cache of the exported graphs (inputs input_ids + past_key_values.{i}.{key,value}, outputs
// logits [1, 1, V] + present.{i}.{key,value}).
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');

function loadOrt(override) {
  const dir = override || process.env.MINT_ORT_NODE ||
      path.join(ROOT, '.data', 'npm', 'ort', 'node_modules', 'onnxruntime-node');
  const binding = path.join(dir, 'bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node');
  if (!fs.existsSync(binding)) {
    throw new Error(`onnxruntime-node binary not found at ${binding} ` +
                    '(install: scripts/fetch-paddleocr.sh or see benchmarks/text/README.md)');
  }
  return require(dir);
}

function readMeta(modelDir) {
  return JSON.parse(fs.readFileSync(path.join(modelDir, 'meta.json'), 'utf8'));
}

// reference.bin: u32 n_prompt, n_steps, vocab; i64 prompt[n_prompt]; i64 tokens[n_steps];
// f32 logits[n_steps + 1][vocab].
function readReference(modelDir, name = 'reference.bin') {
  const buf = fs.readFileSync(path.join(modelDir, name));
  const nPrompt = buf.readUInt32LE(0), nSteps = buf.readUInt32LE(4), vocab = buf.readUInt32LE(8);
  let off = 12;
  const prompt = [], tokens = [];
  for (let i = 0; i < nPrompt; i++, off += 8) prompt.push(Number(buf.readBigInt64LE(off)));
  for (let i = 0; i < nSteps; i++, off += 8) tokens.push(Number(buf.readBigInt64LE(off)));
  const logits = [];
  for (let r = 0; r <= nSteps; r++) {
    const row = new Float32Array(vocab);
    for (let j = 0; j < vocab; j++, off += 4) row[j] = buf.readFloatLE(off);
    logits.push(row);
  }
  return {prompt, tokens, logits, vocab};
}

async function createSession(ort, file, threads) {
  return ort.InferenceSession.create(file, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}

function emptyPast(ort, meta) {
  const feeds = {};
  for (let i = 0; i < meta.layers; i++) {
    for (const kind of ['key', 'value']) {
      feeds[`past_key_values.${i}.${kind}`] =
          new ort.Tensor('float32', new Float32Array(0), [1, meta.kv_heads, 0, meta.head_dim]);
    }
  }
  return feeds;
}

// One forward over `ids` (array of token ids) after `past`; returns {logits, past}.
async function step(ort, session, meta, ids, past) {
  const feeds = Object.assign({}, past);
  feeds.input_ids = new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
  const out = await session.run(feeds);
  const next = {};
  for (let i = 0; i < meta.layers; i++) {
    for (const kind of ['key', 'value']) next[`past_key_values.${i}.${kind}`] = out[`present.${i}.${kind}`];
  }
  return {logits: out.logits.data, past: next};
}

function argmax(a) {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

function parseArgs(argv, defaults) {
  const args = Object.assign({}, defaults);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const key = a.slice(2).replace(/-/g, '_');
    if (!(key in defaults)) throw new Error(`unknown option ${a}`);
    if (typeof defaults[key] === 'boolean') { args[key] = true; continue; }
    if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
    args[key] = argv[++i];
  }
  return args;
}

module.exports = {ROOT, loadOrt, readMeta, readReference, createSession, emptyPast, step, argmax, parseArgs};
