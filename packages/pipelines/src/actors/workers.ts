/**
 * Parallel actors on one machine: K worker threads, each with its own env, seeds, noise, tfjs backend and networks
 * (any architecture), fed the learner's latest actor parameters and streaming their transitions back. The
 * thread-side entry is `actors/worker`.
 *
 * @module actors/workers
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { Rng } from '@polyak/core'
import { Observable } from 'rxjs'
import type { LiveActors } from './live.js'
import type { ActorStep, ActorStepsMessage, ActorWorkerData, ToActorMessage, VersionedParams } from './protocol.js'
import { actorSeeds } from './seeds.js'
import { type ActorsOptions, learnerSide, type RestartCounts, rawParams } from './steps.js'

/**
 * What happens to the worker of an actor slot, for logs and tests: `started` (with the `Worker`, e.g. to
 * `terminate()` it), `crashed` (it ended while the stream was running: it threw, or was killed; it is restarted) and
 * `stopped` (ended by the unsubscribe).
 *
 * @example
 * ```ts
 * const onWorker = (event: ActorWorkerEvent) => { if (event.type === 'crashed') console.warn(event.reason) }
 * ```
 */
export type ActorWorkerEvent =
  | { readonly type: 'started'; readonly actor: number; readonly incarnation: number; readonly worker: Worker }
  | { readonly type: 'crashed'; readonly actor: number; readonly incarnation: number; readonly reason: string }
  | { readonly type: 'stopped'; readonly actor: number; readonly incarnation: number }

/**
 * Options of {@link workerActors}: the shared {@link ActorsOptions} (env, networks, noise, seeds, publishing) and the
 * workers' back-pressure.
 *
 * @example
 * ```ts
 * const options: WorkerActorsOptions = {
 *   env: 'BipedalWalker-v3', count: 2, seed: 1, sigma: 0.2, warmupSteps: 1000,
 *   networks: {
 *     spec: { observationSize: 24, actionSize: 4, low: [-1, -1, -1, -1], high: [1, 1, 1, 1], hiddenSizes: [] },
 *     architecture: { kind: 'parkour', terrain: [14, 24], torsoSizes: [64], headSizes: [256, 256] },
 *   },
 *   latestParams: () => (current === undefined ? undefined : { version: current.step, params: current.actor }),
 * }
 * ```
 */
export interface WorkerActorsOptions extends ActorsOptions {
  /** Chunks a worker may post before this side acknowledges them (default 4): the actors' back-pressure. */
  readonly maxInFlight?: number
  readonly onWorker?: (event: ActorWorkerEvent) => void
}

/**
 * How many actor worker threads started with `live` are still alive (an exited worker is counted until its `exit`
 * event): `live.count()`.
 *
 * @example
 * ```ts
 * const live = liveActors()
 * workerActors({ ...options, live }).subscribe().unsubscribe()
 * // a moment later: liveActorWorkers(live) === 0
 * ```
 */
export const liveActorWorkers = (live: LiveActors): number => live.count()

const fromSource = import.meta.url.endsWith('.ts')
/** The thread entry, beside this module both in `src/actors/` and in `dist/actors/`. */
const workerUrl = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url)

/** From `dist/` the worker is plain JS; from source (vitest, tsx) it registers tsx's loader first. */
const spawn = (data: ActorWorkerData): Worker => {
  if (!fromSource) return new Worker(workerUrl, { workerData: data })
  const tsxApi = new URL(
    './dist/esm/api/index.mjs',
    pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json')),
  ).href
  const code =
    `import(${JSON.stringify(tsxApi)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}) })`
  return new Worker(code, { eval: true, workerData: data, execArgv: ['--conditions=@polyak/source'] })
}

interface Slot extends RestartCounts {
  readonly actor: number
  worker: Worker | undefined
  incarnation: number
  steps: number
  lastError: string | undefined
}

/**
 * K actors in worker threads as a cold `Observable<ActorStep>` that never completes by itself (take what you need:
 * `take(steps)`). On subscribe it starts `count` workers; each makes its own tfjs backend, env and networks
 * (`makeNetworks(networks.spec, undefined, networks.architecture)`: MLP, Parkour or pixels), seeds its
 * episodes and noise from {@link actorSeeds}, acts with the latest actor parameters it received and posts its steps
 * in chunks (typed arrays, transferred). The steps are emitted here, in arrival order, with a global step `t`.
 *
 * Parameters go the other way: whenever `latestParams()` has a newer version and `paramsEverySteps` learner steps
 * or `paramsEveryMs` milliseconds have passed since the last send, the values are copied out (`dataSync`) and
 * transferred to every worker, which rebuilds its tensors. A new worker gets the latest version at once.
 *
 * The learner never waits on an actor: steps are handled as they arrive. A worker that throws (env, setup) or is
 * killed is logged and restarted with fresh seeds (`incarnation + 1`); the stream errors only when a slot crashes
 * `maxRestarts` times in a row without a single step. Unsubscribing terminates every worker (`live` counts those
 * not exited yet). Not bit-reproducible:
 * the interleaving of the actors depends on thread timing.
 *
 * @example
 * ```ts
 * const networks = { spec, architecture: { kind: 'mlp' } } as const
 * workerActors({ env: 'Pendulum-v1', count: 2, seed: 1, sigma: 0.2, networks, latestParams })
 *   .pipe(take(10_000), map((s) => ({ ...s.transition, envIndex: s.envIndex })), remember(config), learn(options))
 * ```
 */
export const workerActors = (options: WorkerActorsOptions): Observable<ActorStep> =>
  new Observable<ActorStep>((subscriber) => {
    const { count, seed, maxInFlight = 4 } = options
    let stopped = false
    const { paramsEveryMs, acting, warmupPerActor, numbering, cadence, restarts, log } = learnerSide(
      'workerActors',
      options,
      () => stopped,
    )

    const paramsMessage = (latest: VersionedParams): ToActorMessage & { type: 'params' } => ({
      type: 'params',
      version: latest.version,
      ...rawParams(latest.params, true),
    })
    const send = (worker: Worker, message: ToActorMessage & { type: 'params' }, copy: boolean): void => {
      const values = copy ? message.values.map((v) => v.slice()) : message.values
      worker.postMessage(
        { ...message, values },
        values.map((v) => v.buffer as ArrayBuffer),
      )
    }
    const workers = (): Worker[] => slots.flatMap((slot) => (slot.worker === undefined ? [] : [slot.worker]))
    const maybePublish = (): void => {
      if (stopped) return
      cadence.publish((latest) => {
        const message = paramsMessage(latest)
        const targets = workers()
        targets.forEach((worker, i) => {
          send(worker, message, i < targets.length - 1) // the last one gets the original buffers
        })
      })
    }

    const receive = (slot: Slot, worker: Worker, message: ActorStepsMessage): void => {
      if (stopped || slot.worker !== worker) return
      restarts.stepped(slot, message.count)
      slot.steps += message.count
      const stepOf = numbering.chunk(message) // a worker's messages carry its slot's actor and incarnation
      for (let i = 0; i < message.count && !subscriber.closed; i++) subscriber.next(stepOf(i))
      if (stopped || slot.worker !== worker) return
      worker.postMessage({ type: 'ack' } satisfies ToActorMessage)
      maybePublish()
    }

    const start = (slot: Slot): void => {
      const { envSeed, exploreKey } = actorSeeds(seed, slot.actor, slot.incarnation)
      const data: ActorWorkerData = {
        ...acting,
        actor: slot.actor,
        incarnation: slot.incarnation,
        envSeed,
        exploreKey: Rng.serialize(exploreKey),
        warmupSteps: Math.max(0, warmupPerActor - slot.steps),
        maxInFlight,
      }
      const worker = spawn(data)
      const exited = options.live?.started()
      slot.worker = worker
      slot.stepsSinceStart = 0
      slot.lastError = undefined
      const incarnation = slot.incarnation
      worker.on('message', (message: ActorStepsMessage) => receive(slot, worker, message))
      worker.on('error', (error: unknown) => {
        slot.lastError = error instanceof Error ? (error.stack ?? error.message) : String(error)
      })
      worker.on('exit', (code) => {
        exited?.()
        if (slot.worker !== worker) return
        slot.worker = undefined
        if (stopped) {
          options.onWorker?.({ type: 'stopped', actor: slot.actor, incarnation })
          return
        }
        const reason = slot.lastError ?? `exited with code ${code}`
        options.onWorker?.({ type: 'crashed', actor: slot.actor, incarnation, reason })
        const giveUp = restarts.crashed(slot, reason)
        if (giveUp !== undefined) {
          subscriber.error(giveUp)
          return
        }
        log(`workerActors: actor ${slot.actor} (incarnation ${incarnation}) crashed: ${reason}; restarting`)
        slot.incarnation += 1
        restarts.later(slot, () => start(slot))
      })
      options.onWorker?.({ type: 'started', actor: slot.actor, incarnation, worker })
      const latest = options.latestParams()
      if (latest !== undefined) send(worker, paramsMessage(latest), false)
    }

    const slots: Slot[] = Array.from({ length: count }, (_, actor) => ({
      actor,
      worker: undefined,
      incarnation: 0,
      stepsSinceStart: 0,
      steps: 0,
      crashesWithoutSteps: 0,
      lastError: undefined,
    }))
    for (const slot of slots) start(slot)
    const publisher = setInterval(maybePublish, paramsEveryMs)
    return () => {
      stopped = true
      clearInterval(publisher)
      restarts.cancel()
      for (const worker of workers()) void worker.terminate()
    }
  })
