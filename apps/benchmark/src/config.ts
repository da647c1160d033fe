/**
 * The benchmark's flags: `--seeds 5` or `--seed-list 1,2,3`, `--algos ddpg,td3`, `--steps`, `--warmup-steps`,
 * `--jobs`, `--runs-dir`, `--out`, `--quick`, … checked by one io-ts codec before anything starts. A problem is
 * reported under the flag's own name (`--seed-list: …`), with a "did you mean" hint for a misspelt flag.
 *
 * @module config
 */
import { decode, NonNegativeInt, optional, PositiveInt, strictObject, withDefaults } from '@polyak/core'
import { parseFlags } from '@polyak/trainer/flags'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type Algo, BENCHMARK_ALGOS } from './reference.js'

/** `"a,b,c"`, a single value or an array, as a list of the raw items. */
const itemsOf = (u: unknown): readonly unknown[] | undefined => {
  if (Array.isArray(u)) return u
  if (typeof u === 'number') return [u]
  if (typeof u === 'string') return u.split(',').map((item) => item.trim())
  return undefined
}

/**
 * A comma-separated list (`td3,ddpg`, `1,2,3`), or a JSON array, of distinct items that each pass `is`; at least one.
 * Decodes to an array in the order given.
 */
const commaList = <A>(name: string, parseItem: (item: unknown) => A | undefined) =>
  new t.Type<readonly A[], readonly A[], unknown>(
    name,
    (u): u is readonly A[] => Array.isArray(u) && u.every((item) => parseItem(item) !== undefined),
    (u, c) => {
      const items = itemsOf(u)
      const parsed = items?.map(parseItem)
      if (items === undefined || parsed === undefined || items.length === 0 || parsed.includes(undefined)) {
        const bad = items?.filter((_, i) => parsed?.[i] === undefined) ?? [u]
        return t.failure(u, c, `expected ${name}, got ${bad.map((item) => JSON.stringify(item)).join(', ')}`)
      }
      if (new Set(parsed).size !== parsed.length) return t.failure(u, c, `expected ${name} without repeats`)
      return t.success(parsed as A[])
    },
    (a) => a,
  )

const algoOf = (item: unknown): Algo | undefined =>
  (BENCHMARK_ALGOS as readonly unknown[]).includes(item) ? (item as Algo) : undefined

const seedOf = (item: unknown): number | undefined => {
  const n = typeof item === 'string' && item !== '' ? Number(item) : item
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined
}

const BackendCodec = t.keyof(
  { auto: null, native: null, wasm: null, cpu: null, tensorflow: null },
  'one of auto, native, wasm, cpu, tensorflow',
)

const props = {
  /** The CI-sized variant: other defaults (see {@link QUICK_DEFAULTS}). */
  quick: t.boolean,
  /** Seeds 1..n. */
  seeds: PositiveInt,
  /** These seeds instead of 1..`seeds`. */
  seedList: optional(commaList('a comma-separated list of seeds (integers >= 0)', seedOf)),
  /** The algorithms, in this order. */
  algos: commaList(`a comma-separated list of ${BENCHMARK_ALGOS.join(', ')}`, algoOf),
  /** Environment steps of each run. */
  steps: PositiveInt,
  /** Uniformly random steps before learning starts. */
  warmupSteps: NonNegativeInt,
  /** Actor and critic widths (default: the cleanrl preset's 256-256). */
  hiddenSizes: optional(t.readonlyArray(PositiveInt, 'a JSON array of widths like [64,64]')),
  /** Evaluation episodes (default: the cleanrl preset's 10). */
  evalEpisodes: optional(NonNegativeInt),
  /** Trainer processes at once. */
  jobs: PositiveInt,
  /** Where each run gets its folder. */
  runsDir: t.string,
  /** Where pendulum.md, pendulum.json and pendulum.svg go. */
  out: t.string,
  /** The trainer's tfjs backend. */
  backend: BackendCodec,
}

/** The flags in their encoded (command-line) form, as the defaults are written. */
type Encoded = { readonly [K in keyof typeof props]?: t.OutputOf<(typeof props)[K]> }

/**
 * The defaults of a full benchmark: 5 seeds of DDPG, TD3 and D4PG, 20 000 steps each with 1 000 warm-up steps (the
 * cleanrl preset gives everything else), one run at a time, results to `docs/results/`.
 *
 * @example
 * ```ts
 * FULL_DEFAULTS.steps // 20000
 * ```
 */
export const FULL_DEFAULTS = {
  quick: false,
  seeds: 5,
  algos: [...BENCHMARK_ALGOS],
  steps: 20_000,
  warmupSteps: 1_000,
  jobs: 1,
  runsDir: 'runs/benchmark',
  out: 'docs/results',
  backend: 'auto',
} as const satisfies Encoded

/**
 * The defaults of `--quick`: 2 seeds of each algorithm, 1 500 steps with 300 warm-up steps, 64-64 networks and 2
 * evaluation episodes, in `runs/benchmark-quick/` (runs and results), never in `docs/results/` unless `--out` says
 * so.
 *
 * @example
 * ```ts
 * QUICK_DEFAULTS.hiddenSizes // [64, 64]
 * ```
 */
export const QUICK_DEFAULTS = {
  ...FULL_DEFAULTS,
  quick: true,
  seeds: 2,
  steps: 1_500,
  warmupSteps: 300,
  hiddenSizes: [64, 64],
  evalEpisodes: 2,
  runsDir: 'runs/benchmark-quick/runs',
  out: 'runs/benchmark-quick',
} as const satisfies Encoded

const fullCodec = withDefaults(strictObject('BenchmarkConfig', props), FULL_DEFAULTS)
const quickCodec = withDefaults(strictObject('BenchmarkConfig', props), QUICK_DEFAULTS)

/**
 * A checked benchmark config: the seeds resolved to a list (`--seed-list`, or 1..`--seeds`).
 *
 * @example
 * ```ts
 * const config: BenchmarkConfig = decodeBenchmarkConfig({ seeds: 3 })
 * config.seeds // [1, 2, 3]
 * ```
 */
export interface BenchmarkConfig {
  readonly quick: boolean
  readonly seeds: readonly number[]
  readonly algos: readonly Algo[]
  readonly steps: number
  readonly warmupSteps: number
  readonly hiddenSizes?: readonly number[]
  readonly evalEpisodes?: number
  readonly jobs: number
  readonly runsDir: string
  readonly out: string
  readonly backend: t.TypeOf<typeof BackendCodec>
}

/**
 * A flag that failed its check: `message` names every problem, one line each, under the flag's name.
 *
 * @example
 * ```ts
 * try {
 *   decodeBenchmarkConfig({ seeds: 0 })
 * } catch (error) {
 *   if (error instanceof FlagError) console.error(error.message) // Invalid benchmark flags: --seeds: expected …
 * }
 * ```
 */
export class FlagError extends Error {
  override readonly name = 'FlagError'
  /** One line per problem. */
  readonly issues: readonly string[]
  constructor(issues: readonly string[]) {
    super(`Invalid benchmark flags:\n  - ${issues.join('\n  - ')}`)
    this.issues = issues
  }
}

/**
 * The command-line flag of a config key.
 *
 * @example
 * ```ts
 * flagOf('seedList') // '--seed-list'
 * ```
 */
export const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`

/** A codec's error line with the keys written as flags: `seedList: …` → `--seed-list: …`. */
const asFlagIssue = (line: string): string =>
  line
    .replace(/^([A-Za-z0-9]+)([.:])/, (_, key: string, after: string) => `${flagOf(key)}${after}`)
    .replace(
      /unknown key \(expected one of: ([^)]*)\)/,
      (_, list: string) => `unknown flag (expected one of: ${list.split(', ').map(flagOf).join(', ')})`,
    )
    .replace(/did you mean '([^']+)'\?/, (_, key: string) => `did you mean ${flagOf(key)}?`)

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

/**
 * Checks the flags (as {@link parseBenchmarkArgs} returns them) and fills the defaults: those of {@link QUICK_DEFAULTS}
 * with `quick: true`, else {@link FULL_DEFAULTS}.
 *
 * @throws FlagError naming each bad flag, e.g. `--algos: expected a comma-separated list of ddpg, td3, d4pg, got "dqn"`
 *
 * @example
 * ```ts
 * decodeBenchmarkConfig({ quick: true }).steps // 1500
 * decodeBenchmarkConfig({ seedList: '3,7', algos: 'td3' }).seeds // [3, 7]
 * ```
 */
export const decodeBenchmarkConfig = (input: unknown): BenchmarkConfig => {
  const raw = isRecord(input) ? input : {}
  const codec = raw.quick === true ? quickCodec : fullCodec
  const result = decode(codec)(input)
  const issues = E.isLeft(result) ? [...result.left] : []
  if (raw.seeds !== undefined && raw.seedList !== undefined) {
    issues.push('--seeds, --seed-list: give one of them (--seeds n means --seed-list 1,…,n)')
  }
  if (E.isLeft(result) || issues.length > 0) throw new FlagError(issues.map(asFlagIssue))
  const { seeds, seedList, hiddenSizes, evalEpisodes, ...rest } = result.right
  return {
    ...rest,
    seeds: seedList ?? Array.from({ length: seeds }, (_, i) => i + 1),
    ...(hiddenSizes === undefined ? {} : { hiddenSizes }),
    ...(evalEpisodes === undefined ? {} : { evalEpisodes }),
  }
}

/** The flags whose values are paths, kept as typed (`--out 2026` is the folder "2026"). */
const STRING_FLAGS = ['--runs-dir', '--out']

/**
 * Turns the command line into the object {@link decodeBenchmarkConfig} checks: `--key value` or `--key=value`
 * (values are JSON when they parse), `--quick` on its own meaning `--quick true`, and the values of `--out` and
 * `--runs-dir` kept as strings.
 *
 * @throws Error for a positional argument or a flag without a value
 *
 * @example
 * ```ts
 * parseBenchmarkArgs(['--quick', '--seed-list', '1,2', '--jobs=2']) // { quick: true, seedList: '1,2', jobs: 2 }
 * ```
 */
export const parseBenchmarkArgs = (argv: readonly string[]): Record<string, unknown> => {
  const args: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const next = argv[i + 1]
    if (arg === '--quick' && (next === undefined || next.startsWith('--'))) args.push('--quick=true')
    else if (STRING_FLAGS.includes(arg) && next !== undefined) {
      args.push(`${arg}=${JSON.stringify(next)}`)
      i++
    } else {
      const eq = arg.indexOf('=')
      if (eq >= 0 && STRING_FLAGS.includes(arg.slice(0, eq))) {
        args.push(`${arg.slice(0, eq)}=${JSON.stringify(arg.slice(eq + 1))}`)
      } else args.push(arg)
    }
  }
  return parseFlags(args)
}

/**
 * The `--help` text.
 *
 * @example
 * ```ts
 * helpText('npm run benchmark --').includes('--seed-list') // true
 * ```
 */
export const helpText = (command: string): string =>
  [
    `usage: ${command} [--flag value | --flag=value]...`,
    '',
    "Trains DDPG, TD3 and D4PG on Pendulum-v1 with CleanRL's settings over several seeds (one trainer process per",
    'run), then writes pendulum.md, pendulum.json and pendulum.svg. Finished runs are kept and not redone.',
    '',
    '  --seeds n               seeds 1..n [5; quick: 2]',
    '  --seed-list 1,2,3       these seeds instead',
    `  --algos ddpg,td3        the algorithms [${BENCHMARK_ALGOS.join(',')}]`,
    '  --steps n               environment steps per run [20000; quick: 1500]',
    '  --warmup-steps n        random steps before learning [1000; quick: 300]',
    "  --hidden-sizes [64,64]  actor and critic widths [the cleanrl preset's 256-256; quick: [64,64]]",
    "  --eval-episodes n       evaluation episodes [the cleanrl preset's 10; quick: 2]",
    '  --jobs n                trainer processes at once [1]',
    '  --runs-dir dir          one folder per run [runs/benchmark; quick: runs/benchmark-quick/runs]',
    '  --out dir               where the results go [docs/results; quick: runs/benchmark-quick]',
    '  --backend name          auto|native|wasm|cpu|tensorflow [auto]',
    '  --quick                 the CI-sized variant (about a minute)',
    '',
    'examples:',
    `  ${command}                          # the full benchmark: 15 runs`,
    `  ${command} --jobs 2 --seeds 3`,
    `  ${command} --quick --out /tmp/bench`,
  ].join('\n')
