#!/usr/bin/env node
/**
 * An actor process for {@link redisActors}: `node dist/redisActorMain.js --url redis://host:6379 --prefix polyak:run
 * --actor 0` (the password from `POLYAK_REDIS_PASSWORD` or the URL, never from the command line, where `ps` shows
 * it). It reads the run's config from `<prefix>:config` (waiting until the learner has written it), takes an
 * incarnation (`INCR <prefix>:incarnation:<actor>`), seeds its episodes and noise with `actorSeeds(seed, actor,
 * incarnation)`, acts with `rollout` and `explore` like a worker actor, polls `<prefix>:params` for newer versions,
 * and `XADD`s its steps in chunks to `<prefix>:transitions`. A chunk counts as accepted when Redis answered the XADD;
 * the running total is then written to `<prefix>:accepted`. While Redis is away the client reconnects and resends, so
 * a chunk is either accepted or still being retried (a resend of a chunk Redis had already stored makes a duplicate
 * entry, which the learner drops by `seq`). SIGTERM/SIGINT (or the parent's IPC channel closing) stop it after the
 * chunk in flight.
 *
 * @module redisActorMain
 */
import { parseArgs } from 'node:util'
import { makeNetworks } from '@polyak/agents'
import { type Params, setBackend, tidy } from '@polyak/core'
import { makeEnv } from '@polyak/envs'
import { DDPG_OU_PARAMS, gaussianProcess, type NoiseProcess, ouProcess } from '@polyak/noise'
import * as tf from '@tensorflow/tfjs'
import { Subject } from 'rxjs'
import type { EnvStep } from './EnvStep.js'
import { explore } from './explore.js'
import {
  connectRedis,
  decodeParams,
  encodeChunk,
  openRedis,
  type RedisActorsRunConfig,
  type RedisChunk,
  redisKeys,
} from './redisProtocol.js'
import { rollout } from './rollout.js'
import { actorSeeds } from './workerActors.js'

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.POLYAK_REDIS_URL ?? 'redis://127.0.0.1:6379' },
    prefix: { type: 'string', default: 'polyak' },
    actor: { type: 'string', default: '0' },
  },
})
const actor = Number(args.actor)
if (!Number.isInteger(actor) || actor < 0) throw new Error(`redisActorMain: --actor must be an integer >= 0`)
const keys = redisKeys(args.prefix)
const say = (message: string): void => {
  process.stderr.write(`[redis actor ${actor}] ${message}\n`)
}

let stopping = false
const stop = (): void => {
  stopping = true
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.on('disconnect', stop) // spawned with IPC: the learner went away

const client = connectRedis(args.url, { password: process.env.POLYAK_REDIS_PASSWORD, name: `polyak-actor-${actor}` })
client.on('error', (error: Error) => say(`redis: ${error.message} (retrying)`))
await openRedis(client, args.url)

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
let configText = await client.get(keys.config)
while (!stopping && configText === null) {
  await sleep(50)
  configText = await client.get(keys.config)
}
if (configText === null) {
  await client.quit()
  process.exit(0)
}
const config = JSON.parse(configText) as RedisActorsRunConfig
const incarnation = (await client.incr(keys.incarnation(actor))) - 1
const { envSeed, exploreKey } = actorSeeds(config.seed, actor, incarnation)
const slot = `${actor}:${incarnation}`
say(`incarnation ${incarnation}, pid ${process.pid}`)
process.send?.({ type: 'incarnation', actor, incarnation })

for (const url of config.setup) await import(url)
await setBackend(config.backend)

const { network } = config
const networks = makeNetworks({ ...network, hiddenSizes: network.hiddenSizes })
const actionSize = network.actionSize
const noiseProcess: NoiseProcess<unknown> = (
  config.noise === 'ou' ? ouProcess({ ...DDPG_OU_PARAMS, sigma: config.sigma }) : gaussianProcess(config.sigma)
) as NoiseProcess<unknown>

let params: Params | undefined
let version = -1
let progress = -1 // the learner's last chunk of this process handed to replay
let lastPoll = Number.NEGATIVE_INFINITY
const poll = async (): Promise<void> => {
  lastPoll = performance.now()
  const [[, remote], [, done]] = (await client
    .multi()
    .hget(keys.params, 'version')
    .hget(keys.progress, slot)
    .exec()) as [[unknown, string | null], [unknown, string | null]]
  if (done !== null) progress = Number(done)
  if (remote === null || Number(remote) <= version) return
  const latest = decodeParams(await client.hgetallBuffer(keys.params))
  if (latest === undefined || latest.version <= version) return
  const next: Record<string, tf.Tensor> = {}
  latest.names.forEach((name, i) => {
    next[name] = tf.tensor(latest.values[i] as Float32Array, latest.shapes[i] as number[], 'float32')
  })
  const previous = params
  params = next
  version = latest.version
  if (previous !== undefined) for (const tensor of Object.values(previous)) tensor.dispose()
}
const greedy = (observation: Float32Array): Float32Array =>
  params === undefined
    ? new Float32Array(actionSize)
    : (tidy(() =>
        networks.policy(params as Params, tf.tensor2d(observation, [1, network.observationSize])).dataSync(),
      ) as Float32Array)

const ticks$ = new Subject<number>()
let buffer: EnvStep[] = []
let failure: { readonly error: unknown } | undefined
ticks$
  .pipe(
    rollout({
      makeEnv: () => makeEnv(config.env, config.envOptions),
      policy: (observation, t) => (t < config.warmupSteps ? new Float32Array(actionSize) : greedy(observation)),
      explore: explore({
        process: noiseProcess,
        key: exploreKey,
        warmupSteps: config.warmupSteps,
        low: network.low,
        high: network.high,
      }),
      seed: envSeed,
    }),
  )
  .subscribe({
    next: (step) => buffer.push(step),
    error: (error: unknown) => {
      failure = { error }
    },
  })

const chunkOf = (steps: readonly EnvStep[], seq: number, total: number, paramsVersion: number): RedisChunk => {
  const o = network.observationSize
  const count = steps.length
  const chunk = {
    actor,
    incarnation,
    seq,
    total,
    paramsVersion,
    count,
    observations: new Float32Array(count * o),
    actions: new Float32Array(count * actionSize),
    rewards: new Float64Array(count),
    nextObservations: new Float32Array(count * o),
    flags: new Uint8Array(count),
    episodes: new Int32Array(count),
    ends: [] as { index: number; return: number; length: number }[],
  }
  steps.forEach((step, i) => {
    const { transition } = step
    chunk.observations.set(transition.observation, i * o)
    chunk.actions.set(transition.action, i * actionSize)
    chunk.nextObservations.set(transition.nextObservation, i * o)
    chunk.rewards[i] = transition.reward
    chunk.flags[i] = (transition.terminated ? 1 : 0) | (transition.truncated ? 2 : 0)
    chunk.episodes[i] = step.episode
    if (step.episodeEnd !== undefined) chunk.ends.push({ index: i, ...step.episodeEnd })
  })
  return chunk
}

let t = 0
let seq = 0
let accepted = 0
while (!stopping) {
  if (performance.now() - lastPoll >= config.pollMs) await poll()
  if (seq - progress > config.maxAhead) {
    await sleep(Math.min(config.pollMs, 10)) // the learner is behind: wait for it instead of filling the stream
    await poll()
    continue
  }
  const actedWith = version
  const started = performance.now()
  for (let i = 0; i < config.chunkSteps && failure === undefined; i++) {
    ticks$.next(t)
    t += 1
    if (performance.now() - started > config.chunkMs) break
  }
  if (buffer.length > 0) {
    const chunk = chunkOf(buffer, seq, accepted + buffer.length, actedWith)
    buffer = []
    await client.xadd(keys.transitions, '*', ...encodeChunk(chunk)) // resolves once Redis stored it
    accepted = chunk.total
    seq += 1
    await client.hset(keys.accepted, slot, String(accepted))
  }
  if (failure !== undefined) throw failure.error
}
say(`stopping after ${accepted} accepted transitions in ${seq} chunks`)
ticks$.complete()
await client.quit()
process.exit(0)
