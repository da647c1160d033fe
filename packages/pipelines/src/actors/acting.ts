/**
 * The acting side shared by the worker-thread actor (`actors/worker`) and the Redis actor process
 * (`actors/redisMain`): the latest actor parameters as tensors, and the acting loop (setup modules, tfjs backend,
 * the networks of any architecture, env, `rollout` and `explore` with the actor's own seeds), stepped one chunk at a
 * time. How parameters arrive and where chunks go is left to each. Internal.
 *
 * @module actors/acting
 */
import { greedyPolicy, makeNetworks } from '@polyak/agents'
import { type Params, type Rng, setBackend } from '@polyak/core'
import { frameStack, makeEnv } from '@polyak/envs'
import { DDPG_OU_PARAMS, gaussianProcess, type NoiseProcess, ouProcess } from '@polyak/noise'
import * as tf from '@tensorflow/tfjs-core'
import { Subject } from 'rxjs'
import type { EnvStep } from '../EnvStep.js'
import { explore } from '../explore.js'
import { rollout } from '../rollout.js'
import type { ActorRunConfig, RawParams } from './protocol.js'

/**
 * The newest actor parameters: {@link ActorParams.offer} keeps them as arrays, {@link ActorParams.current} makes
 * them into tensors (disposing the previous ones) the first time it is asked after an offer; so they may be offered
 * before a backend is set.
 *
 * @example
 * ```ts
 * const params = actorParams()
 * params.offer(message)
 * params.current() // tensors, or undefined before any offer
 * ```
 */
export interface ActorParams {
  offer(raw: RawParams): void
  current(): Params | undefined
}

/**
 * An empty {@link ActorParams}.
 *
 * @example
 * ```ts
 * const params = actorParams()
 * ```
 */
export const actorParams = (): ActorParams => {
  let params: Params | undefined
  let pending: RawParams | undefined
  return {
    offer: (raw) => {
      pending = raw
    },
    current: () => {
      if (pending !== undefined) {
        const raw = pending
        pending = undefined
        const next: Record<string, tf.Tensor> = {}
        raw.names.forEach((name, i) => {
          next[name] = tf.tensor(raw.values[i] as Float32Array, raw.shapes[i] as number[], 'float32')
        })
        const previous = params
        params = next
        if (previous !== undefined) for (const tensor of Object.values(previous)) tensor.dispose()
      }
      return params
    },
  }
}

/**
 * What an actor acts with: the parts of its config it needs, with its own episode seed and exploration key.
 *
 * @example
 * ```ts
 * const config: ActingConfig = { ...data, exploreKey: Rng.deserialize(data.exploreKey) }
 * ```
 */
export interface ActingConfig
  extends Pick<
    ActorRunConfig,
    'setup' | 'backend' | 'env' | 'envOptions' | 'frameStack' | 'networks' | 'noise' | 'sigma'
  > {
  /** Uniformly random actions for this actor's first this many steps. */
  readonly warmupSteps: number
  /** The numeric seed of the actor's episodes. */
  readonly envSeed: number
  readonly exploreKey: Rng.Key
}

/**
 * A started actor: {@link Acting.act} steps the env for one chunk.
 *
 * @example
 * ```ts
 * const steps = acting.act(50, 20)
 * acting.throwIfFailed()
 * ```
 */
export interface Acting {
  /** Acts at most `chunkSteps` steps or about `chunkMs` milliseconds (at least one step), and returns the steps. */
  act(chunkSteps: number, chunkMs: number): EnvStep[]
  /** Throws the error the rollout failed with (the env, …), if it did. */
  throwIfFailed(): void
  /** Completes the rollout. */
  stop(): void
}

/**
 * Imports the setup modules, sets the tfjs backend, builds the networks (`makeNetworks(spec, undefined,
 * architecture)`: any architecture) and starts the rollout: uniformly random actions for the first `warmupSteps`
 * steps, then the greedy policy of `params.current()` (`greedyPolicy`: zeros while there are none) plus the noise.
 *
 * @example
 * ```ts
 * const acting = await startActing(config, params)
 * ```
 */
export const startActing = async (config: ActingConfig, params: ActorParams): Promise<Acting> => {
  for (const url of config.setup) await import(url)
  await setBackend(config.backend)

  const { spec, architecture } = config.networks
  const networks = makeNetworks(spec, undefined, architecture)
  const { actionSize, low, high } = spec
  const noiseProcess: NoiseProcess<unknown> = (
    config.noise === 'ou' ? ouProcess({ ...DDPG_OU_PARAMS, sigma: config.sigma }) : gaussianProcess(config.sigma)
  ) as NoiseProcess<unknown>
  const greedy = greedyPolicy(networks, () => params.current())

  const ticks$ = new Subject<number>()
  let buffer: EnvStep[] = []
  let failure: { readonly error: unknown } | undefined
  ticks$
    .pipe(
      rollout({
        makeEnv: () => {
          const env = makeEnv(config.env, config.envOptions)
          return config.frameStack === undefined ? env : frameStack(config.frameStack)(env)
        },
        policy: (observation, t) => (t < config.warmupSteps ? new Float32Array(actionSize) : greedy(observation)),
        explore: explore({
          process: noiseProcess,
          key: config.exploreKey,
          warmupSteps: config.warmupSteps,
          low,
          high,
        }),
        seed: config.envSeed,
      }),
    )
    .subscribe({
      next: (step) => buffer.push(step),
      error: (error: unknown) => {
        failure = { error }
      },
    })

  let t = 0
  return {
    act: (chunkSteps, chunkMs) => {
      const started = performance.now()
      for (let i = 0; i < chunkSteps && failure === undefined; i++) {
        ticks$.next(t)
        t += 1
        if (performance.now() - started > chunkMs) break
      }
      const steps = buffer
      buffer = []
      return steps
    },
    throwIfFailed: () => {
      if (failure !== undefined) throw failure.error
    },
    stop: () => ticks$.complete(),
  }
}
