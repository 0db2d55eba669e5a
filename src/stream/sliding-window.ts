/**
 * The last `capacity` samples of one measurement, with quantiles over them. The budget
 * controller keeps one window per signal, so an old regime leaves the statistics after
 * `capacity` frames.
 */
export class SlidingWindow {
  private readonly samples: number[] = [];

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.samples.length;
  }

  push(value: number): void {
    this.samples.push(value);
    if (this.samples.length > this.capacity) {
      this.samples.shift();
    }
  }

  /**
   * Returns the nearest-rank quantile (`q` in 0..1) of the stored samples, or `fallback`
   * when the window is empty. Nearest rank never interpolates, so the result is always
   * a value that was measured.
   */
  quantile(q: number, fallback: number): number {
    if (this.samples.length === 0) {
      return fallback;
    }
    const sorted = [...this.samples].sort((a, b) => a - b);
    const rank = Math.max(1, Math.ceil(q * sorted.length));
    return sorted[rank - 1];
  }

  clear(): void {
    this.samples.length = 0;
  }
}
