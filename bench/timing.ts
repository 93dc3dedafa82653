/** Median seconds per call of `fn`, after a warm-up, over `rounds` rounds of at least `minSeconds` each. */
export function timePerCall(fn: () => void, minSeconds = 0.2, rounds = 5): number {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const dt = (performance.now() - t0) / 1000;
    if (dt >= minSeconds / 4) {
      reps = Math.max(1, Math.ceil((reps * minSeconds) / dt));
      break;
    }
    reps *= 2;
  }
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    samples.push((performance.now() - t0) / 1000 / reps);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

export function fmt(x: number, digits = 2): string {
  return x.toFixed(digits);
}
