import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ALGOS, configKeys } from './config.js'
import { parseFlags } from './flags.js'

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/** `over` on top of `base`, merging nested plain objects key by key (arrays and other values replace). */
const deepMerge = (base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> => {
  const merged: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key]
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value
  }
  return merged
}

/**
 * The flags whose values are names or paths, taken as strings as typed (`--run-name 2024` is the folder "2024", not
 * the number 2024); every other flag value is JSON when it parses.
 *
 * @example
 * ```ts
 * STRING_FLAGS.includes('--run-name') // true
 * ```
 */
export const STRING_FLAGS: readonly string[] = ['--config', '--resume', '--run-name', '--out-dir', '--env']

/** `argv` with the values of {@link STRING_FLAGS} JSON-quoted, so that `parseFlags` keeps them as strings. */
const quoteStringFlags = (argv: readonly string[]): string[] => {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const eq = arg.indexOf('=')
    const name = eq >= 0 ? arg.slice(0, eq) : arg
    if (!STRING_FLAGS.includes(name)) out.push(arg)
    else if (eq >= 0) out.push(`${name}=${JSON.stringify(arg.slice(eq + 1))}`)
    else if (i + 1 < argv.length) out.push(arg, JSON.stringify(argv[++i] as string))
    else out.push(arg)
  }
  return out
}

/**
 * Turns `--key value` / `--key=value` arguments into an object for a config codec to validate; `--config file.json`
 * (relative to `options.cwd`) loads a JSON file first and flags override it, merging nested objects such as
 * `agent` key by key. Unknown keys are left for the codec to reject. Values are JSON when they parse, except those of
 * {@link STRING_FLAGS}, which are strings as typed.
 *
 * @example
 * ```ts
 * parseArgs(['--steps', '200', '--hidden-sizes', '[64,64]']) // { steps: 200, hiddenSizes: [64, 64] }
 * parseArgs(['--run-name', '2024']) // { runName: '2024' }
 * ```
 */
export const parseArgs = (
  argv: readonly string[],
  options: { readonly cwd?: string } = {},
): Record<string, unknown> => {
  const { config, ...rest } = parseFlags(quoteStringFlags(argv))
  if (config === undefined) return rest
  if (typeof config !== 'string') throw new Error('--config needs a path to a JSON file')
  let fromFile: unknown
  try {
    fromFile = JSON.parse(readFileSync(path.resolve(options.cwd ?? process.cwd(), config), 'utf8'))
  } catch (error) {
    throw new Error(`Cannot read config file ${config}: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
    throw new Error(`Config file ${config} must hold a JSON object`)
  }
  return deepMerge(fromFile as Record<string, unknown>, rest)
}

/** A documented flag: its name, value, default and meaning (the README's table holds the same). */
export interface FlagDoc {
  readonly flag: string
  readonly value: string
  readonly default: string
  readonly meaning: string
}

/** The documentation of every flag, in the order `--help` prints them (see {@link flags}). */
const FLAG_DOCS: readonly FlagDoc[] = [
  { flag: '--config', value: 'file.json', default: '', meaning: 'read a JSON config first; flags override it' },
  {
    flag: '--resume',
    value: 'runDir',
    default: '',
    meaning: 'continue a run from its last checkpoint (only --steps may change)',
  },
  {
    flag: '--preset',
    value: 'default|cleanrl',
    default: 'default',
    meaning: "defaults: the embedded job, or CleanRL's",
  },
  { flag: '--algo', value: ALGOS.join('|'), default: 'td3', meaning: 'the learner' },
  { flag: '--env', value: 'id', default: 'Pendulum-v1', meaning: 'a registered env id' },
  { flag: '--env-options', value: 'JSON', default: '{}', meaning: "the env's options" },
  { flag: '--steps', value: 'n', default: '15000', meaning: 'environment steps of the run' },
  { flag: '--seed', value: 'n', default: '1', meaning: 'seed of every random draw' },
  { flag: '--warmup-steps', value: 'n', default: '1000', meaning: 'uniformly random actions before learning starts' },
  { flag: '--batch-size', value: 'n', default: '128', meaning: 'transitions per gradient step' },
  { flag: '--buffer-size', value: 'n', default: '100000', meaning: 'replay capacity' },
  { flag: '--replay-ratio', value: 'x', default: '1', meaning: 'gradient steps per environment step' },
  { flag: '--n-step', value: 'n', default: 'the agent’s', meaning: 'n of n-step returns (DDPG, TD3: 1; D4PG: 5)' },
  {
    flag: '--sampler',
    value: 'uniform|JSON',
    default: 'the agent’s',
    meaning:
      'replay sampling (DDPG, TD3: uniform; D4PG: prioritized), or {"prioritized":{"alpha","beta0","betaSteps","epsilon"}}',
  },
  {
    flag: '--exploration-noise',
    value: 'x',
    default: '0.1',
    meaning: 'exploration σ, in units of the action half-range',
  },
  { flag: '--noise', value: 'gaussian|ou', default: 'gaussian', meaning: 'exploration noise process' },
  {
    flag: '--eval-every',
    value: 'n',
    default: '5000',
    meaning: 'evaluate the greedy policy every n steps (0: only at the end)',
  },
  { flag: '--eval-episodes', value: 'n', default: '5', meaning: 'episodes per evaluation (0: none)' },
  {
    flag: '--checkpoint-every',
    value: 'n',
    default: '5000',
    meaning: 'save a resumable checkpoint every n steps (0: none)',
  },
  {
    flag: '--agent',
    value: 'JSON',
    default: '{"hiddenSizes":[64,64]}',
    meaning: "the algorithm's config (keys below)",
  },
  {
    flag: '--hidden-sizes',
    value: 'JSON array',
    default: '[64,64]',
    meaning: '→ agent.hiddenSizes: actor and critic widths',
  },
  { flag: '--learning-rate', value: 'x', default: '', meaning: '→ both agent learning rates' },
  { flag: '--actor-learning-rate', value: 'x', default: '3e-4', meaning: '→ agent.actorLearningRate (Adam)' },
  { flag: '--critic-learning-rate', value: 'x', default: '3e-4', meaning: '→ agent.criticLearningRate (Adam)' },
  { flag: '--gamma', value: 'x', default: '0.99', meaning: '→ agent.gamma: discount' },
  { flag: '--tau', value: 'x', default: '0.005', meaning: '→ agent.tau: Polyak coefficient of the targets' },
  { flag: '--policy-delay', value: 'n', default: '2 (ddpg: 1)', meaning: '→ agent.policyDelay: actor update period' },
  { flag: '--target-noise', value: 'x', default: '0.2', meaning: '→ agent.targetNoise (td3): target smoothing σ' },
  { flag: '--target-noise-clip', value: 'x', default: '0.5', meaning: '→ agent.targetNoiseClip (td3)' },
  {
    flag: '--actors',
    value: 'JSON',
    default: '{"kind":"inline"}',
    meaning: 'or {"kind":"workers","count":n}: n env actors in worker threads (not bit-reproducible)',
  },
  {
    flag: '--networks',
    value: 'JSON',
    default: '{"kind":"mlp"}',
    meaning: 'the network architecture; the trainer exports MLP actors only (Parkour networks: npm run parkour)',
  },
  {
    flag: '--frame-stack',
    value: 'k',
    default: '1',
    meaning: 'stack the last k camera images (pixel networks only, so not in the trainer: npm run drive)',
  },
  {
    flag: '--augmentation',
    value: 'JSON',
    default: '{"kind":"none"}',
    meaning: 'or {"kind":"randomShift","pad":4} (pixel networks only, so not in the trainer: npm run drive)',
  },
  {
    flag: '--backend',
    value: 'auto|native|wasm|cpu|tensorflow',
    default: 'auto',
    meaning: 'tfjs backend (native threads: POLYAK_NATIVE_THREADS)',
  },
  { flag: '--out-dir', value: 'dir', default: 'runs', meaning: 'where run folders are made' },
  { flag: '--run-name', value: 'name', default: '<env>__<algo>__<seed>__<time>', meaning: 'the run folder name' },
  { flag: '--log-every', value: '2s|n', default: '2s', meaning: 'a progress line every so many seconds or steps' },
  {
    flag: '--max-critic-loss',
    value: 'x',
    default: '1e8',
    meaning: 'stop (exit 1) when the critic loss exceeds it (0: no bound; a non-finite loss always stops)',
  },
]

const kebab = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`

/**
 * Every flag the trainer takes, documented, in the order `--help` prints them: `--config`, `--resume`, and one per
 * config key of the algorithms `runExperiment` knows.
 *
 * @example
 * ```ts
 * flags().find((f) => f.flag === '--steps')?.default // '15000'
 * ```
 */
export const flags = (): readonly FlagDoc[] => {
  const known = new Set([
    '--config',
    '--resume',
    '--max-critic-loss',
    ...ALGOS.flatMap((algo) => configKeys(algo).map(kebab)),
  ])
  return FLAG_DOCS.filter((f) => known.has(f.flag))
}

/**
 * The flag for a config key that has no documentation (none, when every key is documented).
 *
 * @example
 * ```ts
 * undocumentedFlags() // []
 * ```
 */
export const undocumentedFlags = (): readonly string[] => {
  const documented = new Set(FLAG_DOCS.map((f) => f.flag))
  return [...new Set(ALGOS.flatMap((algo) => configKeys(algo).map(kebab)))].filter((flag) => !documented.has(flag))
}

/**
 * The `--help` text.
 *
 * @example
 * ```ts
 * console.log(usage('npm start --'))
 * ```
 */
export const usage = (command: string): string => {
  const docs = flags()
  const left = docs.map((f) => `${f.flag} ${f.value}`)
  const width = Math.max(...left.map((l) => l.length)) + 2
  return [
    `usage: ${command} [--flag value | --flag=value]...`,
    '',
    'Trains an agent (TD3 by default) and writes a run folder: metrics.jsonl, returns.svg, checkpoints, the actor.',
    'Every value is checked before anything starts. Defaults in brackets.',
    '',
    ...docs.map(
      (f, i) => `  ${(left[i] as string).padEnd(width)}${f.meaning}${f.default === '' ? '' : ` [${f.default}]`}`,
    ),
    '',
    'examples:',
    `  ${command} --algo td3 --env Pendulum-v1 --steps 20000 --seed 1`,
    `  ${command} --preset cleanrl --steps 100000`,
    `  ${command} --resume runs/Pendulum-v1__td3__1__1764000000 --steps 30000`,
    '',
    'Redis actors take their password from POLYAK_REDIS_PASSWORD (or the URL); it is never written to the run folder.',
  ].join('\n')
}
