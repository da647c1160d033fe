/**
 * Flags of `npm run parkour`: `--steps 20000 --seed 3 --env BipedalWalker-v3 --hidden-sizes '[256,256]'` (values are
 * JSON when they parse, strings otherwise; names are the config keys in kebab case).
 *
 * @module cli
 */
import path from 'node:path'
import { ConfigError, decodeOrThrow, formatBackendInfo, setBackend } from '@polyak/core'
import { parseFlags } from '@polyak/trainer/flags'
import { compare, ParkourConfigCodec } from './compare.js'

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/**
 * The `--help` text: every flag (the config keys in kebab case) with its default.
 *
 * @example
 * ```ts
 * helpText().includes('--steps') // true
 * ```
 */
export const helpText = (): string => {
  const defaults = decodeOrThrow(ParkourConfigCodec, {}, 'parkour config') as Record<string, unknown>
  const lines = Object.entries({ ...defaults, backend: 'auto' }).map(
    ([key, value]) => `  --${kebab(key).padEnd(20)} default ${JSON.stringify(value)}`,
  )
  return [
    'npm run parkour -- [flags]: D4PG with Parkour networks vs standard networks, one curve each (apps/parkour/README.md)',
    'Values are JSON when they parse, strings otherwise.',
    ...lines,
  ].join('\n')
}

/**
 * The command: `--help` prints the flags and their defaults; otherwise parses and validates the flags (exit code 2 on
 * a bad one), selects the backend (`--backend`, default `auto`), runs {@link compare} with progress lines on stdout and prints where the files went. Returns the exit code.
 * A relative `--out` starts at `cwd` (default: `INIT_CWD`, where `npm run` was called, else the process's cwd).
 *
 * @example
 * ```ts
 * process.exitCode = await main(['--env', 'BipedalWalker-v3', '--steps', '20000'])
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
    log((error as Error).message)
    return 2
  }
  const { backend = 'auto', ...rest } = input
  try {
    const decoded = decodeOrThrow(ParkourConfigCodec, rest, 'parkour config')
    const config = { ...decoded, out: path.resolve(cwd, decoded.out) }
    const info = await setBackend(backend as Parameters<typeof setBackend>[0])
    log(formatBackendInfo(info))
    log(
      `D4PG on ${config.env}, ${config.steps} steps per architecture, seed ${config.seed}: Parkour networks ` +
        `(terrain [${config.terrain}], torsos [${config.torsoSizes}], head [${config.headSizes}]) vs standard ` +
        `networks [${config.hiddenSizes}]`,
    )
    const { files, summary } = await compare(config, log)
    const runs = summary.runs as Record<string, { returns: { last10: number }; evaluation?: { meanReturn: number } }>
    for (const [name, run] of Object.entries(runs)) {
      log(
        `${name}: mean return of the last 10 episodes ${run.returns.last10.toFixed(1)}` +
          (run.evaluation === undefined ? '' : `, evaluation ${run.evaluation.meanReturn.toFixed(1)}`),
      )
    }
    log(`wrote ${files.svg} and ${files.json}`)
    return 0
  } catch (error) {
    if (error instanceof ConfigError) {
      log(error.message)
      return 2
    }
    throw error
  }
}
