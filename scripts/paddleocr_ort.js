// Runs the PaddleOCR v4 ONNX models (detection, recognition, direction classifier) with
// onnxruntime-node on fixed deterministic inputs and writes what tests/paddleocr_test.cc
// compares mint with:
//   <out>/<key>.input.f32   the input, raw little-endian float32
//   <out>/<key>.output.f32  ORT's first output, raw little-endian float32
//   <out>/manifest.txt      one line per model: key model-file input-name input-dims
//                           output-name output-dims (dims comma-separated)
// Inputs are uniform in [-1, 1) (the models' normalized pixel range) from a 32-bit LCG; the
// detector's is a synthetic page instead (dark glyph-like blocks in rows on a light background,
// plus that noise at 0.1), so that its probability map is not all zero.
//
//   node scripts/paddleocr_ort.js MODEL_DIR ORT_NODE_MODULES OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');

const [modelDir, ortModules, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node paddleocr_ort.js MODEL_DIR ORT_NODE_MODULES OUT_DIR');
  process.exit(2);
}
const ort = require(path.join(ortModules, 'onnxruntime-node'));

const MODELS = [
  {key: 'det', file: 'ch_PP-OCRv4_det_infer.onnx', dims: [1, 3, 96, 128], seed: 1, text: true},
  {key: 'rec', file: 'ch_PP-OCRv4_rec_infer.onnx', dims: [1, 3, 48, 160], seed: 2},
  {key: 'cls', file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', dims: [1, 3, 48, 192], seed: 3},
];

function lcgInput(n, seed) {
  const v = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; ++i) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = (s / 4294967296) * 2 - 1;
  }
  return v;
}

// A light page with rows of dark blocks, normalized like PaddleOCR's detector input
// ((v - mean) / std per channel, ImageNet statistics), with LCG noise of amplitude 0.1.
function textPage(dims, seed) {
  const [, c, h, w] = dims;
  const noise = lcgInput(c * h * w, seed);
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  const x = new Float32Array(c * h * w);
  for (let y = 0; y < h; ++y) {
    for (let i = 0; i < w; ++i) {
      const row = Math.floor(y / 24), inRow = y % 24;
      const glyph = Math.floor(i / 9) + row * 7;
      const dark = inRow >= 6 && inRow < 18 && i >= 8 && i < w - 8 && (i % 9) < 6 &&
                   (glyph * 2654435761 >>> 0) % 5 !== 0;
      const v = dark ? 0.1 : 0.92;
      for (let ch = 0; ch < c; ++ch) {
        const k = (ch * h + y) * w + i;
        x[k] = (v - mean[ch]) / std[ch] + 0.1 * noise[k];
      }
    }
  }
  return x;
}

async function main() {
  fs.mkdirSync(outDir, {recursive: true});
  const lines = [];
  for (const m of MODELS) {
    const file = path.join(modelDir, m.file);
    if (!fs.existsSync(file)) throw new Error('missing ' + file);
    // One thread and no graph rewrites beyond the basic ones: a plain float reference.
    const session = await ort.InferenceSession.create(file, {
      intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'basic'});
    const inputName = session.inputNames[0];
    const outputName = session.outputNames[0];
    const n = m.dims.reduce((a, b) => a * b, 1);
    const x = m.text ? textPage(m.dims, m.seed) : lcgInput(n, m.seed);
    const feeds = {[inputName]: new ort.Tensor('float32', x, m.dims)};
    const result = await session.run(feeds);
    const y = result[outputName];
    fs.writeFileSync(path.join(outDir, m.key + '.input.f32'), Buffer.from(x.buffer));
    fs.writeFileSync(path.join(outDir, m.key + '.output.f32'),
                     Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
    lines.push([m.key, m.file, inputName, m.dims.join(','), outputName, y.dims.join(',')].join(' '));
    console.log(`paddleocr_ort: ${m.key}: ${m.file} ${inputName}[${m.dims}] -> ${outputName}[${y.dims}]`);
  }
  fs.writeFileSync(path.join(outDir, 'manifest.txt'), lines.join('\n') + '\n');
}

main().catch((e) => {
  console.error('paddleocr_ort: ' + (e && e.stack || e));
  process.exit(1);
});
