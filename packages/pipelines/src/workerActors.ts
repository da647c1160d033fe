/**
 * Parallel actors on one machine: K worker threads, each with its own env, seeds, noise and tfjs backend, fed the
 * learner's latest actor parameters and streaming their transitions back.
 *
 * @module workerActors
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { type ConcreteBackend, type Params, Rng } from '@polyak/core'
import { Observable } from 'rxjs'
import type { ActorStepsMessage, ActorWorkerData, ToActorMessage } from './actorProtocol.js'
import { learnerSide, type RestartCounts, rawParams } from './actorSteps.js'
import type { EnvStep } from './EnvStep.js'

/**
 * Actor parameters with a version (the learner step that made them); a newer version replaces an older one.
 *
 * @example
 * ```ts
 * const latest: VersionedParams = { version: state.step, params: state.actor }
 * ```
 */
export interface VersionedParams {
  readonly version: number
  readonly params: Params
}

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
 * Options of {@link workerActors}.
 *
 * @example
 * ```ts
 * const options: WorkerActorsOptions = {
 *   env: 'Pendulum-v1', count: 2, seed: 1, sigma: 0.2, warmupSteps: 1000,
 *   network: { observationSize: 3, actionSize: 1, low: [-2], high: [2], hiddenSizes: [64, 64] },
 *   latestParams: () => (current === undefined ? undefined : { version: current.step, params: current.actor }),
 * }
 * ```
 */
export interface WorkerActorsOptions {
  /** A registered env id; each worker makes its env with `makeEnv(env, envOptions)`. */
  readonly env: string
  readonly envOptions?: Readonly<Record<string, unknown>>
  /** Modules (URLs or absolute paths) each worker imports before making its env: register custom envs there. */
  readonly setup?: readonly (string | URL)[]
  /** Number of actors (worker threads). */
  readonly count: number
  /** The run seed: actor `i` (restart `r`) draws from `Rng.foldIn(Rng.foldIn(actorsKey(seed), i), r)`. */
  readonly seed: number
  /** The actor network's shape (as `makeNetworks`; only the policy is built in the workers). */
  readonly network: ActorWorkerData['network']
  /** Exploration noise: `gaussian` (default) or `ou`, with standard deviation `sigma` in action units. */
  readonly noise?: 'gaussian' | 'ou'
  readonly sigma: number
  /** Uniformly random steps in total, split evenly over the actors (default 0). */
  readonly warmupSteps?: number
  /** The learner's latest actor parameters, read (never waited for) when deciding to publish. Borrowed. */
  readonly latestParams: () => VersionedParams | undefined
  /** Publish a newer version once this many learner steps have passed since the last one sent… (default 100) */
  readonly paramsEverySteps?: number
  /** …or this many milliseconds have, whichever comes first (default 100). */
  readonly paramsEveryMs?: number
  /** The workers' tfjs backend (default: the one active here, `cpu` when it is not wasm or tensorflow). */
  readonly backend?: ConcreteBackend
  /** Steps per posted chunk at most (default 50), and milliseconds of acting per chunk at most (default 20). */
  readonly chunkSteps?: number
  readonly chunkMs?: number
  /** Chunks a worker may post before this side acknowledges them (default 4): the actors' back-pressure. */
  readonly maxInFlight?: number
  /** Give up (error the stream) after a slot crashed this many times in a row without posting a step (default 5). */
  readonly maxRestarts?: number
  /** Delay before restarting a crashed worker, doubled for each crash in a row without steps (default 50 ms). */
  readonly restartDelayMs?: number
  /** The first global step `t` and episode index (to continue a run; default 0). */
  readonly firstStep?: number
  readonly firstEpisode?: number
  /** Where crash and restart messages go (default `console.warn`). */
  readonly log?: (message: string) => void
  readonly onWorker?: (event: ActorWorkerEvent) => void
}

/**
 * An {@link EnvStep} from a worker actor: `envIndex` identifies the env instance (`actor + count · incarnation`, so
 * a restarted actor never continues its predecessor's n-step window), `episode` is a global index given in arrival
 * order, and `paramsVersion` the version of the parameters it acted with (−1: none had arrived).
 *
 * @example
 * ```ts
 * steps$.subscribe((step: ActorStep) => console.log(step.actor, step.paramsVersion))
 * ```
 */
export interface ActorStep extends EnvStep {
  readonly actor: number
  readonly incarnation: number
  readonly paramsVersion: number
}

const live = new Set<Worker>()

/**
 * How many actor worker threads started by {@link workerActors} are still alive in this process (an exited worker is
 * counted until its `exit` event), e.g. to check that an unsubscribe left none behind.
 *
 * @example
 * ```ts
 * subscription.unsubscribe()
 * // a moment later: liveActorWorkers() === 0
 * ```
 */
export const liveActorWorkers = (): number => live.size

/** A tag folded into the run key first, so actor keys never coincide with the inline run's episode keys. */
const ACTORS_TAG = 0x61637472

/**
 * The episode seed and exploration key of actor `actor` after `incarnation` restarts, derived from the run seed with
 * `Rng.foldIn`.
 *
 * @example
 * ```ts
 * actorSeeds(1, 0, 0).envSeed !== actorSeeds(1, 1, 0).envSeed // true
 * ```
 */
export const actorSeeds = (
  seed: number,
  actor: number,
  incarnation: number,
): { readonly envSeed: number; readonly exploreKey: Rng.Key } => {
  const key = Rng.foldIn(Rng.foldIn(Rng.foldIn(Rng.key(seed), ACTORS_TAG), actor), incarnation)
  const [envKey, exploreKey] = Rng.split(key, 2) as [Rng.Key, Rng.Key]
  return { envSeed: Rng.bits(envKey, 1)[0] as number, exploreKey }
}

const fromSource = import.meta.url.endsWith('.ts')
const workerUrl = new URL(fromSource ? './actorWorker.ts' : './actorWorker.js', import.meta.url)

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
 * `take(steps)`). On subscribe it starts `count` workers; each makes its own tfjs backend and env, seeds its
 * episodes and noise from {@link actorSeeds}, acts with the latest actor parameters it received and posts its steps
 * in chunks (typed arrays, transferred). The steps are emitted here, in arrival order, with a global step `t`.
 *
 * Parameters go the other way: whenever `latestParams()` has a newer version and `paramsEverySteps` learner steps
 * or `paramsEveryMs` milliseconds have passed since the last send, the values are copied out (`dataSync`) and
 * transferred to every worker, which rebuilds its tensors. A new worker gets the latest version at once.
 *
 * The learner never waits on an actor: steps are handled as they arrive. A worker that throws (env, setup) or is
 * killed is logged and restarted with fresh seeds (`incarnation + 1`); the stream errors only when a slot crashes
 * `maxRestarts` times in a row without a single step. Unsubscribing terminates every worker. Not bit-reproducible:
 * the interleaving of the actors depends on thread timing.
 *
 * @example
 * ```ts
 * workerActors({ env: 'Pendulum-v1', count: 2, seed: 1, sigma: 0.2, network, latestParams })
 *   .pipe(take(10_000), map((s) => ({ ...s.transition, envIndex: s.envIndex })), remember(config), learn(options))
 * ```
 */
export const workerActors = (options: WorkerActorsOptions): Observable<ActorStep> =>
  new Observable<ActorStep>((subscriber) => {
    const { count, seed, maxInFlight = 4, log = (message: string) => console.warn(message) } = options
    let stopped = false
    const { paramsEveryMs, acting, warmupPerActor, numbering, cadence, restarts } = learnerSide(
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
      live.add(worker)
      slot.worker = worker
      slot.stepsSinceStart = 0
      slot.lastError = undefined
      const incarnation = slot.incarnation
      worker.on('message', (message: ActorStepsMessage) => receive(slot, worker, message))
      worker.on('error', (error: unknown) => {
        slot.lastError = error instanceof Error ? (error.stack ?? error.message) : String(error)
      })
      worker.on('exit', (code) => {
        live.delete(worker)
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
