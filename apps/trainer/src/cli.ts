import { readFileSync } from 'node:fs'

/** `--learning-rate` → `learningRate`. */
const camel = (flag: string): string => flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())

/** Parses a flag value: JSON when it parses (numbers, arrays, booleans), a plain string otherwise. */
const parseValue = (raw: string): unknown => {
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

/**
 * Turns `--key value` / `--key=value` arguments into an object for a config codec to validate; `--config file.json`
 * loads a JSON file first and flags override it. Unknown keys are left for the codec to reject.
 *
 * @example
 * ```ts
 * parseArgs(['--steps', '200', '--hidden-sizes', '[64,64]']) // { steps: 200, hiddenSizes: [64, 64] }
 * ```
 */
export const parseArgs = (argv: readonly string[]): Record<string, unknown> => {
  const flags: Record<string, unknown> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument '${arg}': flags look like --steps 200`)
    const eq = arg.indexOf('=')
    const name = camel(arg.slice(2, eq >= 0 ? eq : undefined))
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i]
    if (raw === undefined) throw new Error(`Flag --${arg.slice(2)} needs a value`)
    flags[name] = parseValue(raw)
  }
  const { config, ...rest } = flags
  if (config === undefined) return rest
  if (typeof config !== 'string') throw new Error('--config needs a path to a JSON file')
  let fromFile: unknown
  try {
    fromFile = JSON.parse(readFileSync(config, 'utf8'))
  } catch (error) {
    throw new Error(`Cannot read config file ${config}: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
    throw new Error(`Config file ${config} must hold a JSON object`)
  }
  return { ...fromFile, ...rest }
}
