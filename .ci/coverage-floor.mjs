// Fails when the test run covered a smaller share of lines than the floor: `node coverage-floor.mjs SUMMARY FLOOR`
// (SUMMARY is tap's json-summary report). Prints the figures either way.
import { readFileSync } from 'node:fs';

const [file, floorArg] = process.argv.slice(2);
const floor = Number(floorArg);
let total;
try {
  total = JSON.parse(readFileSync(file, 'utf8')).total;
} catch (err) {
  console.error(`ci: no coverage summary at ${file}: ${err.message}`);
  process.exit(1);
}
const shown = ['lines', 'statements', 'functions', 'branches'].map((k) => `${k} ${total[k].pct}%`).join(', ');
if (!(total.lines.pct >= floor)) {
  console.error(`ci: coverage ${shown}: lines below the floor of ${floor}%`);
  process.exit(1);
}
console.log(`ci: coverage ${shown} (floor: lines ${floor}%)`);
