export const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

/** "met" or "MISSED", the way every benchmark prints a target. */
export const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
