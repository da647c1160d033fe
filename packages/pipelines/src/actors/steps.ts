/**
 * The learner-side bookkeeping shared by {@link workerActors} and {@link redisActors}: the global step and episode
 * numbering of the steps that arrive in chunks, the cadence of publishing actor parameters, and the restarts of
 * crashed actor slots. Internal.
 *
 * @module actors/steps
 */
import { pathToFileURL } from 'node:url'
import type { ConcreteBackend, Params } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { chunkTransition, type StepColumns } from './chunkCodec.js'
import type { LiveActors } from './live.js'
import type { ActorNetworks, ActorRunConfig, ActorStep, RawParams, VersionedParams } from './protocol.js'

/**
 * The options worker-thread and Redis actors share: the env, the networks, the noise, the seeds and how parameters
 * are published.
 *
 * @example
 * ```ts
 * const options: ActorsOptions = {
 *   env: 'Pendulum-v1', count: 2, seed: 1, sigma: 0.2, warmupSteps: 1000,
 *   networks: { spec: { observationSize: 3, actionSize: 1, low: [-2], high: [2], hiddenSizes: [64, 64] },
 *     architecture: { kind: 'mlp' } },
 *   latestParams: () => (current === undefined ? undefined : { version: current.step, params: current.actor }),
 * }
 * ```
 */
export interface ActorsOptions {
  /** A registered env id; each actor makes its env with `makeEnv(env, envOptions)`. */
  readonly env: string
  readonly envOptions?: Readonly<Record<string, unknown>>
  /** Wrap each actor's env in `frameStack(frameStack)` (the networks then read the stacked image). */
  readonly frameStack?: { readonly image: readonly [number, number, number]; readonly frames: number }
  /** Modules (URLs or absolute paths) each actor imports before making its env: register custom envs there. */
  readonly setup?: readonly (string | URL)[]
  /** Number of actors. */
  readonly count: number
  /** The run seed: actor `i` (restart `r`) draws from `actorSeeds(seed, i, r)`. */
  readonly seed: number
  /**
   * The networks' shape and architecture (MLP, Parkour, pixels), as `makeNetworks(spec, head, architecture)`
   * takes them; each actor builds them and acts with the policy only.
   */
  readonly networks: ActorNetworks
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
  /** The actors' tfjs backend (default: the one active here, `cpu` when it is not wasm or tensorflow). */
  readonly backend?: ConcreteBackend
  /** Steps per chunk at most (default 50), and milliseconds of acting per chunk at most (default 20). */
  readonly chunkSteps?: number
  readonly chunkMs?: number
  /** Give up (error the stream) after a slot crashed this many times in a row without a step (default 5). */
  readonly maxRestarts?: number
  /** Delay before restarting a crashed actor, doubled for each crash in a row without steps (default 50 ms). */
  readonly restartDelayMs?: number
  /** The first global step `t` and episode index (to continue a run; default 0). */
  readonly firstStep?: number
  readonly firstEpisode?: number
  /** Where crash and restart messages go (default `console.warn`). */
  readonly log?: (message: string) => void
  /** Counts the actors this call starts while they are alive (e.g. to check that an unsubscribe left none). */
  readonly live?: LiveActors
}

/**
 * The tfjs backend actors use by default: the one active here when it is `wasm` or `tensorflow`, else `cpu`.
 *
 * @example
 * ```ts
 * const backend = options.backend ?? activeBackend()
 * ```
 */
export const activeBackend = (): ConcreteBackend => {
  const name = tf.getBackend()
  return name === 'wasm' || name === 'tensorflow' ? name : 'cpu'
}

/**
 * A setup module as a URL an actor can import (an absolute path becomes a `file:` URL).
 *
 * @example
 * ```ts
 * moduleUrl('/abs/envs.js') // 'file:///abs/envs.js'
 * ```
 */
export const moduleUrl = (module: string | URL): string =>
  module instanceof URL ? module.href : /^[a-z][a-z0-9+.-]*:/i.test(module) ? module : pathToFileURL(module).href

/**
 * Actor parameters copied out of their tensors (`dataSync`); `copy`: into fresh arrays (to transfer them without
 * detaching a tensor's storage).
 *
 * @example
 * ```ts
 * const { names, shapes, values } = rawParams(latest.params, true)
 * ```
 */
export const rawParams = (params: Params, copy: boolean): RawParams => {
  const names = Object.keys(params)
  const tensors = names.map((name) => params[name] as tf.Tensor)
  return {
    names,
    shapes: tensors.map((tensor) => tensor.shape),
    values: tensors.map((tensor) =>
      copy ? Float32Array.from(tensor.dataSync()) : (tensor.dataSync() as Float32Array),
    ),
  }
}

/**
 * When to publish actor parameters: {@link ParamsCadence.publish} hands `latestParams()` to `send` when it is a newer
 * version than the last one sent and `everySteps` learner steps or `everyMs` milliseconds have passed since (the
 * first version at once).
 *
 * @example
 * ```ts
 * const cadence = paramsCadence(options.latestParams, 100, 100)
 * cadence.publish((latest) => broadcast(latest))
 * ```
 */
export interface ParamsCadence {
  publish(send: (latest: VersionedParams) => void): void
}

/**
 * A {@link ParamsCadence} that has sent nothing yet.
 *
 * @example
 * ```ts
 * const cadence = paramsCadence(options.latestParams, paramsEverySteps, paramsEveryMs)
 * ```
 */
export const paramsCadence = (
  latestParams: () => VersionedParams | undefined,
  everySteps: number,
  everyMs: number,
): ParamsCadence => {
  let sent: { version: number; at: number } | undefined
  return {
    publish: (send) => {
      const latest = latestParams()
      if (latest === undefined || (sent !== undefined && latest.version <= sent.version)) return
      const now = performance.now()
      if (sent !== undefined && latest.version - sent.version < everySteps && now - sent.at < everyMs) return
      send(latest)
      sent = { version: latest.version, at: now }
    },
  }
}

/**
 * Where a chunk of steps came from: the actor slot, its incarnation and the parameters it acted with.
 *
 * @example
 * ```ts
 * const origin: ChunkOrigin = { actor: 0, incarnation: 1, paramsVersion: 200 }
 * ```
 */
export interface ChunkOrigin {
  readonly actor: number
  readonly incarnation: number
  readonly paramsVersion: number
}

/**
 * Numbers the steps of arriving chunks: the global step `t` in arrival order, and a global episode index for every
 * new `(actor, incarnation, local episode)`; `envIndex` is `actor + count · incarnation`.
 *
 * @example
 * ```ts
 * const stepOf = numbering.chunk(message)
 * for (let i = 0; i < message.count; i++) subscriber.next(stepOf(i))
 * ```
 */
export interface StepNumbering {
  /** The steps of a chunk: `stepOf(i)` numbers step `i` (call it once per step, in order). */
  chunk(chunk: ChunkOrigin & StepColumns): (i: number) => ActorStep
}

/**
 * A {@link StepNumbering} from `firstStep` and `firstEpisode`, for `count` actor slots of the networks' `sizes`.
 *
 * @example
 * ```ts
 * const numbering = stepNumbering(count, options.networks.spec, options.firstStep ?? 0, options.firstEpisode ?? 0)
 * ```
 */
export const stepNumbering = (
  count: number,
  sizes: { readonly observationSize: number; readonly actionSize: number },
  firstStep: number,
  firstEpisode: number,
): StepNumbering => {
  const { observationSize, actionSize } = sizes
  let t = firstStep
  let nextEpisode = firstEpisode
  const episodes = new Map<string, { local: number; global: number }>() // `${actor}:${incarnation}` → its episode
  return {
    chunk: (chunk) => {
      const key = `${chunk.actor}:${chunk.incarnation}`
      const ends = new Map(chunk.ends.map((end) => [end.index, end]))
      return (i) => {
        const local = chunk.episodes[i] as number
        let episode = episodes.get(key)
        if (episode?.local !== local) {
          episode = { local, global: nextEpisode }
          nextEpisode += 1
          episodes.set(key, episode)
        }
        const end = ends.get(i)
        const step: ActorStep = {
          t,
          envIndex: chunk.actor + count * chunk.incarnation,
          episode: episode.global,
          transition: chunkTransition(chunk, i, observationSize, actionSize),
          ...(end === undefined ? {} : { episodeEnd: { return: end.return, length: end.length } }),
          actor: chunk.actor,
          incarnation: chunk.incarnation,
          paramsVersion: chunk.paramsVersion,
        }
        t += 1
        return step
      }
    },
  }
}

/**
 * What {@link Restarts} counts of an actor slot: steps since its current actor (worker or process) started, and crashes in a row
 * without a step.
 *
 * @example
 * ```ts
 * const slot: RestartCounts = { stepsSinceStart: 0, crashesWithoutSteps: 0 }
 * ```
 */
export interface RestartCounts {
  stepsSinceStart: number
  crashesWithoutSteps: number
}

/**
 * The restarts of crashed actor slots: give up after `maxRestarts` crashes in a row without a step, else restart
 * after `restartDelayMs`, doubled for each such crash (at most 64 times).
 *
 * @example
 * ```ts
 * const giveUp = restarts.crashed(slot, reason)
 * if (giveUp !== undefined) subscriber.error(giveUp)
 * else restarts.later(slot, () => start(slot))
 * ```
 */
export interface Restarts {
  /** The slot's actor posted `count` steps. */
  stepped(slot: RestartCounts, count: number): void
  /**
   * The slot's actor ended while running (`reason`): counts the crash; when it is one too many, the error to give up
   * with.
   */
  crashed(slot: RestartCounts & { readonly actor: number }, reason: string): Error | undefined
  /** Calls `start` after the back-off (unless stopped by then). */
  later(slot: RestartCounts, start: () => void): void
  /** Cancels the restarts not started yet. */
  cancel(): void
}

/**
 * A {@link Restarts}; `stopped()` says whether the stream ended (no restart then); `name` starts its messages.
 *
 * @example
 * ```ts
 * const restarts = actorRestarts('workerActors', maxRestarts, restartDelayMs, () => stopped)
 * ```
 */
export const actorRestarts = (
  name: string,
  maxRestarts: number,
  restartDelayMs: number,
  stopped: () => boolean,
): Restarts => {
  const timers = new Set<ReturnType<typeof setTimeout>>()
  return {
    stepped: (slot, count) => {
      slot.stepsSinceStart += count
      slot.crashesWithoutSteps = 0
    },
    crashed: (slot, reason) => {
      if (slot.stepsSinceStart === 0) slot.crashesWithoutSteps += 1
      if (slot.crashesWithoutSteps <= maxRestarts) return undefined
      return new Error(
        `${name}: actor ${slot.actor} crashed ${slot.crashesWithoutSteps} times in a row without a step; giving up. ` +
          `Last: ${reason}`,
      )
    },
    later: (slot, start) => {
      const timer = setTimeout(
        () => {
          timers.delete(timer)
          if (!stopped()) start()
        },
        restartDelayMs * 2 ** Math.min(slot.crashesWithoutSteps, 6),
      )
      timers.add(timer)
    },
    cancel: () => {
      for (const timer of timers) clearTimeout(timer)
    },
  }
}

/**
 * What both kinds of actors set up on subscribe from their options: the count checked, what every actor acts with
 * (`acting`: setup module URLs, backend, env, networks, noise, chunking), each actor's share of the warm-up, and the
 * step numbering, params cadence and restarts.
 *
 * @example
 * ```ts
 * const { numbering, cadence, restarts } = learnerSide('workerActors', options, () => stopped)
 * ```
 */
export const learnerSide = (name: string, options: ActorsOptions, stopped: () => boolean) => {
  const { count, paramsEverySteps = 100, paramsEveryMs = 100, maxRestarts = 5, restartDelayMs = 50 } = options
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`${name}: count must be >= 1, got ${count}`)
  const { chunkSteps = 50, chunkMs = 20 } = options
  const acting: ActorRunConfig = {
    setup: (options.setup ?? []).map(moduleUrl),
    backend: options.backend ?? activeBackend(),
    env: options.env,
    envOptions: options.envOptions ?? {},
    ...(options.frameStack && {
      frameStack: {
        image: [...options.frameStack.image] as [number, number, number],
        frames: options.frameStack.frames,
      },
    }),
    networks: plainNetworks(options.networks),
    noise: options.noise ?? 'gaussian',
    sigma: options.sigma,
    chunkSteps,
    chunkMs,
  }
  return {
    paramsEveryMs,
    acting,
    warmupPerActor: Math.ceil((options.warmupSteps ?? 0) / count),
    numbering: stepNumbering(count, options.networks.spec, options.firstStep ?? 0, options.firstEpisode ?? 0),
    cadence: paramsCadence(options.latestParams, paramsEverySteps, paramsEveryMs),
    restarts: actorRestarts(name, maxRestarts, restartDelayMs, stopped),
    log: options.log ?? ((message: string) => console.warn(message)),
  }
}

/**
 * The networks as plain JSON data (what `structuredClone` and `JSON.stringify` keep): a copy through JSON, so a
 * `Networks` object or any extra field passed by mistake never reaches the transport. Throws when a number is not
 * finite (JSON would turn it into `null`).
 *
 * @example
 * ```ts
 * plainNetworks({ spec, architecture: { kind: 'mlp' } })
 * ```
 */
export const plainNetworks = (networks: ActorNetworks): ActorNetworks => {
  const { spec, architecture } = networks
  const plain = JSON.parse(JSON.stringify({ spec, architecture })) as ActorNetworks
  const finite = (values: readonly number[]) => values.every(Number.isFinite)
  if (!finite(plain.spec.low) || !finite(plain.spec.high))
    throw new RangeError('actors: networks.spec.low and high must be finite numbers')
  return plain
}
