// Plain-text tables and the target verdicts. The benchmark reports; it never fails on a time.

/** µs with about three significant figures. */
export function fmtUs(us) {
  if (us >= 100) return us.toFixed(0);
  if (us >= 10) return us.toFixed(1);
  return us.toFixed(2);
}

/** "median [min–max]" of a summary from measure.mjs. */
export function cell(summary, fmt = fmtUs) {
  return `${fmt(summary.median)} [${fmt(summary.min)}–${fmt(summary.max)}]`;
}

export const fmtRatio = (r) => (r === null ? 'n/a' : r.toFixed(2));

/** Left-aligned first column, the rest right-aligned; `rows` are arrays of strings. */
export function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => String(row[col] ?? '').length)));
  const line = (row) => row.map((v, col) => (col === 0 ? String(v).padEnd(widths[col]) : String(v).padStart(widths[col]))).join('   ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('   '), ...rows.map(line)].join('\n');
}

/**
 * "met" or "missed by X" for a value that must stay at or under `limit` (or strictly under, with
 * `strict`). `fmt` formats the difference. A null value (not measured) gives "n/a (reason)".
 */
export function verdict(value, limit, { strict = false, fmt = fmtRatio, reason = 'not measured' } = {}) {
  if (value === null || value === undefined) return `n/a (${reason})`;
  const met = strict ? value < limit : value <= limit;
  return met ? 'met' : `missed by ${fmt(value - limit)}`;
}
