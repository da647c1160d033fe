/**
 * Command-line flags as an object: shared by the trainer and the other apps.
 *
 * @module flags
 */

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
 * Turns `--key value` / `--key=value` arguments into an object (kebab-case names become camelCase keys, values are
 * JSON when they parse) for a config codec to validate; unknown keys are left for the codec to reject.
 *
 * @throws Error for a positional argument or a flag without a value
 *
 * @example
 * ```ts
 * parseFlags(['--steps', '200', '--hidden-sizes=[64,64]']) // { steps: 200, hiddenSizes: [64, 64] }
 * ```
 */
export const parseFlags = (argv: readonly string[]): Record<string, unknown> => {
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
  return flags
}
