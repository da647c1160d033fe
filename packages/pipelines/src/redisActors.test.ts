import { execFileSync } from 'node:child_process'
import { makeNetworks } from '@polyak/agents'
import { Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { Redis } from 'ioredis'
import { filter, lastValueFrom, type Subscription, take, takeWhile, tap, toArray } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LiveActors, liveActors } from './actors/live.js'
import type { ActorNetworks } from './actors/protocol.js'
import {
  liveRedisActors,
  type RedisActorEvent,
  type RedisActorStep,
  type RedisActorsOptions,
  redisActors,
} from './actors/redis.js'
import { redisKeys } from './actors/redisProtocol.js'
import { disposeExperimentSnapshot } from './ExperimentSnapshot.js'
import type { ExperimentEvent } from './events.js'
import { runExperiment } from './runExperiment.js'
import { greedyMismatches, networksFor, WALKER_PARKOUR } from './test-utils/actorNetworks.js'
import { type RedisTestServer, redisServerBinary, startRedisServer } from './test-utils/redisServer.js'
import { FAKE_WORKER_ENV } from './test-utils/workerTestEnvs.js'

const binary = redisServerBinary()
const setup = [new URL('./test-utils/workerTestEnvs.ts', import.meta.url)]
const spec = { observationSize: 3, actionSize: 2, low: [-1, -1], high: [1, 1], hiddenSizes: [8] }
const networks: ActorNetworks = { spec, architecture: { kind: 'mlp' } }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
const noLiveActors = async (pids: readonly number[], live?: LiveActors): Promise<number> => {
  for (let i = 0; i < 100 && ((live !== undefined && liveRedisActors(live) > 0) || pids.some(alive)); i++)
    await sleep(50)
  return pids.filter(alive).length + (live === undefined ? 0 : liveRedisActors(live))
}
/** The pid of the actor process of slot `actor` of the run under `prefix` spawned here (runExperiment's), if any. */
const actorPid = (prefix: string, actor: number): number | undefined => {
  const lines = execFileSync('ps', ['-e', '-o', 'pid=,args='], { encoding: 'utf8' }).split('\n')
  const line = lines.find((l) => l.includes('redisMain') && l.includes(`--prefix ${prefix} --actor ${actor}`))
  return line === undefined ? undefined : Number(line.trim().split(/\s+/)[0])
}
/** Polls `check` every 10 ms until it returns a value (not undefined), for at most `ms`. */
const until = async <T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  ms = 120_000,
): Promise<T> => {
  const deadline = performance.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}
let prefixes = 0
const freshPrefix = () => `polyak-test-${process.pid}-${prefixes++}`

describe.skipIf(binary === undefined)('redisActors (real redis-server on loopback)', () => {
  let server: RedisTestServer
  let admin: Redis
  beforeAll(async () => {
    server = await startRedisServer(binary as string)
    admin = new Redis(server.url, { password: server.password, maxRetriesPerRequest: null, lazyConnect: true })
    admin.on('error', () => {})
    await admin.connect()
  }, 240_000)
  afterAll(async () => {
    admin?.disconnect()
    await server?.stop()
  })

  const options = (prefix: string): RedisActorsOptions => ({
    url: server.url,
    password: server.password,
    prefix,
    env: FAKE_WORKER_ENV,
    envOptions: { episodeLength: 10, actionSize: 2 },
    setup,
    count: 2,
    seed: 5,
    networks,
    sigma: 0.1,
    warmupSteps: 20,
    latestParams: () => undefined,
    chunkSteps: 10,
    log: () => {},
  })

  it('2 actor processes deliver their transitions (distinct seeds) and act with the versions the learner publishes', async () => {
    const params = makeNetworks(spec).initActor(Rng.key(0))
    let version = 0
    const seen = [0, 0]
    const events: RedisActorEvent[] = []
    const steps = await lastValueFrom(
      redisActors({
        ...options(freshPrefix()),
        latestParams: () => ({ version, params }),
        paramsEverySteps: 1,
        paramsEveryMs: 5,
        pollMs: 10,
        onActor: (event) => events.push(event),
      }).pipe(
        tap((s) => {
          version += 1
          seen[s.actor] = (seen[s.actor] ?? 0) + 1
        }),
        takeWhile(() => (seen[0] ?? 0) < 200 || (seen[1] ?? 0) < 200, true),
        toArray(),
      ),
    )
    expect(steps.map((s) => s.t)).toEqual(Array.from({ length: steps.length }, (_, i) => i))
    const byActor = [0, 1].map((a) => steps.filter((s) => s.actor === a))
    expect(byActor[0]?.length).toBeGreaterThanOrEqual(200)
    expect(byActor[1]?.length).toBeGreaterThanOrEqual(200)
    expect(new Set(steps.map((s) => s.envIndex))).toEqual(new Set([0, 1]))
    const first = (a: number) => Array.from((byActor[a] as RedisActorStep[])[0]?.transition.observation ?? [])
    expect(first(0)).not.toEqual(first(1)) // episode contexts from different seeds
    expect(steps.filter((s) => s.episodeEnd !== undefined).every((s) => s.episodeEnd?.length === 10)).toBe(true)
    for (const actorSteps of byActor) {
      const versions = (actorSteps as RedisActorStep[]).map((s) => s.paramsVersion)
      expect(versions.at(-1)).toBeGreaterThan(Math.max(0, versions[0] as number)) // params reached the actor
      expect(versions.every((v, i) => i === 0 || v >= (versions[i - 1] as number))).toBe(true)
    }
    const pids = events.flatMap((e) => (e.type === 'started' ? [e.pid] : []))
    expect(pids).toHaveLength(2)
    expect(await noLiveActors(pids)).toBe(0)
    for (const tensor of Object.values(params)) tensor.dispose()
  }, 240_000)

  it('Parkour networks (BipedalWalker-v3) act in the actor processes: the greedy policy of the parameters sent', async () => {
    const walker = networksFor('BipedalWalker-v3', {}, WALKER_PARKOUR)
    const params = makeNetworks(walker.spec, undefined, walker.architecture).initActor(Rng.key(3))
    const before = tf.memory().numTensors
    const live = liveActors()
    let version = 0
    const seen = [0, 0]
    const steps = await lastValueFrom(
      redisActors({
        ...options(freshPrefix()),
        env: 'BipedalWalker-v3',
        envOptions: {},
        setup: [],
        networks: walker,
        sigma: 0, // the actions are exactly the policy's
        warmupSteps: 20,
        latestParams: () => ({ version, params }),
        paramsEverySteps: 1,
        paramsEveryMs: 5,
        pollMs: 10,
        live,
      }).pipe(
        tap((s) => {
          version += 1
          seen[s.actor] = (seen[s.actor] ?? 0) + 1
        }),
        takeWhile(() => (seen[0] ?? 0) < 100 || (seen[1] ?? 0) < 100, true),
        toArray(),
      ),
    )
    for (const actor of [0, 1]) {
      const check = greedyMismatches(
        steps.filter((s) => s.actor === actor),
        walker,
        params,
        10,
      )
      expect(check.checked).toBeGreaterThan(20) // steps past the warm-up, acted with parameters
      expect(check).toMatchObject({ mismatches: 0 })
    }
    expect(await noLiveActors([], live)).toBe(0)
    expect(tf.memory().numTensors).toBe(before)
    for (const tensor of Object.values(params)) tensor.dispose()
  }, 240_000)

  it('runExperiment: D4PG with Parkour networks and 2 redis actors on BipedalWalker-v3', async () => {
    const prefix = freshPrefix()
    const keys = redisKeys(prefix)
    const before = tf.memory().numTensors
    const events = await lastValueFrom(
      runExperiment({
        algo: 'd4pg',
        env: 'BipedalWalker-v3',
        networks: { kind: 'parkour', terrain: [14, 24], torsoSizes: [16], headSizes: [32] },
        actors: {
          kind: 'redis',
          url: server.url,
          password: server.password,
          prefix,
          count: 2,
          paramsEverySteps: 5,
          paramsEveryMs: 10,
        },
        agent: { vMin: -150, vMax: 150, atoms: 21, nStep: 1 },
        steps: 300,
        seed: 4,
        warmupSteps: 40,
        batchSize: 8,
        bufferSize: 512,
        evalEpisodes: 0,
      }).pipe(toArray()),
    )
    const updates = events.filter((e) => e.type === 'update')
    expect(updates).toHaveLength(260)
    for (const e of updates) expect(Number.isFinite(e.metrics['losses/critic'])).toBe(true)
    const final = events.at(-1)
    if (final?.type !== 'final') throw new Error('no final event')
    const names = Object.keys(final.snapshot.train.actor)
    expect(names.some((name) => name.startsWith('terrain/'))).toBe(true)
    disposeExperimentSnapshot(final.snapshot)
    // the run's config carried the Parkour architecture to the actors, and the learner published to them
    const config = JSON.parse((await admin.get(keys.config)) ?? '{}')
    expect(config.networks.architecture).toEqual({
      kind: 'parkour',
      terrain: [14, 24],
      torsoSizes: [16],
      headSizes: [32],
    })
    expect(Number(await admin.hget(keys.params, 'version'))).toBeGreaterThan(0)
    const accepted = Object.values(await admin.hgetall(keys.accepted)).reduce((sum, n) => sum + Number(n), 0)
    expect(accepted).toBeGreaterThanOrEqual(300)
    const gone = () => (actorPid(prefix, 0) === undefined && actorPid(prefix, 1) === undefined ? true : undefined)
    expect(await until('the actor processes to exit', gone, 10_000)).toBe(true)
    expect(tf.memory().numTensors).toBe(before)
  }, 240_000)

  it('runExperiment with redis actors: a SIGKILLed actor is restarted and the run completes its learner steps', async () => {
    const prefix = freshPrefix()
    const keys = redisKeys(prefix)
    let learnerStep = 0
    const incarnations = async (actor: number) => Number((await admin.get(keys.incarnation(actor))) ?? 0)
    /**
     * Makes the restart happen before the run can finish, whatever the machine's load. Each actor is stopped
     * (SIGSTOP) as soon as it has taken its incarnation, until both have: so neither can deliver the whole run while
     * the other is still starting. Then actor 0 acts alone until the learner has made 20 steps, and is SIGKILLed;
     * actor 1 continues only once the killed slot's second incarnation has started. Until then no steps can arrive
     * beyond what actor 0 sent before it died (at most its back-pressure window, far fewer than the run needs).
     */
    const choreography = async () => {
      const paused = new Set<number>()
      const pause = (pid: number) => {
        process.kill(pid, 'SIGSTOP')
        paused.add(pid)
      }
      const resume = (pid: number) => {
        paused.delete(pid)
        process.kill(pid, 'SIGCONT')
      }
      try {
        const first = await until('actor 0 to take its incarnation', async () =>
          (await incarnations(0)) === 1 ? actorPid(prefix, 0) : undefined,
        )
        pause(first)
        const second = await until('actor 1 to take its incarnation', async () =>
          (await incarnations(1)) === 1 ? actorPid(prefix, 1) : undefined,
        )
        pause(second)
        resume(first)
        await until('20 learner steps', () => (learnerStep >= 20 ? true : undefined))
        process.kill(first, 'SIGKILL')
        await until('the killed actor to be restarted', async () => ((await incarnations(0)) === 2 ? true : undefined))
        return first
      } finally {
        for (const pid of paused) resume(pid)
      }
    }
    const killed = choreography()
    killed.catch(() => {}) // awaited below
    const events = await lastValueFrom(
      runExperiment({
        algo: 'td3',
        env: FAKE_WORKER_ENV,
        envOptions: { episodeLength: 10, actionSize: 2 },
        steps: 1_500,
        seed: 3,
        warmupSteps: 50,
        batchSize: 16,
        bufferSize: 1024,
        agent: { hiddenSizes: [8] },
        evalEpisodes: 0,
        actors: {
          kind: 'redis',
          url: server.url,
          password: server.password,
          prefix,
          count: 2,
          setup: setup.map((u) => u.href),
          paramsEverySteps: 10,
          maxRestarts: 5,
        },
      }).pipe(
        tap((event) => {
          if (event.type === 'update') learnerStep = event.learnerStep
        }),
        toArray(),
      ),
    )
    const killedPid = await killed
    const updates = events.filter((e) => e.type === 'update')
    expect(updates).toHaveLength(1_450)
    const final = events.at(-1) as Extract<ExperimentEvent, { type: 'final' }>
    expect(final.type).toBe('final')
    disposeExperimentSnapshot(final.snapshot)
    // the killed slot took a second incarnation (it was restarted) and it delivered; the other kept its first
    expect([await incarnations(0), await incarnations(1)]).toEqual([2, 1])
    expect(Number((await admin.hget(keys.accepted, '0:1')) ?? 0)).toBeGreaterThan(0)
    expect(await noLiveActors([killedPid])).toBe(0)
  }, 240_000)

  it('restarting redis-server mid-run loses no accepted transition, and the learner continues', async () => {
    const prefix = freshPrefix()
    const keys = redisKeys(prefix)
    const logs: string[] = []
    const pids: number[] = []
    const id = (s: RedisActorStep) => `${s.actor}:${s.incarnation}:${s.seq}:${s.index}`
    const distinct = new Set<string>()
    let received = 0
    let restarted = false
    let afterRestart = 0
    const run = new Promise<void>((resolve, reject) => {
      let subscription: Subscription | undefined
      subscription = redisActors({
        ...options(prefix),
        maxAhead: 4,
        log: (message) => logs.push(message),
        onActor: (event) => {
          if (event.type === 'started') pids.push(event.pid)
        },
      }).subscribe({
        next: (step) => {
          received += 1
          distinct.add(id(step))
          if (restarted) afterRestart += 1
          if (afterRestart >= 300) {
            subscription?.unsubscribe()
            resolve()
          }
        },
        error: reject,
      })
    })
    while (received < 300) await sleep(20)
    await server.kill()
    await sleep(300)
    await server.start()
    restarted = true
    await run
    expect(received).toBe(distinct.size) // no transition handed on twice
    expect(await noLiveActors(pids)).toBe(0) // stopped gracefully: the last accepted counts are written
    expect(logs.some((line) => /redis/i.test(line))).toBe(true) // the outage was noticed and survived
    // what the actors were told Redis accepted (written after each XADD answered; the AOF kept it)
    const accepted = Object.values(await admin.hgetall(keys.accepted)).reduce((sum, n) => sum + Number(n), 0)
    expect(accepted).toBeGreaterThanOrEqual(received)
    // a new learner on the same group gets the rest: entries read but not acknowledged, and entries never read
    if (distinct.size < accepted)
      await lastValueFrom(
        redisActors({ ...options(prefix), spawn: false }).pipe(
          tap((step) => distinct.add(id(step))),
          takeWhile(() => distinct.size < accepted),
          toArray(),
        ),
      )
    expect(distinct.size).toBe(accepted) // every accepted transition reached a learner
    // everything handed on was acknowledged and deleted: nothing left, nothing pending (the acknowledgements of the
    // last chunks may still be in flight when the learner unsubscribes: wait for them, up to 30 s on a loaded machine)
    const pending = async () => ((await admin.xpending(keys.transitions, 'learner')) as unknown[])[0]
    for (let i = 0; i < 600 && ((await admin.xlen(keys.transitions)) > 0 || (await pending()) !== 0); i++)
      await sleep(50)
    expect(await admin.xlen(keys.transitions)).toBe(0)
    expect(await pending()).toBe(0)
  }, 240_000)

  it('a wrong password errors the stream with a message naming authentication, and starts no actor', async () => {
    const events: RedisActorEvent[] = []
    const error = await lastValueFrom(
      redisActors({ ...options(freshPrefix()), password: 'not-the-password', onActor: (e) => events.push(e) }),
    ).catch((e: unknown) => e)
    expect(String(error)).toMatch(/Redis authentication failed.*WRONGPASS/)
    expect(String(error)).not.toContain(server.password)
    expect(events).toHaveLength(0)
  }, 240_000)

  it('unsubscribing stops every actor process and closes every connection', async () => {
    const prefix = freshPrefix()
    const pids: number[] = []
    const steps = await lastValueFrom(
      redisActors({
        ...options(prefix),
        onActor: (event) => {
          if (event.type === 'started') pids.push(event.pid)
        },
      }).pipe(
        filter((s) => s.actor === 1),
        take(20),
        toArray(),
      ),
    )
    expect(steps).toHaveLength(20)
    expect(pids).toHaveLength(2)
    expect(await noLiveActors(pids)).toBe(0)
    const polyakClients = async () =>
      ((await admin.client('LIST')) as string).split('\n').filter((line) => /name=polyak-/.test(line)).length
    for (let i = 0; i < 40 && (await polyakClients()) > 0; i++) await sleep(50)
    expect(await polyakClients()).toBe(0)
  }, 240_000)
})

describe('redis actors config', () => {
  it('rejects a bad redis actors config naming the field', () => {
    expect(() => runExperiment({ env: 'Pendulum-v1', actors: { kind: 'redis', url: 'redis://x', count: 0 } })).toThrow(
      /actors/,
    )
    expect(() =>
      runExperiment({ env: 'Pendulum-v1', actors: { kind: 'redis', url: 'redis://x', pasword: 'p' } as never }),
    ).toThrow(/pasword/)
  })

  it.skipIf(binary !== undefined)(
    'skips the Redis tests: no redis-server binary on PATH (run scripts/system-deps.sh)',
    () => {
      expect(binary).toBeUndefined()
    },
  )
})
