/**
 * Flags of `npm run drive`: `--rows '["zero","vae"]' --latent-steps 3000 --seed 2 --out runs/drive-2` (values are
 * JSON when they parse, strings otherwise; names are the config keys in kebab case); `--help` lists them.
 *
 * @module cli
 */
import path from 'node:path'
import { ConfigError, decodeOrThrow, formatBackendInfo, setBackend } from '@polyak/core'
import { parseFlags } from '@polyak/trainer/flags'
import { DriveConfigCodec, runDrive } from './drive.js'
import { ROW_NAMES, renderTable } from './table.js'

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

const FLAG_HELP: Readonly<Record<string, string>> = {
  rows: 'rows of the table, in order: random, zero, pixels, vae',
  seed: 'seed of every random draw (frames, VAE, training, random policy)',
  out: 'output folder (relative to where npm run was called)',
  progressEvery: 'seconds between progress lines (0: none)',
  testSeed: 'reset seed of the fixed test road',
  testRoute: 'metres of the test route',
  testSteps: 'policy steps before a test drive stops',
  validationSeed: 'reset seed of the validation road (chooses the actor tested)',
  validationRoute: 'metres of the validation route',
  validationSteps: 'policy steps before a validation drive stops',
  selectEvery: 'validate the actor every n env steps and at the end (0: end only)',
  vaeEpisodes: 'random-policy episodes whose frames train the VAE',
  vaeFrameEvery: 'keep every n-th frame of those episodes',
  vaeMaxFrames: 'at most this many frames',
  vaeTrainSteps: 'gradient steps of the VAE',
  vaeBatchSize: 'VAE batch size',
  vaeFilters: 'VAE encoder conv filters (kernel 4, stride 2; decoder mirrors)',
  vaeLearningRate: 'VAE Adam step size',
  vaeBeta: 'weight of the VAE KL term',
  latentSize: 'VAE latent size',
  latentSteps: 'env steps of DDPG + PER on the VAE latent',
  pixelSteps: 'env steps of DDPG from pixels',
  warmupSteps: 'random-action steps before learning (both DDPG rows)',
  batchSize: 'batch size of the latent DDPG',
  pixelBatchSize: 'batch size of the pixel DDPG',
  hiddenSizes: 'hidden layers of the latent DDPG; heads of the pixel networks',
  pixelFilters: 'conv filters of the pixel networks (kernel 4, stride 2)',
  pixelShift: "random shift of the pixel row's training images, pixels each way (0: none)",
  pixelNStep: "n of the pixel row's n-step returns",
  pixelActorTorso: "critic: the pixel actor acts with the critic's conv torso (DrQ-v2); own: its own",
  actorLearningRate: 'actor Adam step size',
  criticLearningRate: 'critic Adam step size',
  explorationNoise: 'Gaussian exploration sigma (action half-range units)',
  gamma: 'discount',
}

/**
 * The text of `npm run drive -- --help`: what the command does and every flag with its default.
 *
 * @example
 * ```ts
 * console.log(helpText())
 * ```
 */
export const helpText = (): string => {
  const defaults = DriveConfigCodec.defaults as Readonly<Record<string, unknown>>
  const flags = Object.keys(DriveConfigCodec.codec.props).map(
    (key) =>
      `  --${kebab(key).padEnd(22)} ${(FLAG_HELP[key] ?? '').padEnd(62)} default ${JSON.stringify(defaults[key])}`,
  )
  return [
    'npm run drive -- [flags]',
    '',
    'Learning to Drive in a Day (Kendall et al. 2018, https://arxiv.org/abs/1807.00412), Table I in kind on',
    `LaneFollowing-v0: ${Object.values(ROW_NAMES).join(', ')}.`,
    'Writes table.md, summary.json, frames.png, reconstructions.png and curves.svg into --out.',
    '',
    'Flags (values are JSON when they parse: --rows \'["zero","vae"]\' --hidden-sizes \'[64,64]\'):',
    ...flags,
    `  --${'backend'.padEnd(22)} ${'tfjs backend (setBackend of @polyak/core: auto, native, wasm, cpu, …)'.padEnd(62)} default "auto"`,
    `  --${'help'.padEnd(22)} this text`,
  ].join('\n')
}

/**
 * The command: prints {@link helpText} for `--help`/`-h`; otherwise parses and validates the flags (exit code 2 with
 * one line per problem on a bad one, before anything runs), selects the backend (`--backend`, default auto), runs
 * {@link runDrive} with progress lines, prints the table and where the files went. Returns the exit code. A relative
 * `--out` starts at `cwd` (default: `INIT_CWD`, where `npm run` was called, else the process's cwd).
 *
 * @example
 * ```ts
 * process.exitCode = await main(['--rows', '["random","zero"]'])
 * ```
 */
export const main = async (
  argv: readonly string[],
  log: (line: string) => void = console.log,
  cwd: string = process.env.INIT_CWD ?? process.cwd(),
): Promise<number> => {
  if (argv.includes('--help') || argv.includes('-h')) {
    log(helpText())
    return 0
  }
  let input: Record<string, unknown>
  try {
    input = parseFlags(argv)
  } catch (error) {
    log(`${(error as Error).message} (npm run drive -- --help lists the flags)`)
    return 2
  }
  const { backend = 'auto', ...rest } = input
  try {
    const decoded = decodeOrThrow(DriveConfigCodec, rest, 'drive config')
    if (decoded.rows.length === 0) throw new ConfigError(['rows: expected at least one row'], 'drive config')
    const config = { ...decoded, out: path.resolve(cwd, decoded.out) }
    let info: Awaited<ReturnType<typeof setBackend>>
    try {
      info = await setBackend(String(backend) as Parameters<typeof setBackend>[0])
    } catch (error) {
      log(`--backend: ${(error as Error).message}`)
      return 2
    }
    log(formatBackendInfo(info))
    log(
      `Learning to drive on LaneFollowing-v0, seed ${config.seed}: rows ${config.rows.join(', ')}; test road seed ` +
        `${config.testSeed}, ${config.testRoute} m`,
    )
    const { rows, files } = await runDrive(config, log)
    log('')
    log(renderTable(rows, { seed: config.testSeed, routeLength: config.testRoute, maxPolicySteps: config.testSteps }))
    log(`wrote ${Object.values(files).join(', ')}`)
    return 0
  } catch (error) {
    if (error instanceof ConfigError) {
      log(`${error.message}\n(npm run drive -- --help lists the flags)`)
      return 2
    }
    throw error
  }
}
