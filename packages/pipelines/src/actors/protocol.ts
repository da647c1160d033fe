/**
 * What crosses from the learner to an actor, whichever the transport (a worker thread's `workerData` and messages, a
 * Redis hash and stream): plain data only, numbers, strings, JSON and typed arrays. Types only; no code.
 *
 * @module actors/protocol
 */
import type { NetworkArchitecture, NetworkSpec } from '@polyak/agents'
import type { ConcreteBackend, Params } from '@polyak/core'
import type { EnvStep } from '../EnvStep.js'
import type { StepColumns } from './chunkCodec.js'

/**
 * The networks an actor builds, as plain JSON: `makeNetworks(spec, undefined, architecture)` (`@polyak/agents`).
 * Any architecture acts (MLP, Parkour, pixels); only the actor's policy is used, so the critic head does not matter.
 *
 * @example
 * ```ts
 * const networks: ActorNetworks = {
 *   spec: { observationSize: 24, actionSize: 4, low: [-1, -1, -1, -1], high: [1, 1, 1, 1], hiddenSizes: [] },
 *   architecture: { kind: 'parkour', terrain: [14, 24], torsoSizes: [16], headSizes: [32] },
 * }
 * ```
 */
export interface ActorNetworks {
  readonly spec: NetworkSpec
  readonly architecture: NetworkArchitecture
}

/**
 * Actor parameters as plain arrays (what crosses a thread or a network).
 *
 * @example
 * ```ts
 * const raw: RawParams = { names: ['w'], shapes: [[2]], values: [new Float32Array(2)] }
 * ```
 */
export interface RawParams {
  readonly names: readonly string[]
  readonly shapes: readonly (readonly number[])[]
  readonly values: readonly Float32Array[]
}

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
 * An {@link EnvStep} from a worker or Redis actor: `envIndex` identifies the env instance (`actor + count ·
 * incarnation`, so a restarted actor never continues its predecessor's n-step window), `episode` is a global index
 * given in arrival order, and `paramsVersion` the version of the parameters it acted with (−1: none had arrived).
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

/**
 * What every actor of a run acts with, whatever its transport: setup module URLs, backend, env, networks, noise and
 * chunking. The per-actor parts (seeds, warm-up share) come with each actor.
 *
 * @example
 * ```ts
 * const acting: ActorRunConfig = { setup: [], backend: 'cpu', env: 'Pendulum-v1', envOptions: {}, networks,
 *   noise: 'gaussian', sigma: 0.2, chunkSteps: 50, chunkMs: 20 }
 * ```
 */
export interface ActorRunConfig {
  /** Module URLs imported before the env is made (to register custom envs, load MuJoCo, …). */
  readonly setup: readonly string[]
  readonly backend: ConcreteBackend
  readonly env: string
  readonly envOptions: Readonly<Record<string, unknown>>
  /** Stack this many of the latest images (`@polyak/envs` `frameStack`) around the env, when set. */
  readonly frameStack?: { readonly image: readonly [number, number, number]; readonly frames: number }
  readonly networks: ActorNetworks
  readonly noise: 'gaussian' | 'ou'
  readonly sigma: number
  readonly chunkSteps: number
  readonly chunkMs: number
}

/**
 * What a worker is started with (`workerData`).
 *
 * @example
 * ```ts
 * const data: ActorWorkerData = {
 *   ...acting, actor: 0, incarnation: 0, envSeed: 7, exploreKey: [1, 2], warmupSteps: 500, maxInFlight: 4,
 * }
 * ```
 */
export interface ActorWorkerData extends ActorRunConfig {
  readonly actor: number
  /** How many times this actor slot was restarted before this worker. */
  readonly incarnation: number
  /** The numeric seed of the worker's episodes (`episodeSeed(envSeed, e)`). */
  readonly envSeed: number
  /** The serialised `Rng` key of the worker's exploration. */
  readonly exploreKey: readonly [number, number]
  /** Uniformly random actions for the worker's first this many steps. */
  readonly warmupSteps: number
  readonly maxInFlight: number
}

/**
 * Main thread → worker: new actor parameters (values transferred), or the acknowledgement of a chunk.
 *
 * @example
 * ```ts
 * const message: ToActorMessage = { type: 'ack' }
 * ```
 */
export type ToActorMessage =
  | ({ readonly type: 'params'; readonly version: number } & RawParams)
  | { readonly type: 'ack' }

/**
 * Worker → main thread: a chunk of `count` consecutive env steps as columns (transferred), acted with the actor
 * parameters of `paramsVersion` (−1: none yet). `flags` bit 0 is `terminated`, bit 1 `truncated`; `episodes` is the
 * worker's own episode index of each step; `ends` lists the steps that ended an episode.
 *
 * @example
 * ```ts
 * if (message.type === 'steps') console.log(message.actor, message.count, message.paramsVersion)
 * ```
 */
export interface ActorStepsMessage extends StepColumns {
  readonly type: 'steps'
  readonly actor: number
  readonly incarnation: number
  readonly paramsVersion: number
}
