/**
 * Every algorithm of the package, by name.
 *
 * @module agents
 */
import { d4pg } from './d4pg/agent.js'
import { ddpg } from './ddpg/agent.js'
import { td3 } from './td3/agent.js'

/**
 * The agents by name: the one place a name becomes an algorithm (the trainer's `--algo`). Add a record here to
 * offer a new algorithm everywhere.
 *
 * @example
 * ```ts
 * const agent = agents.d4pg
 * Object.keys(agents) // ['ddpg', 'td3', 'd4pg']
 * ```
 */
export const agents = { ddpg, td3, d4pg } as const

/**
 * A name of {@link agents}.
 *
 * @example
 * ```ts
 * const name: AgentName = 'td3'
 * ```
 */
export type AgentName = keyof typeof agents
