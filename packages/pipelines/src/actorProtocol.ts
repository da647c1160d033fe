/**
 * The messages between {@link workerActors} and its worker threads (`actorWorker`). Everything that crosses the
 * thread boundary is plain data: numbers, strings and typed arrays (transferred, not copied).
 *
 * @module actorProtocol
 */
import type { ConcreteBackend } from '@polyak/core'
import type { StepColumns } from './chunkCodec.js'

/**
 * What a worker is started with (`workerData`).
 *
 * @example
 * ```ts
 * const data: ActorWorkerData = { actor: 0, incarnation: 0, envSeed: 7, exploreKey: [1, 2], … }
 * ```
 */
export interface ActorWorkerData {
  readonly actor: number
  /** How many times this actor slot was restarted before this worker. */
  readonly incarnation: number
  /** Module URLs imported before the env is made (to register custom envs, load MuJoCo, …). */
  readonly setup: readonly string[]
  readonly backend: ConcreteBackend
  readonly env: string
  readonly envOptions: Readonly<Record<string, unknown>>
  /** The numeric seed of the worker's episodes (`episodeSeed(envSeed, e)`). */
  readonly envSeed: number
  /** The serialised `Rng` key of the worker's exploration. */
  readonly exploreKey: readonly [number, number]
  readonly network: {
    readonly observationSize: number
    readonly actionSize: number
    readonly low: readonly number[]
    readonly high: readonly number[]
    readonly hiddenSizes: readonly number[]
  }
  readonly noise: 'gaussian' | 'ou'
  readonly sigma: number
  /** Uniformly random actions for the worker's first this many steps. */
  readonly warmupSteps: number
  readonly chunkSteps: number
  readonly chunkMs: number
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
  | {
      readonly type: 'params'
      readonly version: number
      readonly names: readonly string[]
      readonly shapes: readonly (readonly number[])[]
      readonly values: readonly Float32Array[]
    }
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
