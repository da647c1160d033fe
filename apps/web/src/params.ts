/**
 * The page's settings, read from the URL (`?env=Pendulum-v1&seed=3&steps=200&speed=max&actor=…&backend=cpu`) and
 * written back to it, so a view can be shared and a test can open the page on fixed settings.
 *
 * @module params
 */

/** The envs the page can run (pure TypeScript envs that bundle for the browser). */
export const PAGE_ENVS = ['Pendulum-v1', 'MountainCarContinuous-v0'] as const

/** One of {@link PAGE_ENVS}. */
export type PageEnvId = (typeof PAGE_ENVS)[number]

/** The tfjs backends the page offers; `cpu` (plain JavaScript) is the default, the most reproducible one. */
export const PAGE_BACKENDS = ['cpu', 'webgl'] as const

/** One of {@link PAGE_BACKENDS}. */
export type PageBackend = (typeof PAGE_BACKENDS)[number]

/** The actor shipped with the page (see `public/actors/pendulum-td3/README.md`). */
export const DEFAULT_ACTOR = 'actors/pendulum-td3/model.json'

/** The page's settings. */
export interface PageParams {
  /** The env to run. */
  readonly env: PageEnvId
  /** The seed of the first reset (later episodes continue the env's key stream). */
  readonly seed: number
  /** Environment steps to run before stopping (episodes reset automatically in between). */
  readonly steps: number
  /** Simulation speed: a multiple of real time (the env's own dt), or `max` (as fast as the page can). */
  readonly speed: number | 'max'
  /** URL of the actor's `model.json`; empty for the zero action (no policy). */
  readonly actor: string
  /** The tfjs backend the actor runs on. */
  readonly backend: PageBackend
  /** Start running as soon as the page has loaded. */
  readonly autostart: boolean
}

/** The settings of a plain visit: the shipped actor on Pendulum-v1, seed 0, one episode of 200 steps in real time. */
export const DEFAULT_PARAMS: PageParams = {
  env: 'Pendulum-v1',
  seed: 0,
  steps: 200,
  speed: 1,
  actor: DEFAULT_ACTOR,
  backend: 'cpu',
  autostart: true,
}

const isOneOf = <T extends string>(values: readonly T[], value: string | null): value is T =>
  value !== null && (values as readonly string[]).includes(value)

const integerIn = (value: string | null, min: number, max: number): number | undefined => {
  if (value === null || !/^-?\d+$/.test(value.trim())) return undefined
  const n = Number(value)
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined
}

const parseSpeed = (value: string | null): number | 'max' | undefined => {
  if (value === 'max') return 'max'
  if (value === null || value.trim() === '') return undefined
  const n = Number(value)
  return Number.isFinite(n) && n > 0 && n <= 1000 ? n : undefined
}

/**
 * The settings in a query string; a missing or invalid value takes its default (and is named in `problems`).
 *
 * @example
 * ```ts
 * parseParams('?env=Pendulum-v1&seed=3&steps=200&speed=max').params.seed // 3
 * ```
 */
export const parseParams = (search: string): { readonly params: PageParams; readonly problems: readonly string[] } => {
  const query = new URLSearchParams(search)
  const problems: string[] = []
  const pick = <T>(key: string, parsed: T | undefined, fallback: T): T => {
    if (query.has(key) && parsed === undefined) problems.push(`${key}=${query.get(key)} is not valid`)
    return parsed ?? fallback
  }
  const envValue = query.get('env')
  const backendValue = query.get('backend')
  const autostartValue = query.get('autostart')
  const params: PageParams = {
    env: pick('env', isOneOf(PAGE_ENVS, envValue) ? envValue : undefined, DEFAULT_PARAMS.env),
    seed: pick('seed', integerIn(query.get('seed'), 0, 2 ** 31 - 1), DEFAULT_PARAMS.seed),
    steps: pick('steps', integerIn(query.get('steps'), 1, 1_000_000), DEFAULT_PARAMS.steps),
    speed: pick('speed', parseSpeed(query.get('speed')), DEFAULT_PARAMS.speed),
    actor: query.get('actor') ?? DEFAULT_PARAMS.actor,
    backend: pick('backend', isOneOf(PAGE_BACKENDS, backendValue) ? backendValue : undefined, DEFAULT_PARAMS.backend),
    autostart: pick(
      'autostart',
      autostartValue === '1' || autostartValue === 'true'
        ? true
        : autostartValue === '0' || autostartValue === 'false'
          ? false
          : undefined,
      DEFAULT_PARAMS.autostart,
    ),
  }
  return { params, problems }
}

/**
 * The query string of the settings (only the keys that differ from the defaults).
 *
 * @example
 * ```ts
 * formatParams({ ...DEFAULT_PARAMS, seed: 3 }) // '?seed=3'
 * ```
 */
export const formatParams = (params: PageParams): string => {
  const query = new URLSearchParams()
  for (const key of Object.keys(DEFAULT_PARAMS) as (keyof PageParams)[]) {
    if (params[key] !== DEFAULT_PARAMS[key]) query.set(key, String(params[key]))
  }
  const text = query.toString()
  return text === '' ? '' : `?${text}`
}
