/**
 * What run.json says about weights read from a file: its name and sha256 (which file exactly), how it
 * was read (scheme, prefix, dtypes), and the singular-value spectrum of each projection, which decides
 * what the low-rank variants (SVD, LoRA's premise, Linformer) cost on this layer.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { WeightsFileFacts } from '../results/types.ts';
import { singularValues } from './svd.ts';
import { inspectWeightsFile, layoutFacts, readBaseWeights } from './weights-file.ts';

/**
 * Widest layer whose spectrum is computed: ml-matrix's exact SVD of one D×D matrix took 5 s at D = 768
 * here (O(D³)), so D = 1024 costs about a minute for the four projections and D = 12288 would take days.
 */
export const SPECTRUM_MAX_D = 1024;

/** sha256 of a file read in 16 MiB chunks (weights files can exceed Node's largest Buffer); of a folder, see WeightsFileFacts. */
export function sha256Of(file: string): string {
  const h = createHash('sha256');
  const hashFile = (f: string) => {
    const fd = openSync(f, 'r'), chunk = Buffer.alloc(16 * 2 ** 20);
    try {
      for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) h.update(chunk.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  };
  if (!statSync(file).isDirectory()) hashFile(file);
  else for (const f of readdirSync(file).filter((n) => n.endsWith('.npy')).sort()) { h.update(`${f}\0`); hashFile(path.join(file, f)); }
  return h.digest('hex');
}

/** The facts of a weights file for run.json; reads the weights (for the spectrum) when D ≤ SPECTRUM_MAX_D. */
export function weightsFileFacts(file: string, prefix = ''): WeightsFileFacts {
  const layout = inspectWeightsFile(file, prefix), D = layout.dModel;
  const facts: WeightsFileFacts = { ...layoutFacts(layout), sha256: sha256Of(file) };
  if (D > SPECTRUM_MAX_D) return { ...facts, spectrumSkipped: `D = ${D}: an exact SVD above D = ${SPECTRUM_MAX_D} takes too long` };
  const base = readBaseWeights(layout);
  const sv = (w: { data: Float32Array; shape: number[] }) => singularValues(w.data, D, w.shape[1]);
  return { ...facts, spectrum: { q: sv(base.Wq), k: sv(base.Wk), v: sv(base.Wv), o: sv(base.Wo) } };
}
