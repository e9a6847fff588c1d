/**
 * tfjs/wasm's Slice kernel, copying only the slice. The kernel of @tensorflow/tfjs-backend-wasm
 * 4.22 reads its whole input out of the WebAssembly heap first (`backend.readSync`, a copy of every
 * element), then copies the slice from that copy: cutting one [8, 1024, 1024] tensor into its 8
 * entries copied 8 × 32 MB, 218 ms, where the entries alone are 32 MB. Upstream's kernel has since
 * read the input in place (`typedArrayFromHeap`, tfjs master's tfjs-backend-wasm/src/kernels/Slice.ts),
 * unreleased; this is that kernel: the same values, read in place, copied in contiguous runs.
 * Registered in place of the package's kernel when the wasm backend loads (tfjs.ts).
 */
import type * as TF from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses (public methods of its class). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: TF.DataType): TF.TensorInfo;
  typedArrayFromHeap(t: TF.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Copies the slice `begin`/`size` of `src` (row-major, `shape`) into `out`, in runs: the last axis,
 * extended over every trailing axis the slice covers whole.
 */
export function copySlice(src: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> },
  shape: readonly number[], begin: readonly number[], size: readonly number[], out: { set(v: ArrayLike<number>, at: number): void }): void {
  const rank = shape.length;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  let k = rank - 1, run = size[k];
  while (k > 0 && size[k] === shape[k]) run *= size[--k];
  const base = begin.reduce((sum, b, i) => sum + (i >= k ? b * strides[i] : 0), 0);
  const outer = size.slice(0, k), index = outer.map(() => 0);
  const runs = outer.reduce((a, b) => a * b, 1);
  for (let r = 0; r < runs; r++) {
    let from = base;
    for (let i = 0; i < k; i++) from += (begin[i] + index[i]) * strides[i];
    out.set(src.subarray(from, from + run), r * run);
    for (let i = k - 1; i >= 0 && ++index[i] === outer[i]; i--) index[i] = 0; // odometer
  }
}

const registered = new WeakSet<object>();

/** Replaces the wasm backend's Slice kernel with one that copies only the slice (see the file's doc). */
export function registerHeapSlice(tf: typeof TF): void {
  if (registered.has(tf)) return;
  registered.add(tf);
  const previous = tf.getKernel('Slice', 'wasm');
  if (!previous) throw new Error('tfjs/wasm has no Slice kernel to replace');
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({
    kernelName: 'Slice', backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as TF.TensorInfo, attrs = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
      if (x.dtype === 'string') return previous.kernelFunc(args);
      const backend = args.backend as unknown as WasmBackend;
      const [begin, size] = tf.slice_util.parseSliceParams(x as TF.Tensor, attrs.begin, attrs.size);
      const out = backend.makeOutput(size, x.dtype);
      // Views taken after makeOutput: an allocation may grow the heap and detach views taken before.
      if (size.every((n) => n > 0)) copySlice(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
      return out;
    },
  });
}
