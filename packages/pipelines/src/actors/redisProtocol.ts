/**
 * What `redisActors` (the learner) and `actors/redisMain` (an actor process) exchange through Redis, and how it
 * is encoded. Everything lives under one key prefix:
 *
 * - `<prefix>:config` (string, JSON): what an actor needs to act ({@link RedisActorsRunConfig}), set by the learner.
 * - `<prefix>:params` (hash): `version` (the learner step), `meta` (JSON names and shapes), `values` (the actor's
 *   tensors as one little-endian Float32 buffer). Written in one `HSET`, so a reader never sees a torn version.
 * - `<prefix>:transitions` (stream): one entry per chunk of steps, typed-array columns as binary fields
 *   ({@link encodeChunk}); read by the learner through the consumer group `learner`.
 * - `<prefix>:incarnation:<actor>` (counter): `INCR`ed by every actor process that starts as slot `actor`.
 * - `<prefix>:accepted` (hash): `<actor>:<incarnation>` → transitions of that process Redis acknowledged.
 * - `<prefix>:progress` (hash): `<actor>:<incarnation>` → the last chunk the learner handed to replay (the actors'
 *   back-pressure).
 *
 * @module actors/redisProtocol
 */
import { Redis, type RedisOptions } from 'ioredis'
import type { StepColumns } from './chunkCodec.js'
import type { ActorRunConfig } from './protocol.js'

/**
 * The keys of a run under `prefix`.
 *
 * @example
 * ```ts
 * redisKeys('polyak:run1').transitions // 'polyak:run1:transitions'
 * ```
 */
export const redisKeys = (prefix: string) => ({
  config: `${prefix}:config`,
  params: `${prefix}:params`,
  transitions: `${prefix}:transitions`,
  incarnation: (actor: number) => `${prefix}:incarnation:${actor}`,
  accepted: `${prefix}:accepted`,
  progress: `${prefix}:progress`,
})

/** The consumer group (and consumer) the learner reads the transitions stream with. */
export const LEARNER_GROUP = 'learner'

/**
 * What every actor process reads from `<prefix>:config` before acting (the per-actor parts, seeds and incarnation,
 * it derives itself).
 *
 * @example
 * ```ts
 * const config: RedisActorsRunConfig = JSON.parse(await client.get(keys.config))
 * ```
 */
export interface RedisActorsRunConfig extends ActorRunConfig {
  readonly count: number
  readonly seed: number
  /** Random steps per actor process. */
  readonly warmupSteps: number
  /** Chunks an actor may be ahead of the learner's progress before it waits. */
  readonly maxAhead: number
  /** How often actors poll for new params (ms). */
  readonly pollMs: number
}

/**
 * One chunk of an actor's steps, as typed-array columns (the payload of `ActorStepsMessage`, plus its place in the
 * actor's sequence: `seq` counts the chunks of one actor process from 0, `total` the transitions including this
 * chunk).
 *
 * @example
 * ```ts
 * const fields = encodeChunk(chunk) // XADD key * ...fields
 * ```
 */
export interface RedisChunk extends StepColumns {
  readonly actor: number
  readonly incarnation: number
  readonly seq: number
  readonly total: number
  readonly paramsVersion: number
}

const bytes = (array: ArrayBufferView): Buffer => Buffer.from(array.buffer, array.byteOffset, array.byteLength)

/** A fresh, aligned copy of a binary field (ioredis buffers may be unaligned slices of a pool). */
const copyOf = (buffer: Buffer | undefined, field: string): ArrayBuffer => {
  if (buffer === undefined) throw new Error(`redisActors: chunk field '${field}' missing`)
  return new Uint8Array(buffer).buffer as ArrayBuffer
}

/**
 * A chunk as XADD field/value pairs (binary-safe Buffers of the typed arrays, little-endian as the host).
 *
 * @example
 * ```ts
 * await client.xadd(keys.transitions, '*', ...encodeChunk(chunk))
 * ```
 */
export const encodeChunk = (chunk: RedisChunk): (string | Buffer)[] => [
  'actor',
  String(chunk.actor),
  'incarnation',
  String(chunk.incarnation),
  'seq',
  String(chunk.seq),
  'total',
  String(chunk.total),
  'version',
  String(chunk.paramsVersion),
  'count',
  String(chunk.count),
  'obs',
  bytes(chunk.observations),
  'act',
  bytes(chunk.actions),
  'rew',
  bytes(chunk.rewards),
  'next',
  bytes(chunk.nextObservations),
  'flags',
  bytes(chunk.flags),
  'episodes',
  bytes(chunk.episodes),
  'ends',
  JSON.stringify(chunk.ends),
]

/**
 * The chunk of a stream entry's fields (as `XREADGROUP` returns them, Buffers), checked against the sizes.
 *
 * @example
 * ```ts
 * const chunk = decodeChunk(fields, 3, 1)
 * ```
 */
export const decodeChunk = (fields: readonly Buffer[], observationSize: number, actionSize: number): RedisChunk => {
  const map = new Map<string, Buffer>()
  for (let i = 0; i + 1 < fields.length; i += 2) map.set((fields[i] as Buffer).toString(), fields[i + 1] as Buffer)
  const int = (field: string): number => {
    const value = Number(map.get(field)?.toString())
    if (!Number.isInteger(value)) throw new Error(`redisActors: chunk field '${field}' is not an integer`)
    return value
  }
  const count = int('count')
  const chunk: RedisChunk = {
    actor: int('actor'),
    incarnation: int('incarnation'),
    seq: int('seq'),
    total: int('total'),
    paramsVersion: int('version'),
    count,
    observations: new Float32Array(copyOf(map.get('obs'), 'obs')),
    actions: new Float32Array(copyOf(map.get('act'), 'act')),
    rewards: new Float64Array(copyOf(map.get('rew'), 'rew')),
    nextObservations: new Float32Array(copyOf(map.get('next'), 'next')),
    flags: new Uint8Array(copyOf(map.get('flags'), 'flags')),
    episodes: new Int32Array(copyOf(map.get('episodes'), 'episodes')),
    ends: JSON.parse(map.get('ends')?.toString() ?? '[]') as RedisChunk['ends'],
  }
  if (
    chunk.observations.length !== count * observationSize ||
    chunk.nextObservations.length !== count * observationSize ||
    chunk.actions.length !== count * actionSize ||
    chunk.rewards.length !== count ||
    chunk.flags.length !== count ||
    chunk.episodes.length !== count
  )
    throw new Error(`redisActors: chunk sizes do not match the network (${observationSize} obs, ${actionSize} actions)`)
  return chunk
}

/**
 * Versioned actor parameters as the fields of the `<prefix>:params` hash.
 *
 * @example
 * ```ts
 * await client.hset(keys.params, encodeParams(version, names, shapes, values))
 * ```
 */
export const encodeParams = (
  version: number,
  names: readonly string[],
  shapes: readonly (readonly number[])[],
  values: readonly Float32Array[],
): Record<string, string | Buffer> => {
  const total = values.reduce((sum, v) => sum + v.length, 0)
  const all = new Float32Array(total)
  let offset = 0
  for (const v of values) {
    all.set(v, offset)
    offset += v.length
  }
  return { version: String(version), meta: JSON.stringify({ names, shapes }), values: bytes(all) }
}

/**
 * The parameters of a `<prefix>:params` hash (`HGETALL` as Buffers), or `undefined` when it is empty.
 *
 * @example
 * ```ts
 * const params = decodeParams(await client.hgetallBuffer(keys.params))
 * ```
 */
export const decodeParams = (
  hash: Readonly<Record<string, Buffer>>,
):
  | {
      readonly version: number
      readonly names: readonly string[]
      readonly shapes: readonly (readonly number[])[]
      readonly values: readonly Float32Array[]
    }
  | undefined => {
  const { version, meta, values } = hash
  if (version === undefined || meta === undefined || values === undefined) return undefined
  const { names, shapes } = JSON.parse(meta.toString()) as { names: string[]; shapes: number[][] }
  const all = new Float32Array(copyOf(values, 'values'))
  let offset = 0
  const parts = shapes.map((shape) => {
    const size = shape.reduce((p, d) => p * d, 1)
    const part = all.subarray(offset, offset + size)
    offset += size
    return part
  })
  return { version: Number(version.toString()), names, shapes, values: parts }
}

/**
 * A Redis client that retries for ever: it reconnects with a capped back-off (50 ms · attempts, at most 1 s), queues
 * commands while disconnected and resends those that were in flight, so a command either succeeds once Redis is
 * back or is still waiting. `password` (when given) overrides the one in the URL.
 *
 * @example
 * ```ts
 * const client = connectRedis('redis://127.0.0.1:6379', { password: 'secret', name: 'learner' })
 * ```
 */
export const connectRedis = (
  url: string,
  options: { readonly password?: string | undefined; readonly name?: string } = {},
): Redis =>
  new Redis(url, {
    ...(options.password === undefined || options.password === '' ? {} : { password: options.password }),
    ...(options.name === undefined ? {} : { connectionName: options.name }),
    lazyConnect: true,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: true,
    retryStrategy: (times: number) => Math.min(50 * times, 1_000),
  } satisfies RedisOptions)

/**
 * Connects a {@link connectRedis} client and checks that it may run commands, or throws an error that says what went
 * wrong: authentication (wrong or missing password / ACL user) or an unreachable server.
 *
 * @example
 * ```ts
 * await openRedis(client, url)
 * ```
 */
export const openRedis = async (client: Redis, url: string, timeoutMs = 10_000): Promise<void> => {
  const where = redactUrl(url)
  let lastError: unknown
  const onError = (error: unknown): void => {
    lastError = error
  }
  client.on('error', onError)
  try {
    const ping = (async () => {
      await client.connect()
      await client.ping()
    })()
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(lastError ?? new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      await Promise.race([ping, timeout])
    } finally {
      clearTimeout(timer)
    }
  } catch (error) {
    const text = (e: unknown): string => (e instanceof Error ? e.message : String(e))
    // an auth failure closes the connection: the rejection says 'Connection is closed', the error event says why
    const message = lastError === undefined || lastError === error ? text(error) : `${text(lastError)}; ${text(error)}`
    client.disconnect()
    if (/WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username-password|AUTH/i.test(message))
      throw new Error(
        `Redis authentication failed at ${where}: ${message} (check the password: actors.password, the URL, ` +
          `or POLYAK_REDIS_PASSWORD)`,
      )
    throw new Error(`cannot reach Redis at ${where}: ${message}`)
  } finally {
    client.off('error', onError)
  }
}

/**
 * A Redis URL without its password, for messages.
 *
 * @example
 * ```ts
 * redactUrl('redis://:secret@host:6379') // 'redis://:***@host:6379'
 * ```
 */
export const redactUrl = (url: string): string => url.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@')
