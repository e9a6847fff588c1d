/**
 * Training steps on TensorFlow.js. The forward pass runs through the same `Ops` as inference
 * (tfjs.ts), so every variant trains through exactly the kernels it is timed with. Trainable
 * weights are tf.Variables, the only ones in the optimizer's var list; frozen weights are plain
 * tensors, which the gradient tape never differentiates. The optimizer is tf.train.adam: its
 * moments m and v are variables of their own, created at the first step.
 */
import type * as TF from '@tensorflow/tfjs';
import type { HostTensor, Ops } from './ops.ts';
import type { ForwardFn, PreparedTraining, TrainingSetup } from './types.ts';

type Tensor = TF.Tensor;

/** Bytes of a float32 tensor (every weight, gradient and optimizer moment here is float32). */
function bytesOf(t: Tensor): number {
  if (t.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return t.size * 4;
}

const sumBytes = (ts: Tensor[]) => ts.reduce((s, t) => s + bytesOf(t), 0);

/** Trainable weights as tf.Variables, the only ones the optimizer updates; the others as plain tensors. */
function holdWeights(tf: typeof TF, weights: Record<string, HostTensor>, trainable: string[]):
  { frozen: Record<string, Tensor>; vars: Record<string, TF.Variable> } {
  const missing = trainable.filter((n) => !(n in weights));
  if (missing.length > 0) throw new Error(`trainable weights ${missing.join(', ')} are not among the weights`);
  const frozen: Record<string, Tensor> = {}, vars: Record<string, TF.Variable> = {};
  for (const [name, t] of Object.entries(weights)) {
    const value = tf.tensor(t.data, t.shape, 'float32');
    if (!trainable.includes(name)) {
      frozen[name] = value;
      continue;
    }
    vars[name] = tf.variable(value, true);
    value.dispose(); // the variable holds its own reference to the data
  }
  return { frozen, vars };
}

/** ∂loss/∂w of every variable, by weight name (tf.variableGrads keys them by variable name). */
async function gradientsByName(tf: typeof TF, loss: () => TF.Scalar, vars: Record<string, TF.Variable>):
  Promise<Record<string, Float32Array>> {
  const nameOf = new Map(Object.entries(vars).map(([name, v]) => [v.name, name]));
  const { value, grads } = tf.variableGrads(loss, Object.values(vars));
  const out: Record<string, Float32Array> = {};
  for (const [varName, g] of Object.entries(grads)) out[nameOf.get(varName)!] = (await g.data()) as Float32Array;
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

export async function prepareTfjsTraining(tf: typeof TF, ops: Ops<Tensor>, memorySource: string, forward: ForwardFn,
  weights: Record<string, HostTensor>, input: HostTensor, setup: TrainingSetup): Promise<PreparedTraining> {
  const { frozen, vars } = holdWeights(tf, weights, setup.trainable);
  const w: Record<string, Tensor> = { ...frozen, ...vars };
  const varList = Object.values(vars);
  const x = tf.tensor(input.data, input.shape, 'float32');
  const target = tf.tensor(setup.target.data, setup.target.shape, 'float32');
  const optimizer = tf.train.adam(setup.learningRate);
  const loss = () => tf.tidy(() => tf.mean(tf.squaredDifference(forward(ops, x, w), target)) as TF.Scalar);

  const step = async () => {
    const cost = optimizer.minimize(loss, true, varList)!;
    const value = (await cost.data())[0];
    cost.dispose();
    return value;
  };
  return {
    step,
    gradients: () => gradientsByName(tf, loss, vars),
    async weights() {
      const out: Record<string, Float32Array> = {};
      for (const [name, t] of Object.entries(w)) out[name] = (await t.data()) as Float32Array;
      return out;
    },
    async heldBytes() {
      // getWeights() lists the step counter first (a fresh int32 scalar), then each moment variable.
      const [counter, ...moments] = await optimizer.getWeights();
      counter.tensor.dispose();
      return { trainable: sumBytes(varList), frozen: sumBytes(Object.values(frozen)),
        optimizerState: sumBytes(moments.map((m) => m.tensor)) };
    },
    async peakMemory() {
      const before = tf.memory().numBytes, tensorsBefore = tf.memory().numTensors;
      const profile = await tf.profile(step);
      if (tf.memory().numTensors !== tensorsBefore) {
        throw new Error(`training step leaked ${tf.memory().numTensors - tensorsBefore} tensors`);
      }
      return { peakBytes: profile.peakBytes - before, source: memorySource };
    },
    async dispose() {
      optimizer.dispose();
      tf.dispose([x, target, ...Object.values(w)]);
    },
  };
}
