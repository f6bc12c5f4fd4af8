/**
 * Order of image versions (`22.04.202401010`, `1.10.0`): numeric segment by
 * segment, text where a segment is not a number.
 *
 * Picks the newest platform image version. ARM's `$orderby=name desc` sorts
 * names as text, so "1.0.9" would beat "1.0.10"; versions are compared
 * numerically segment by segment instead.
 */
export function newestVersion(names: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const name of names) {
    if (best === undefined || compareVersions(name, best) > 0) best = name;
  }
  return best;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = /^\d+$/.test(x) ? BigInt(x) : undefined;
    const ny = /^\d+$/.test(y) ? BigInt(y) : undefined;
    if (nx !== undefined && ny !== undefined) {
      if (nx !== ny) return nx > ny ? 1 : -1;
    } else if (x !== y) {
      return x > y ? 1 : -1;
    }
  }
  return 0;
}
