/** Every op's shapes are checked (src/engine/ops.ts): the shape recorder, the ONNX tracer and tfjs refuse the same bad shapes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { shapeOps, type Shaped } from '../../src/engine/flop-recorder.ts';
import { traceGraph } from '../../src/engine/onnx/trace.ts';
import type { Ops } from '../../src/engine/ops.ts';
import { forwardProgram, type ForwardFn } from '../../src/engine/types.ts';
import { tfjsEngine } from '../../src/engine/tfjs.ts';

/** Forwards on x [2, 3, 4] that each misuse one op. */
const BAD: Record<string, { forward: ForwardFn; error: RegExp }> = {
  reshape: { forward: (ops, x) => ops.reshape(x, [5, 5]), error: /reshape: \[2,3,4\] cannot become \[5,5\]/ },
  transpose: { forward: (ops, x) => ops.transpose(x, [0, 0, 1]), error: /transpose: \[0,0,1\] is not a permutation/ },
  slice: { forward: (ops, x) => ops.slice(x, [0, 2, 0], [2, 2, 4]), error: /slice: begin \[0,2,0\] size \[2,2,4\] is not inside/ },
  concat: { forward: (ops, x) => ops.concat([x, ops.reshape(x, [2, 4, 3])], 1), error: /concat: .* do not join along axis 1/ },
  pad: { forward: (ops, x) => ops.pad(x, [[0, 1]]), error: /pad: .* does not pad the 3 axes/ },
  gather: { forward: (ops, x) => ops.gather(x, 1, [0, 3]), error: /gather: axis 1 and indices \[0,3\] do not pick entries of \[2,3,4\]/ },
};

for (const [op, { forward, error }] of Object.entries(BAD)) {
  test(`${op} with a bad shape: the shape recorder, the ONNX tracer and tfjs each refuse it`, async () => {
    assert.throws(() => forward(shapeOps(() => undefined) as Ops<Shaped>, { shape: [2, 3, 4] }, {}), error);
    assert.throws(() => traceGraph(forward, {}, [2, 3, 4]), error);
    await tf.setBackend('cpu');
    const info = { engine: 'tfjs', backend: 'cpu', id: 'tfjs/cpu', priority: 60, available: true };
    const engine = tfjsEngine(tf, 'cpu', info);
    await assert.rejects(engine.prepare(forwardProgram(forward, { data: new Float32Array(24), shape: [2, 3, 4] }), {})
      .then((p) => p.run()), error);
  });
}

test('good shapes pass every check, and the recorder and the tracer agree on the output', () => {
  const ok: ForwardFn = (ops, x) => ops.concat([ops.slice(ops.transpose(ops.reshape(x, [2, 4, 3]), [0, 2, 1]), [0, 0, 0], [2, 3, 2]),
    ops.pad(ops.slice(x, [0, 0, 0], [2, 3, 1]), [[0, 0], [0, 0], [0, 1]])], 2);
  const recorded = (ok(shapeOps(() => undefined) as Ops<Shaped>, { shape: [2, 3, 4] }, {}) as Shaped).shape;
  assert.deepEqual(recorded, [2, 3, 4]);
  assert.deepEqual(traceGraph(ok, {}, [2, 3, 4]).output.shape, recorded);
});
