// How the bench times calls, shared by every section: one call at a time after an untimed turn of the event loop,
// variants interleaved call by call, a GC before each sample, medians with their interquartile range, ratios paired per
// sample. The process runs with --single-threaded (bench/run.ts re-runs itself with it), so process.cpuUsage() counts
// V8's GC and compiler work exactly and on the call that caused it.

/** Samples a row takes unless a section says otherwise, and the warm-up calls of each variant before them. */
export const SAMPLES = 20;
export const WARMUP = 200;

/** Runs a full GC (untimed); the bench runs with --expose-gc. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc (npm run bench does)");
  gc();
}

/** Resolves after the event loop has turned once: V8 then drops the WeakRef targets a job kept alive and may run finalizers. */
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One sample: the mean wall and on-CPU (user + system, whole process) microseconds per call over a batch. */
export interface Sample {
  wallUs: number;
  cpuUs: number;
}

/** Times one call after a turn of the event loop that is not timed; adds its wall and CPU microseconds to `into`. */
export async function timeOne(call: () => unknown, into: Sample): Promise<void> {
  // Note: a loop of awaits that never yields keeps every WeakRef target alive (undici's Request holds its signal
  // through one) and runs no FinalizationRegistry cleanup, so it times garbage; a real app yields between calls.
  await yieldToLoop();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await call();
  into.wallUs += (performance.now() - start) * 1000;
  const used = process.cpuUsage(cpu);
  into.cpuUs += used.user + used.system;
}

/** A seeded pseudo-random source (mulberry32), numbers from 0 to 1: the same seed gives the same numbers in every run. */
function seeded(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `order` shuffled in place (Fisher and Yates), by `random`. */
function shuffle<T>(order: T[], random: () => number): T[] {
  for (let last = order.length - 1; last > 0; last--) {
    const pick = Math.floor(random() * (last + 1));
    [order[last], order[pick]] = [order[pick] as T, order[last] as T];
  }
  return order;
}

/**
 * Samples the variants `reps` times in this process: in a sample they take turns call by call, in rounds of one call
 * each, every round in an order of its own (a seeded shuffle, the same in every run), so load from other processes hits
 * all alike; one sample is each variant's mean over `n` calls. A GC, untimed, before each. Note: a call's cost depends
 * on the calls before it, which leave the CPU's caches and V8's to their own code: in a fixed order (a rotation, or a
 * sequence in which each variant follows each once) some variants come back to their own code sooner than others, and
 * are measured cheaper for it. Shuffled, every variant has every place and every neighbour alike.
 */
export async function interleave<K extends string>(
  variants: Record<K, () => unknown>,
  { n, reps = SAMPLES, warmup = WARMUP }: { n: number; reps?: number; warmup?: number },
): Promise<Record<K, Sample[]>> {
  const names = Object.keys(variants) as K[];
  const scratch = { wallUs: 0, cpuUs: 0 };
  for (let i = 0; i < warmup; i++) for (const name of names) await timeOne(variants[name], scratch);
  const samples = Object.fromEntries(names.map((name) => [name, [] as Sample[]])) as Record<K, Sample[]>;
  const random = seeded(1);
  const order = names.map((_, at) => at);
  for (let rep = 0; rep < reps; rep++) {
    collectGarbage();
    const sums = names.map(() => ({ wallUs: 0, cpuUs: 0 }));
    for (let i = 0; i < n; i++) for (const at of shuffle(order, random)) await timeOne(variants[names[at] as K], sums[at] as Sample);
    names.forEach((name, at) => {
      const sum = sums[at] as Sample;
      samples[name].push({ wallUs: sum.wallUs / n, cpuUs: sum.cpuUs / n });
    });
  }
  return samples;
}

/** A median with its interquartile range. */
export interface Spread {
  median: number;
  p25: number;
  p75: number;
}

/** The q-quantile by linear interpolation. */
export function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = sorted[Math.floor(at)] as number;
  return low + ((sorted[Math.ceil(at)] as number) - low) * (at - Math.floor(at));
}

export const spread = (xs: number[]): Spread => ({ median: quantile(xs, 0.5), p25: quantile(xs, 0.25), p75: quantile(xs, 0.75) });
export const median = (xs: number[]) => quantile(xs, 0.5);

/** Wall and CPU spread of one variant's samples. */
export interface Times {
  wallUs: Spread;
  cpuUs: Spread;
}

export const times = (samples: Sample[]): Times => ({
  wallUs: spread(samples.map((s) => s.wallUs)),
  cpuUs: spread(samples.map((s) => s.cpuUs)),
});

/** One variant against another, paired sample by sample: ratios and differences, CPU and wall. */
export interface Paired {
  cpuRatio: Spread;
  wallRatio: Spread;
  cpuDiffUs: Spread;
  wallDiffUs: Spread;
}

/** `of` against `base`, paired rep by rep (the two ran next to each other): ratios and differences, CPU and wall. */
export function paired(of: Sample[], base: Sample[]): Paired {
  const pairs = of.map((s, i) => [s, base[i] as Sample] as const);
  return {
    cpuRatio: spread(pairs.map(([s, b]) => s.cpuUs / b.cpuUs)),
    wallRatio: spread(pairs.map(([s, b]) => s.wallUs / b.wallUs)),
    cpuDiffUs: spread(pairs.map(([s, b]) => s.cpuUs - b.cpuUs)),
    wallDiffUs: spread(pairs.map(([s, b]) => s.wallUs - b.wallUs)),
  };
}

/** Median wall microseconds per call over `rounds` samples of `n` calls (for the sections that compare one thing at a time). */
export async function timeCalls(call: () => Promise<unknown>, n = 400, rounds = 7): Promise<number> {
  return median((await interleave({ call }, { n, reps: rounds })).call.map((s) => s.wallUs));
}
