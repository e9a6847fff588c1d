/**
 * When a warm-up has reached steady state. The first passes of a case run slower for reasons that
 * pass: the first pass's allocations and kernel choices, V8's wasm tier-up from Liftoff to
 * TurboFan (tfjs/wasm), ORT's arena growing. Kalibera & Jones (2013) ask for warm-up to end where
 * the times stop trending, not after a fixed time; this is that rule, one-sided: the times are
 * steady once the median of the last STEADY_WINDOW passes is no longer faster than the median of
 * the STEADY_WINDOW passes before it by more than STEADY_TOLERANCE. Getting slower is not warm-up
 * (it is the machine, or drift), so it does not keep a case warming. docs/variance.md measures it.
 */
import { quantile } from './latency.ts';

export const STEADY_WINDOW = 3;
export const STEADY_TOLERANCE = 0.05;

const medianOf = (xs: readonly number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);

/** True once the warm-up times (ms, in run order) have stopped getting faster; false while fewer than 2 windows. */
export function isSteady(times: readonly number[], window = STEADY_WINDOW, tolerance = STEADY_TOLERANCE): boolean {
  if (times.length < 2 * window) return false;
  const last = medianOf(times.slice(-window)), before = medianOf(times.slice(-2 * window, -window));
  return last >= (1 - tolerance) * before;
}
