/**
 * What each shard of a suite would run, before running it: comparison groups, cases, predicted
 * time (src/run/shard.ts: a prediction for balancing, not a measurement), the largest analytic
 * peak memory of its cases, and the memory a pod needs by the rule deploy/k8s uses.
 *   npx tsx scripts/shard-plan.ts SUITE N
 * The plan is made for the engines available here (as npm run bench would choose them): run it on
 * a machine like the ones that will run the shards.
 */
import Table from 'cli-table3';
import { listEngines, probeNames, requestsOf, selectAll } from '../src/engine/resolve.ts';
import { planCases } from '../src/run/plan.ts';
import { casesMemoryBytes, parseShard, partition, podMemoryBytes } from '../src/run/shard.ts';
import { loadSuite } from '../src/run/suite.ts';

const [name, count] = process.argv.slice(2);
if (!name || !count) {
  console.error('usage: npx tsx scripts/shard-plan.ts SUITE N');
  process.exit(2);
}
const n = parseShard(`1/${count}`).count;
const suite = await loadSuite(name);
const requests = requestsOf(suite.engines);
const { engines } = selectAll(await listEngines(probeNames(requests)), requests);
const plan = planCases(suite, engines, 'plan');
const mib = (b: number) => `${Math.ceil(b / 2 ** 20)} MiB`;
const t = new Table({ style: { head: [], border: [] }, head: ['shard', 'groups', 'cases', 'predicted min', 'largest analytic memory'] });
partition(plan, n).forEach((groups, i) => {
  const cases = groups.flatMap((g) => g.cases), seconds = groups.reduce((s, g) => s + g.cost, 0);
  t.push([`${i + 1}/${n}`, groups.length, cases.length, (seconds / 60).toFixed(1), cases.length ? mib(casesMemoryBytes(cases)) : '']);
});
console.log(`suite '${suite.name}' on ${engines.map((e) => e.id).join(', ')}: ${plan.length} case(s)\n${t.toString()}`);
console.log(`pod memory (1 GiB + 2 × the largest analytic peak memory): ${mib(podMemoryBytes(plan))}`);
