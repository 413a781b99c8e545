// How the bench writes its figures, on the console and in BENCHMARKS.md alike.
import type { Spread } from "./timing.ts";

/** A number with thousands commas and exactly `digits` decimals. */
export const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A median with its interquartile range, as "12.3 (11.9–12.8)". */
export const fmtSpread = (s: Spread, digits = 1) => `${fmt(s.median, digits)} (${fmt(s.p25, digits)}–${fmt(s.p75, digits)})`;

/** The lowest to the highest of `values`, as "1.04–1.39", or one figure when they print alike. */
export function range(values: number[], digits = 0): string {
  const low = fmt(Math.min(...values), digits);
  const high = fmt(Math.max(...values), digits);
  return low === high ? low : `${low}–${high}`;
}

/** A list in words: "a", "a and b", "a, b and c". */
export function list(items: string[]): string {
  return items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** An ISO date as "2026-11-30 07:41 UTC". */
export const fmtDate = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** A markdown table, its columns padded to one width so that it reads as a table in plain text too. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, at) => Math.max(3, cell.length, ...rows.map((row) => (row[at] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((cell, at) => cell.padEnd(widths[at] as number)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}
