// Correctness of the ONNX exports under ONNX Runtime: runs the reference prompt (prefill) and the
// reference's greedy tokens (teacher-forced decode steps) through each variant and prints, per
// variant, the largest relative logit error vs PyTorch FP32 (max |ort - torch| / max |torch| over
// each logit row, maximum over rows) and top-1 agreement. FP32 must be within --tol (1e-4); the
// int8 / int4 errors are reported, not bounded; with reference_int4.bin present the int4 graph
// must also match torch with the int4 round-tripped weights within --tol. With the selftest graphs of export_onnx.py
// --selftest present, also checks the int8 / int4 weight layouts on one node against numpy.
// Usage: node benchmarks/text/ort_check.js --model-dir .data/text/onnx/gpt2 [--json]
'use strict';
const fs = require('fs');
const path = require('path');
const c = require('./ort_common');

function relErr(got, ref) {
  let diff = 0, scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return diff / scale;
}

async function main() {
  const args = c.parseArgs(process.argv.slice(2), {model_dir: '', variants: '', tol: '1e-4', json: false, ort: ''});
  if (!args.model_dir) throw new Error('--model-dir is required');
  const ort = c.loadOrt(args.ort);
  const meta = c.readMeta(args.model_dir);
  const ref = c.readReference(args.model_dir);
  const tol = Number(args.tol);
  const variants = args.variants ? args.variants.split(',') : meta.variants;
  const rows = [];
  let ok = true;
  for (const variant of variants) {
    const session = await c.createSession(ort, path.join(args.model_dir, `${variant}.onnx`), 2);
    let {logits, past} = await c.step(ort, session, meta, ref.prompt, c.emptyPast(ort, meta));
    const errs = [relErr(logits, ref.logits[0])];
    let top1 = Number(c.argmax(logits) === c.argmax(ref.logits[0]));
    for (let s = 0; s < ref.tokens.length; s++) {
      ({logits, past} = await c.step(ort, session, meta, [ref.tokens[s]], past));
      errs.push(relErr(logits, ref.logits[s + 1]));
      top1 += Number(c.argmax(logits) === c.argmax(ref.logits[s + 1]));
    }
    const row = {model: meta.model, variant, positions: errs.length, max_rel_err: Math.max(...errs),
                 rel_err_per_position: errs, top1_agree: `${top1}/${errs.length}`};
    if (variant === 'fp32') { row.tol = tol; row.pass = row.max_rel_err <= tol; ok = ok && row.pass; }
    rows.push(row);
    if (variant === 'int4' && fs.existsSync(path.join(args.model_dir, 'reference_int4.bin'))) {
      // the same graph against torch with the int4 round-tripped weights: checks the whole graph
      const ref4 = c.readReference(args.model_dir, 'reference_int4.bin');
      ({logits, past} = await c.step(ort, session, meta, ref4.prompt, c.emptyPast(ort, meta)));
      const errs4 = [relErr(logits, ref4.logits[0])];
      for (let s = 0; s < ref4.tokens.length; s++) {
        ({logits, past} = await c.step(ort, session, meta, [ref4.tokens[s]], past));
        errs4.push(relErr(logits, ref4.logits[s + 1]));
      }
      const r4 = {model: meta.model, variant: 'int4_vs_torch_int4_weights', positions: errs4.length,
                  max_rel_err: Math.max(...errs4), rel_err_per_position: errs4, tol, pass: Math.max(...errs4) <= tol};
      ok = ok && r4.pass;
      rows.push(r4);
    }
  }
  const self = path.join(args.model_dir, 'selftest.json');
  if (fs.existsSync(self)) {
    const st = JSON.parse(fs.readFileSync(self, 'utf8'));
    const [m, k] = st.shape;
    for (const [variant, tolSelf] of [['int8', 1e-3], ['int4', 1e-5]]) {
      const session = await c.createSession(ort, path.join(args.model_dir, `selftest_${variant}.onnx`), 1);
      const out = await session.run({A: new ort.Tensor('float32', Float32Array.from(st.A), [m, k])});
      const err = relErr(out.Y.data, st[`expected_${variant}`]);
      const row = {model: meta.model, variant: `selftest_${variant}`, max_rel_err: err, tol: tolSelf, pass: err <= tolSelf};
      ok = ok && row.pass;
      rows.push(row);
    }
  }
  if (args.json) {
    console.log(JSON.stringify(rows, null, 1));
  } else {
    for (const r of rows) {
      const vs = r.variant.startsWith('selftest') ? 'numpy' : (r.variant.startsWith('int4_vs') ? 'torch, int4 weights' : 'torch fp32');
      console.log(`${r.model} ${r.variant.split('_vs')[0]}: max rel err vs ${vs} = ${r.max_rel_err.toExponential(2)}` +
                  (r.top1_agree ? ` top1 ${r.top1_agree}` : '') + (r.pass === undefined ? '' : (r.pass ? ' ok' : ' FAIL')));
    }
  }
  process.exitCode = ok ? 0 : 1;
}

main().catch((e) => { console.error(`ort_check: ${e.message}`); process.exitCode = 2; });
