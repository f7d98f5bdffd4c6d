// Runs tests/data/live_sync_cases.json on static/js/live-sync.js (called by test_live_sync.py).
import { readFileSync } from "node:fs";
import { ThreadSync } from "../../static/js/live-sync.js";

const { cases } = JSON.parse(readFileSync(new URL("../data/live_sync_cases.json", import.meta.url)));
const failures = [];
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
for (const c of cases) {
  const sync = new ThreadSync(c.synced, c.shown);
  c.steps.forEach((step, n) => {
    const got = {};
    if (step.receive) got.action = sync.receive(step.receive);
    if (step.ack) Object.assign(got, sync.acknowledge(step.ack));
    if (step.hide) got.gone = sync.hide(step.hide);
    if (step.catch_up !== undefined) got.request = sync.catchUp(step.catch_up);
    got.synced = sync.synced;
    got.gap = sync.hasGap();
    got.shown = [...sync.shown].sort((a, b) => a - b);
    for (const [key, want] of Object.entries(step.expect)) {
      if (!same(got[key], want)) failures.push(`${c.name}, step ${n + 1}: ${key} is ${JSON.stringify(got[key])}, expected ${JSON.stringify(want)}`);
    }
  });
}
if (failures.length) { console.error(failures.join("\n")); process.exit(1); }
console.log(`${cases.length} cases passed`);
