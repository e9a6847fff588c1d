/**
 * full's traced ONNX graph, after ORT's optimiser, is node for node the hand-written peer graph
 * (scripts/peer-graph.ts, ../shared/peers/onnx_attention.mjs): no extra Transpose, Reshape or scale
 * pass, the scale folded into the scores' product on both (issue 24: full vs the hand-written graph).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadOrt, traceGraph } from '../../src/engine/onnx/index.ts';
import { buildConfiguration, caseData } from '../../src/measure/case.ts';
import type { Case } from '../../src/results/types.ts';
import { nodeText, peerGraph } from '../../scripts/peer-graph.ts';
import { tmpDir } from '../cli/helpers.ts';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto');

async function optimisedNodes(model: Uint8Array): Promise<string[]> {
  const file = path.join(tmpDir(), 'optimised.onnx'), ort = loadOrt();
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all', intraOpNumThreads: 1,
    optimizedModelFilePath: file });
  await session.release();
  const nodes = onnx.ModelProto.decode(readFileSync(file)).graph!.node!.map(nodeText);
  rmSync(file);
  return nodes;
}

test('full on onnx optimises to the peer graph\'s nodes (N=64, d=32, 4 heads)', async () => {
  const shape = { batch: 1, seqLen: 64, dModel: 32, heads: 4 };
  const engine = { id: 'onnx/cpu', engine: 'onnx', backend: 'cpu', available: true, device: 'cpu' } as Case['engine'];
  const { base, x } = caseData({ seed: 1, shape, weights: { init: 'gaussian' } });
  const { w, forward } = buildConfiguration({ variant: 'full', options: {}, seed: 1, shape, engine }, base);
  const ours = await optimisedNodes(traceGraph(forward, w, x.shape).model), peer = await optimisedNodes(peerGraph(64, 32, 4));
  assert.ok(ours.some((nd) => nd.startsWith('FusedMatMul(') && nd.includes('alpha=0.35355')), // 1/√8 in the product
    `the scale folded into the product: ${ours.join(' ')}`);
  assert.deepEqual(ours, peer);
});
