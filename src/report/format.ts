/** Numbers as the report writes them, in pages, findings and the terminal alike. */

const NARROW_NBSP = '\u202f';

/** `digits` significant digits, trailing zeros dropped; '' when there is no number. */
export function sig(n: number | null | undefined, digits = 3): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '' : Number(n.toPrecision(digits)).toString();
}

/** An integer count with thousands grouped: 16 384. */
export function count(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, NARROW_NBSP);
}

/** A signed count: +16 384, −1 024, 0. */
export function signedCount(n: number): string {
  return n > 0 ? `+${count(n)}` : n < 0 ? `−${count(-n)}` : '0';
}

/** A relative change given as a fraction: 0.003 → "+0.3 %", −0.12 → "−12 %". */
export function percent(fraction: number): string {
  const p = fraction * 100, magnitude = Number(Math.abs(p).toFixed(Math.abs(p) < 10 ? 1 : 0));
  return `${p < 0 && magnitude !== 0 ? '−' : '+'}${magnitude}${NARROW_NBSP}%`;
}

/** A ratio to two significant digits, kept (1.0×, not 1×): 2.1×, 0.93×, 12×, 150×. */
export function times(ratio: number): string {
  return `${ratio >= 100 ? Math.round(ratio) : ratio.toPrecision(2)}×`;
}

/** A list read as prose: "a", "a and b", "a, b and c". */
export function prose(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Bytes in binary units, 3 significant digits: 131072 → "128 KiB". */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i === 0 ? n : sig(n, 3)}\u202f${units[i]}`;
}
