#!/usr/bin/env node
/**
 * An actor process for `redisActors`: `node dist/actors/redisMain.js --url redis://host:6379 --prefix polyak:run
 * --actor 0` (the password from `POLYAK_REDIS_PASSWORD` or the URL, never from the command line, where `ps` shows
 * it). It reads the run's config from `<prefix>:config` (waiting until the learner has written it), takes an
 * incarnation (`INCR <prefix>:incarnation:<actor>`), seeds its episodes and noise with `actorSeeds(seed, actor,
 * incarnation)`, builds the run's networks (any architecture), acts with `rollout` and `explore` like a worker actor, polls `<prefix>:params` for newer versions,
 * and `XADD`s its steps in chunks to `<prefix>:transitions`. A chunk counts as accepted when Redis answered the XADD;
 * the running total is then written to `<prefix>:accepted`. While Redis is away the client reconnects and resends, so
 * a chunk is either accepted or still being retried (a resend of a chunk Redis had already stored makes a duplicate
 * entry, which the learner drops by `seq`). SIGTERM/SIGINT (or the parent's IPC channel closing) stop it after the
 * chunk in flight.
 *
 * @module actors/redisMain
 */
import { parseArgs } from 'node:util'
import { actorParams, startActing } from './acting.js'
import { encodeSteps } from './chunkCodec.js'
import {
  connectRedis,
  decodeParams,
  encodeChunk,
  openRedis,
  type RedisActorsRunConfig,
  type RedisChunk,
  redisKeys,
} from './redisProtocol.js'
import { actorSeeds } from './seeds.js'

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.POLYAK_REDIS_URL ?? 'redis://127.0.0.1:6379' },
    prefix: { type: 'string', default: 'polyak' },
    actor: { type: 'string', default: '0' },
  },
})
const actor = Number(args.actor)
if (!Number.isInteger(actor) || actor < 0) throw new Error(`actors/redisMain: --actor must be an integer >= 0`)

/** Acts as slot `actor` of the run under `prefix` until SIGTERM/SIGINT or the parent goes away. */
const actThroughRedis = async (url: string, prefix: string, actor: number): Promise<void> => {
  const keys = redisKeys(prefix)
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

  const client = connectRedis(url, { password: process.env.POLYAK_REDIS_PASSWORD, name: `polyak-actor-${actor}` })
  client.on('error', (error: Error) => say(`redis: ${error.message} (retrying)`))
  await openRedis(client, url)

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
  let configText = await client.get(keys.config)
  while (!stopping && configText === null) {
    await sleep(50)
    configText = await client.get(keys.config)
  }
  if (configText === null) {
    await client.quit()
    return
  }
  const config = JSON.parse(configText) as RedisActorsRunConfig
  const incarnation = (await client.incr(keys.incarnation(actor))) - 1
  const { envSeed, exploreKey } = actorSeeds(config.seed, actor, incarnation)
  const slot = `${actor}:${incarnation}`
  say(`incarnation ${incarnation}, pid ${process.pid}`)
  process.send?.({ type: 'incarnation', actor, incarnation })

  const params = actorParams()
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
    params.offer(latest)
    params.current() // the tensors now, between chunks
    version = latest.version
  }
  const acting = await startActing({ ...config, envSeed, exploreKey }, params)
  const { observationSize, actionSize } = config.networks.spec

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
    const steps = acting.act(config.chunkSteps, config.chunkMs)
    if (steps.length > 0) {
      const chunk: RedisChunk = {
        actor,
        incarnation,
        seq,
        total: accepted + steps.length,
        paramsVersion: actedWith,
        ...encodeSteps(steps, observationSize, actionSize),
      }
      await client.xadd(keys.transitions, '*', ...encodeChunk(chunk)) // resolves once Redis stored it
      accepted = chunk.total
      seq += 1
      await client.hset(keys.accepted, slot, String(accepted))
    }
    acting.throwIfFailed()
  }
  say(`stopping after ${accepted} accepted transitions in ${seq} chunks`)
  acting.stop()
  await client.quit()
}

await actThroughRedis(args.url, args.prefix, actor)
process.exit(0)
