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

/**
 * The order in which `count` variants take turns: a de Bruijn sequence of order 2, in which each variant comes `count`
 * times and follows each variant (itself too) exactly once, counting the last as followed by the first. For two it is
 * 0 0 1 1. Note: a call's cost depends on the call before it, which leaves the caches (the CPU's, V8's inline caches)
 * to its own liking: a plain rotation (0 1 2, 1 2 0, …) puts most calls of a variant after one and the same other
 * variant, and a second openapi-fetch client measured 4 % dearer than the first that way, as it mostly came after this
 * client. With every variant after every other equally often, each pays its neighbours alike.
 */
export function turns(count: number): number[] {
  const order: number[] = [];
  const word = [0, 0, 0];
  // Note: the standard construction (Fredricksen, Kessler and Maiorana): the Lyndon words of length 1 or 2 over `count`
  // letters, in lexicographic order, written one after another.
  const lyndon = (t: number, p: number): void => {
    if (t > 2) {
      if (2 % p === 0) order.push(...word.slice(1, p + 1));
      return;
    }
    word[t] = word[t - p] as number;
    lyndon(t + 1, p);
    for (let letter = (word[t - p] as number) + 1; letter < count; letter++) {
      word[t] = letter;
      lyndon(t + 1, t);
    }
  };
  lyndon(1, 1);
  return order;
}

/**
 * Samples the variants `reps` times in this process: in a sample they take turns call by call in the order of `turns`,
 * each sample starting further along it, so load from other processes hits all alike and each variant follows each
 * equally often; one sample is each variant's mean over `n` calls (rounded up to a multiple of the variants' count). A GC,
 * untimed, before each.
 */
export async function interleave<K extends string>(
  variants: Record<K, () => unknown>,
  { n, reps = SAMPLES, warmup = WARMUP }: { n: number; reps?: number; warmup?: number },
): Promise<Record<K, Sample[]>> {
  const names = Object.keys(variants) as K[];
  const scratch = { wallUs: 0, cpuUs: 0 };
  for (let i = 0; i < warmup; i++) for (const name of names) await timeOne(variants[name], scratch);
  const samples = Object.fromEntries(names.map((name) => [name, [] as Sample[]])) as Record<K, Sample[]>;
  const order = turns(names.length);
  for (let rep = 0; rep < reps; rep++) {
    collectGarbage();
    const sums = names.map(() => ({ wallUs: 0, cpuUs: 0 }));
    // Note: whole passes through the order, so every variant has as many calls: n, rounded up to a multiple of their count.
    const passes = Math.ceil(n / names.length);
    for (let i = 0; i < passes * order.length; i++) {
      const at = order[(rep * names.length + i) % order.length] as number;
      await timeOne(variants[names[at] as K], sums[at] as Sample);
    }
    const calls = passes * names.length;
    names.forEach((name, at) => {
      const sum = sums[at] as Sample;
      samples[name].push({ wallUs: sum.wallUs / calls, cpuUs: sum.cpuUs / calls });
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
