// Reference encodings from the npm package gpt-3-encoder (Encoder.js), for tokenizer_test.cc.
//
//   node encode.js <package-dir> <file>            prints encode(<file's text>) as a JSON array
//   node encode.js <package-dir> <file> --records  <file> is a sequence of records, each a
//       little-endian u32 byte length then that many bytes; prints one line per record with
//       its ids separated by spaces ("undefined" where Encoder.js yields no id)
//
// Bytes become a JS string with Buffer.toString('utf8'), which replaces ill-formed UTF-8 as the
// WHATWG decoder does (one U+FFFD per maximal subpart).
'use strict';
const fs = require('fs');
const path = require('path');

const [pkgDir, file, mode] = process.argv.slice(2);
if (!pkgDir || !file) {
  console.error('usage: node encode.js <package-dir> <file> [--records]');
  process.exit(2);
}
const { encode } = require(path.resolve(pkgDir, 'Encoder.js'));
const data = fs.readFileSync(file);

if (mode === '--records') {
  const out = [];
  let pos = 0;
  while (pos < data.length) {
    if (data.length - pos < 4) throw new Error('truncated record header at ' + pos);
    const n = data.readUInt32LE(pos);
    pos += 4;
    if (data.length - pos < n) throw new Error('truncated record at ' + pos);
    const text = data.subarray(pos, pos + n).toString('utf8');
    pos += n;
    out.push(encode(text).map(x => (x === undefined ? 'undefined' : String(x))).join(' '));
  }
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
} else {
  process.stdout.write(JSON.stringify(encode(data.toString('utf8'))) + '\n');
}
