// Imports the real Sigma corpus (../shared/detections/sigma) with Hindsight's rule importer and
// compares it with a plain `yaml` parse of the same files (same file list, same bounded concurrent
// reads). Run `npm run build` first. Prints both medians and the ratio.
//   node bench/rules-import.mjs [DIR] [ROUNDS]
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { collectRuleFiles, importRules } from '../dist/rules/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.argv[2] || join(root, '..', 'shared', 'detections', 'sigma');
const rounds = Number(process.argv[3] || 5);

async function plainYaml(files) {
  let next = 0;
  let docs = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      const source = await readFile(file, 'utf8');
      if (parse(source) != null) docs += 1;
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  return docs;
}

const files = (await collectRuleFiles([dir], 'auto')).map((t) => t.file);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const plainTimes = [];
const importTimes = [];
let inventory;
// Warm-up round of each, not counted.
await plainYaml(files);
await importRules([dir]);
for (let i = 0; i < rounds; i++) {
  let t = performance.now();
  await plainYaml(files);
  plainTimes.push(performance.now() - t);
  t = performance.now();
  inventory = await importRules([dir]);
  importTimes.push(performance.now() - t);
}
const plain = median(plainTimes);
const imported = median(importTimes);
console.log(`files: ${files.length}, rules: ${inventory.stats.parsed}, mapped: ${inventory.stats.mapped}, failed: ${inventory.stats.failed}`);
console.log(`plain yaml parse (median of ${rounds}): ${plain.toFixed(0)} ms`);
console.log(`importRules      (median of ${rounds}): ${imported.toFixed(0)} ms`);
console.log(`ratio: ${(imported / plain).toFixed(2)}x`);
