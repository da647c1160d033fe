/**
 * The figures the benchmark compares against, kept as data with where they come from.
 *
 * CleanRL: `td3_continuous_action.py` and `ddpg_continuous_action.py` from CleanRL, run unmodified on a 2-core
 * AMD EPYC with Debian's PyTorch (CPU), on Pendulum-v1 for 20 000 steps with `learning_starts` 1 000 and every other
 * argument at the script's default, seeds 1 and 2. (The scripts' defaults: 256-256 networks, batch 256, Adam 3e-4,
 * Gaussian exploration σ 0.1, τ 0.005, γ 0.99, and `policy_frequency` 2 in both: CleanRL's DDPG, too, updates its
 * actor and target networks every second step, where polyak's DDPG does every step.)
 * "Steps to −200" is CleanRL's `global_step` (counted from 0) at the first episode end where the mean of the last 10
 * episodic returns is above −200, so CleanRL's 7 799 is the same episode end as the trainer's step 7 800.
 *
 * polyak before this benchmark: the table of issue 18, measured with the reference trainer and the same settings
 * (`--preset cleanrl --steps 20000 --warmup-steps 1000`), D4PG in its default composition (5-step returns,
 * prioritized replay, support fitted to the reward bounds; see docs/results/d4pg-pendulum.md).
 *
 * @module reference
 */

/**
 * The algorithms the benchmark runs.
 *
 * @example
 * ```ts
 * BENCHMARK_ALGOS.includes('td3') // true
 * ```
 */
export const BENCHMARK_ALGOS = ['ddpg', 'td3', 'd4pg'] as const

/**
 * One of {@link BENCHMARK_ALGOS}.
 *
 * @example
 * ```ts
 * const algo: Algo = 'd4pg'
 * ```
 */
export type Algo = (typeof BENCHMARK_ALGOS)[number]

/**
 * One reference run: its algorithm and seed, the step at which it reached a mean return above −200 over the last
 * 10 training episodes, and the mean of its last 10 training episodes where known.
 *
 * @example
 * ```ts
 * const run: ReferenceRun = { algo: 'td3', seed: 1, stepsToThreshold: 7_799, final10: -200 }
 * ```
 */
export interface ReferenceRun {
  readonly algo: Algo
  readonly seed: number
  readonly stepsToThreshold: number
  readonly final10?: number
}

/**
 * A set of reference runs and where they come from.
 *
 * @example
 * ```ts
 * const source: ReferenceSource = CLEANRL
 * source.runs.filter((run) => run.algo === 'ddpg').length // 2
 * ```
 */
export interface ReferenceSource {
  /** A short name for tables and legends. */
  readonly name: string
  /** How the figures were made, one sentence for the report. */
  readonly provenance: string
  /** Whether its steps are counted from 0 (CleanRL's `global_step`) rather than as steps taken (the trainer). */
  readonly zeroBasedSteps: boolean
  readonly runs: readonly ReferenceRun[]
}

/**
 * CleanRL's TD3 and DDPG on Pendulum-v1, seeds 1 and 2 (CleanRL has no D4PG).
 *
 * @example
 * ```ts
 * CLEANRL.runs.find((run) => run.algo === 'td3' && run.seed === 2)?.stepsToThreshold // 7399
 * ```
 */
export const CLEANRL: ReferenceSource = {
  name: 'CleanRL',
  provenance:
    "CleanRL's td3_continuous_action.py and ddpg_continuous_action.py, run unmodified on a 2-core AMD EPYC with " +
    "Debian's PyTorch (CPU): Pendulum-v1, 20 000 steps, learning_starts 1 000, every other argument at the " +
    "script's default, seeds 1 and 2",
  zeroBasedSteps: true,
  runs: [
    { algo: 'td3', seed: 1, stepsToThreshold: 7_799, final10: -200 },
    { algo: 'td3', seed: 2, stepsToThreshold: 7_399, final10: -210 },
    { algo: 'ddpg', seed: 1, stepsToThreshold: 8_199 },
    { algo: 'ddpg', seed: 2, stepsToThreshold: 10_599 },
  ],
}

/**
 * polyak's own figures before this benchmark (issue 18's table): the reference trainer with
 * `--preset cleanrl --steps 20000 --warmup-steps 1000`.
 *
 * @example
 * ```ts
 * POLYAK_BEFORE.runs.filter((run) => run.algo === 'd4pg').map((run) => run.stepsToThreshold) // [13800, 9400]
 * ```
 */
export const POLYAK_BEFORE: ReferenceSource = {
  name: 'polyak before',
  provenance:
    "polyak's reference trainer before this benchmark (issue 18's table), with the same settings; D4PG in its " +
    'default composition (docs/results/d4pg-pendulum.md)',
  zeroBasedSteps: false,
  runs: [
    { algo: 'td3', seed: 1, stepsToThreshold: 10_000 },
    { algo: 'td3', seed: 2, stepsToThreshold: 9_200 },
    { algo: 'ddpg', seed: 1, stepsToThreshold: 6_200 },
    { algo: 'd4pg', seed: 1, stepsToThreshold: 13_800 },
    { algo: 'd4pg', seed: 2, stepsToThreshold: 9_400 },
  ],
}

/**
 * CleanRL's TD3 loop in PyTorch on this machine, five seeds: `packages/pipelines/bench/td3_loop_torch.py` (the
 * loop of `td3_continuous_action.py` with its networks, update and defaults, Gymnasium's Pendulum-v1 dynamics
 * written out, a numpy replay sampled as Stable-Baselines3's), 20 000 steps, 1 000 random warm-up steps, `--seed 1`
 * to `5`, one thread; run beside the benchmark on the same 2-core AMD EPYC, 3 December 2026 (Debian's PyTorch
 * 1.13.1 with OpenBLAS 0.3.21, its kernels for the CPU: OPENBLAS_CORETYPE unset). Its steps are episode ends counted
 * as steps taken, as the trainer counts them.
 *
 * @example
 * ```ts
 * CLEANRL_LOOP_PYTORCH.runs.map((run) => run.stepsToThreshold) // [8000, 8000, 9000, 9800, 8600]
 * ```
 */
export const CLEANRL_LOOP_PYTORCH: ReferenceSource = {
  name: 'CleanRL loop, PyTorch, this machine',
  provenance:
    "CleanRL's TD3 loop in PyTorch (packages/pipelines/bench/td3_loop_torch.py: td3_continuous_action.py's " +
    "networks, update, loop and defaults, Gymnasium's Pendulum-v1 dynamics written out, a numpy replay sampled " +
    "as Stable-Baselines3's), 20 000 steps with 1 000 random warm-up steps, seeds 1–5, one thread, on the same " +
    "machine the same day (Debian's PyTorch 1.13.1, OpenBLAS 0.3.21 with its own kernels for the CPU)",
  zeroBasedSteps: false,
  runs: [
    { algo: 'td3', seed: 1, stepsToThreshold: 8_000, final10: -204.4 },
    { algo: 'td3', seed: 2, stepsToThreshold: 8_000, final10: -201.8 },
    { algo: 'td3', seed: 3, stepsToThreshold: 9_000, final10: -121.8 },
    { algo: 'td3', seed: 4, stepsToThreshold: 9_800, final10: -190.2 },
    { algo: 'td3', seed: 5, stepsToThreshold: 8_600, final10: -167.4 },
  ],
}
