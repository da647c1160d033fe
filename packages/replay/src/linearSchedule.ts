/**
 * A linear schedule from `start` to `end` over `steps` steps, constant at `end` afterwards.
 *
 * @remarks
 * Used to anneal the importance-sampling exponent β from β₀ to 1 (Schaul et al., 2016, §3.4).
 * `steps ≤ 0` gives `end` at once.
 *
 * @example
 * ```ts
 * const beta = linearSchedule(0.4, 1, 100_000)
 * beta(0) // 0.4
 * beta(50_000) // 0.7
 * beta(1e9) // 1
 * ```
 */
export const linearSchedule =
  (start: number, end: number, steps: number) =>
  (t: number): number => {
    if (!(steps > 0)) return end
    const fraction = Math.min(Math.max(t / steps, 0), 1)
    return start + fraction * (end - start)
  }
