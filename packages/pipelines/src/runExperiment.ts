/**
 * A whole experiment from one JSON-shaped config: the algorithm by name, then {@link train}.
 *
 * @module runExperiment
 */
import { agents } from '@polyak/agents'
import { decodeOrThrow, type PartialInputOf } from '@polyak/core'
import type { Observable } from 'rxjs'
import { ExperimentConfigCodec } from './config.js'
import type { ExperimentEvent } from './events.js'
import { type TrainOptions, train } from './train.js'

/**
 * `train(agents[config.algo], config, options)`: the algorithm named by `algo` (a key of `@polyak/agents`'
 * `agents`, default `td3`) trained as the rest of the config says — the form the trainer's `config.json` and the
 * apps use. With an agent value in hand, call {@link train} directly.
 *
 * @throws ConfigError for an invalid config (or an invalid `agent`, env id or options), before anything starts
 *
 * @example
 * ```ts
 * runExperiment({ algo: 'd4pg', env: 'Pendulum-v1', steps: 20_000, warmupSteps: 1_000 })
 *   .pipe(filter((event) => event.type === 'evaluation'))
 *   .subscribe((event) => console.log(event.t, event.meanReturn))
 * ```
 */
export const runExperiment = (
  input: PartialInputOf<typeof ExperimentConfigCodec>,
  options: TrainOptions = {},
): Observable<ExperimentEvent> => {
  const { algo, ...config } = decodeOrThrow(ExperimentConfigCodec, input, 'experiment config')
  return train(agents[algo], config, options)
}
