/**
 * Secrets of a run (the Redis password): never written to the run folder, never printed, and checked before
 * anything is made.
 *
 * @module secrets
 */
import { connectRedis, openRedis, redactUrl } from '@polyak/pipelines'
import type { TrainerConfig } from './config.js'

/** The environment variable the Redis password comes from. */
export const REDIS_PASSWORD_VARIABLE = 'POLYAK_REDIS_PASSWORD'

/** A Redis URL without its password (the user, host, port and db stay): what `config.json` holds. */
const urlWithoutPassword = (url: string): string =>
  url.replace(/\/\/([^@/:]*)(?::[^@/]*)?@/, (_, user: string) => (user === '' ? '//' : `//${user}@`))

/**
 * The config as written to `config.json`: a Redis actors' `password` is emptied and the password is cut out of
 * the URL, so a resumed run takes it from {@link REDIS_PASSWORD_VARIABLE} again. Other configs are returned as they
 * are.
 *
 * @example
 * ```ts
 * configForDisk(config).actors // { kind: 'redis', url: 'redis://host:6379', password: '', … }
 * ```
 */
export const configForDisk = (config: TrainerConfig): TrainerConfig => {
  const { actors } = config
  if (actors.kind !== 'redis') return config
  return { ...config, actors: { ...actors, url: urlWithoutPassword(actors.url), password: '' } }
}

/**
 * Whether the config holds a secret that {@link configForDisk} leaves out (a resume must get it again from the
 * environment).
 *
 * @example
 * ```ts
 * holdsSecret(config) // true for actors.password or a URL with a password
 * ```
 */
export const holdsSecret = (config: TrainerConfig): boolean =>
  config.actors.kind === 'redis' &&
  (config.actors.password !== '' || urlWithoutPassword(config.actors.url) !== config.actors.url)

/**
 * `text` with every occurrence of the config's secrets replaced by `***` (for messages that quote a library's).
 *
 * @example
 * ```ts
 * redactSecrets(config, error.message)
 * ```
 */
export const redactSecrets = (config: TrainerConfig, text: string): string => {
  if (config.actors.kind !== 'redis') return text
  const secrets = [config.actors.password, process.env[REDIS_PASSWORD_VARIABLE] ?? ''].filter((s) => s.length >= 1)
  let redacted = redactUrl(text)
  for (const secret of secrets) redacted = redacted.split(secret).join('***')
  return redacted
}

/**
 * Connects to the Redis server of Redis actors and authenticates (the password from the config, the URL, or
 * {@link REDIS_PASSWORD_VARIABLE}), then disconnects; nothing else. Resolves at once for other actors.
 *
 * @throws Error (with the password redacted) when the server cannot be reached or refuses the password
 *
 * @example
 * ```ts
 * await checkRedis(config, 5_000) // before the run folder is made
 * ```
 */
export const checkRedis = async (config: TrainerConfig, timeoutMs = 5_000): Promise<void> => {
  const { actors } = config
  if (actors.kind !== 'redis') return
  const password = actors.password !== '' ? actors.password : process.env[REDIS_PASSWORD_VARIABLE]
  const client = connectRedis(actors.url, { password, name: 'polyak-trainer-check' })
  try {
    await openRedis(client, actors.url, timeoutMs)
  } catch (error) {
    throw new Error(`actors: ${redactSecrets(config, error instanceof Error ? error.message : String(error))}`)
  } finally {
    client.disconnect()
  }
}
