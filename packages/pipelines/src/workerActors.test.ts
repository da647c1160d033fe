import { readdirSync } from 'node:fs'
import { makeNetworks } from '@polyak/agents'
import { Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { filter, firstValueFrom, lastValueFrom, take, takeWhile, tap, toArray } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { type LiveActors, liveActors } from './actors/live.js'
import type { ActorNetworks, ActorStep, VersionedParams } from './actors/protocol.js'
import { actorSeeds } from './actors/seeds.js'
import { type ActorWorkerEvent, liveActorWorkers, workerActors } from './actors/workers.js'
import { disposeExperimentSnapshot } from './ExperimentSnapshot.js'
import type { ExperimentEvent } from './events.js'
import { runExperiment } from './runExperiment.js'
import { greedyMismatches, LANE_PIXELS, networksFor, WALKER_PARKOUR } from './test-utils/actorNetworks.js'
import { CRASHING_WORKER_ENV, FAKE_WORKER_ENV } from './test-utils/workerTestEnvs.js'

const setup = [new URL('./test-utils/workerTestEnvs.ts', import.meta.url)]
const spec = { observationSize: 3, actionSize: 2, low: [-1, -1], high: [1, 1], hiddenSizes: [8] }
const networks: ActorNetworks = { spec, architecture: { kind: 'mlp' } }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until every worker thread of `live` has exited (their `exit` events come asynchronously after `terminate`). */
const noLiveWorkers = async (live: LiveActors): Promise<number> => {
  for (let i = 0; i < 200 && liveActorWorkers(live) > 0; i++) await sleep(50)
  return liveActorWorkers(live)
}

/** This process's threads (Linux), e.g. to see that `runExperiment`'s worker threads were all joined. */
const threads = (): number => {
  try {
    return readdirSync('/proc/self/task').length
  } catch {
    return 0 // no /proc: the check below passes trivially
  }
}
/** Waits until this process has at most `count` threads again, and returns how many it has. */
const threadsBackTo = async (count: number): Promise<number> => {
  for (let i = 0; i < 200 && threads() > count; i++) await sleep(50)
  return threads()
}

describe('workerActors', () => {
  it('K=2 actors step their own envs with distinct seeds and act with the versions the learner publishes', async () => {
    const actor = makeNetworks(spec)
    const params = actor.initActor(Rng.key(0))
    const live = liveActors()
    let version = 0
    const latestParams = (): VersionedParams => ({ version, params })
    const seen = [0, 0]
    const steps = await lastValueFrom(
      workerActors({
        env: FAKE_WORKER_ENV,
        envOptions: { episodeLength: 10, actionSize: 2 },
        setup,
        count: 2,
        seed: 5,
        networks,
        sigma: 0.1,
        warmupSteps: 20,
        latestParams,
        live,
        paramsEverySteps: 1,
        paramsEveryMs: 5,
        chunkSteps: 10,
      }).pipe(
        tap((s) => {
          version += 1 // a learner step per env step
          seen[s.actor] = (seen[s.actor] ?? 0) + 1
        }),
        // the workers start at different times: run until both have sent 100 steps
        takeWhile(() => (seen[0] ?? 0) < 100 || (seen[1] ?? 0) < 100, true),
        toArray(),
      ),
    )
    expect(steps.map((s) => s.t)).toEqual(Array.from({ length: steps.length }, (_, i) => i))
    const byActor = [0, 1].map((a) => steps.filter((s) => s.actor === a))
    expect(byActor[0]?.length).toBeGreaterThanOrEqual(100)
    expect(byActor[1]?.length).toBeGreaterThanOrEqual(100)
    expect(new Set(steps.map((s) => s.envIndex))).toEqual(new Set([0, 1]))
    // the fake env's observation holds context drawn from the episode seed: the two actors' first episodes differ
    const first = (a: number) => Array.from((byActor[a] as ActorStep[])[0]?.transition.observation ?? [])
    expect(first(0)).not.toEqual(first(1))
    expect(actorSeeds(5, 0, 0).envSeed).not.toBe(actorSeeds(5, 1, 0).envSeed)
    // episodes get global indices; an actor's episode is 10 steps
    const ends = steps.filter((s) => s.episodeEnd !== undefined)
    expect(ends.every((s) => s.episodeEnd?.length === 10)).toBe(true)
    expect(new Set(ends.map((s) => s.episode)).size).toBe(ends.length)
    // published parameters reach the workers, and later steps act with newer versions
    for (const actorSteps of byActor) {
      const versions = (actorSteps as ActorStep[]).map((s) => s.paramsVersion)
      expect(versions[0]).toBeGreaterThanOrEqual(0) // the initial version is sent when a worker starts
      expect(versions.at(-1)).toBeGreaterThan(versions[0] as number)
      expect(versions.every((v, i) => i === 0 || v >= (versions[i - 1] as number))).toBe(true)
    }
    expect(await noLiveWorkers(live)).toBe(0)
    for (const tensor of Object.values(params)) tensor.dispose()
  })

  it('restarts a worker whose env throws, and one that is killed; the stream goes on', async () => {
    const events: ActorWorkerEvent[] = []
    const logs: string[] = []
    let killed = false
    const live = liveActors()
    const steps = await lastValueFrom(
      workerActors({
        env: CRASHING_WORKER_ENV,
        envOptions: { crashAfter: 40 },
        setup,
        count: 2,
        seed: 1,
        networks,
        sigma: 0.1,
        warmupSteps: 1_000_000, // random actions only: no parameters needed
        latestParams: () => undefined,
        chunkSteps: 10,
        restartDelayMs: 10,
        live,
        log: (message) => logs.push(message),
        onWorker: (event) => events.push(event),
      }).pipe(
        tap((step) => {
          if (!killed && step.actor === 1 && step.incarnation === 0) {
            killed = true
            const started = events.find((e) => e.type === 'started' && e.actor === 1 && e.incarnation === 0)
            if (started?.type === 'started') void started.worker.terminate()
          }
        }),
        // at least 200 steps, and on until actor 1's first worker was seen to end (its exit event is asynchronous)
        takeWhile(
          (_, i) => i < 200 || !events.some((e) => e.type === 'crashed' && e.actor === 1 && e.incarnation === 0),
          true,
        ),
        toArray(),
      ),
    )
    expect(steps.length).toBeGreaterThanOrEqual(200)
    const crashes = events.filter((e) => e.type === 'crashed')
    expect(crashes.some((e) => e.type === 'crashed' && /planned crash/.test(e.reason))).toBe(true)
    expect(crashes.some((e) => e.type === 'crashed' && e.actor === 1 && e.incarnation === 0)).toBe(true)
    expect(logs.some((line) => /crashed.*restarting/.test(line))).toBe(true)
    // steps of restarted incarnations arrived, with an env instance index of their own
    const restarted = steps.filter((s) => s.incarnation > 0)
    expect(restarted.length).toBeGreaterThan(0)
    expect(restarted.every((s) => s.envIndex === s.actor + 2 * s.incarnation)).toBe(true)
    expect(await noLiveWorkers(live)).toBe(0)
  })

  it('errors after maxRestarts crashes in a row without a step (a worker that cannot make its env)', async () => {
    const live = liveActors()
    const error = await lastValueFrom(
      workerActors({
        env: FAKE_WORKER_ENV, // not registered in the worker: no setup module
        count: 1,
        seed: 1,
        networks,
        live,
        sigma: 0.1,
        latestParams: () => undefined,
        maxRestarts: 1,
        restartDelayMs: 1,
        log: () => {},
      }),
    ).catch((e: unknown) => e)
    expect(String(error)).toMatch(/actor 0 crashed 2 times in a row without a step[\s\S]*Unknown env id/)
    expect(await noLiveWorkers(live)).toBe(0)
  })
})

/**
 * Two worker actors with `architecture`'s networks on `env` (no noise): every step they take with parameters, past
 * their warm-up, is the greedy action of the parameters sent, computed here.
 */
const actsGreedily = async (
  env: string,
  envOptions: Readonly<Record<string, unknown>>,
  architecture: Parameters<typeof networksFor>[2],
  stepsPerActor: number,
) => {
  const actorNetworks = networksFor(env, envOptions, architecture)
  const built = makeNetworks(actorNetworks.spec, undefined, actorNetworks.architecture)
  const params = built.initActor(Rng.key(3))
  const before = tf.memory().numTensors
  const live = liveActors()
  let version = 0
  const seen = [0, 0]
  const steps = await lastValueFrom(
    workerActors({
      env,
      envOptions,
      count: 2,
      seed: 9,
      networks: actorNetworks,
      sigma: 0,
      warmupSteps: 20,
      latestParams: () => ({ version, params }),
      paramsEverySteps: 1,
      paramsEveryMs: 5,
      chunkSteps: 10,
      live,
    }).pipe(
      tap((s) => {
        version += 1
        seen[s.actor] = (seen[s.actor] ?? 0) + 1
      }),
      takeWhile(() => (seen[0] ?? 0) < stepsPerActor || (seen[1] ?? 0) < stepsPerActor, true),
      toArray(),
    ),
  )
  const byActor = [0, 1].map((a) =>
    greedyMismatches(
      steps.filter((s) => s.actor === a),
      actorNetworks,
      params,
      10,
    ),
  )
  expect(await noLiveWorkers(live)).toBe(0)
  expect(tf.memory().numTensors).toBe(before) // the checks above freed theirs
  for (const tensor of Object.values(params)) tensor.dispose()
  return { steps, byActor, paramNames: Object.keys(params) }
}

describe('worker actors run any network', () => {
  it('Parkour networks (BipedalWalker-v3): both actors act with the greedy policy of the parameters sent', async () => {
    const { byActor, paramNames } = await actsGreedily('BipedalWalker-v3', {}, WALKER_PARKOUR, 60)
    expect(paramNames.some((name) => name.startsWith('terrain/'))).toBe(true)
    for (const check of byActor) {
      expect(check.checked).toBeGreaterThan(20) // steps past the warm-up, acted with parameters
      expect(check).toMatchObject({ mismatches: 0 })
    }
  })

  it('pixel networks (LaneFollowing-v0, 16 × 16 camera): both actors act with the greedy policy of the parameters sent', async () => {
    const { byActor, paramNames } = await actsGreedily(
      'LaneFollowing-v0',
      { cameraWidth: 16, cameraHeight: 16 },
      LANE_PIXELS,
      40,
    )
    expect(paramNames).toContain('torso/c0/kernel')
    for (const check of byActor) {
      expect(check.checked).toBeGreaterThan(10)
      expect(check).toMatchObject({ mismatches: 0 })
    }
  })
})

describe('runExperiment with worker actors', () => {
  const config = {
    algo: 'td3' as const,
    env: FAKE_WORKER_ENV,
    envOptions: { episodeLength: 10, actionSize: 2 },
    steps: 300,
    seed: 3,
    warmupSteps: 50,
    batchSize: 16,
    bufferSize: 512,
    agent: { hiddenSizes: [8] },
    evalEpisodes: 1,
    actors: { kind: 'workers' as const, count: 2, setup: setup.map((u) => u.href), paramsEverySteps: 10 },
  }

  it('feeds both actors into remember → learn: one update per step after warm-up, then final', async () => {
    const before = tf.memory().numTensors
    const threadsBefore = threads()
    const events = await lastValueFrom(runExperiment(config).pipe(toArray()))
    const updates = events.filter((e) => e.type === 'update')
    expect(updates).toHaveLength(250)
    expect(updates.at(-1)?.type === 'update' && updates.at(-1)?.learnerStep).toBe(250)
    expect(events.filter((e) => e.type === 'episode').length).toBeGreaterThanOrEqual(28) // 300 steps, 2 open episodes
    const final = events.at(-1) as Extract<ExperimentEvent, { type: 'final' }>
    expect(final.type).toBe('final')
    expect(events.at(-2)?.type).toBe('evaluation')
    disposeExperimentSnapshot(final.snapshot)
    expect(await threadsBackTo(threadsBefore)).toBeLessThanOrEqual(threadsBefore)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('unsubscribing terminates every worker and frees every tensor', async () => {
    const before = tf.memory().numTensors
    const threadsBefore = threads()
    const updates = await firstValueFrom(
      runExperiment({ ...config, steps: 1_000_000 }).pipe(
        filter((e) => e.type === 'update'),
        take(3),
        toArray(),
      ),
    )
    expect(updates).toHaveLength(3)
    expect(await threadsBackTo(threadsBefore)).toBeLessThanOrEqual(threadsBefore)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('rejects a bad actors config naming the field', () => {
    expect(() => runExperiment({ ...config, actors: { kind: 'workers', count: 0 } })).toThrow(/actors/)
  })

  it('D4PG with Parkour networks and 2 worker actors on BipedalWalker-v3: one update per step after warm-up, a Parkour actor', async () => {
    const before = tf.memory().numTensors
    const threadsBefore = threads()
    const events = await lastValueFrom(
      runExperiment({
        algo: 'd4pg',
        env: 'BipedalWalker-v3',
        networks: { kind: 'parkour', terrain: [14, 24], torsoSizes: [16], headSizes: [32] },
        actors: { kind: 'workers', count: 2, paramsEverySteps: 5, paramsEveryMs: 10 },
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
    expect(updates).toHaveLength(260) // one per step after the warm-up
    for (const e of updates) expect(Number.isFinite(e.metrics['losses/critic'])).toBe(true)
    const final = events.at(-1)
    if (final?.type !== 'final') throw new Error('no final event')
    const names = Object.keys(final.snapshot.train.actor)
    expect(names.some((name) => name.startsWith('terrain/'))).toBe(true)
    expect(names.some((name) => name.startsWith('proprioception/'))).toBe(true)
    disposeExperimentSnapshot(final.snapshot)
    expect(await threadsBackTo(threadsBefore)).toBeLessThanOrEqual(threadsBefore)
    expect(tf.memory().numTensors).toBe(before)
  })
})
