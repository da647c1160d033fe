/**
 * Networks of every architecture for the actor tests, and a check that actors acted with the greedy policy of the
 * parameters they were sent (exactly, with `sigma: 0`).
 */
import { greedyPolicy, makeNetworks, type NetworkArchitecture } from '@polyak/agents'
import { Box, type Params } from '@polyak/core'
import { makeEnv } from '@polyak/envs'
import type { ActorNetworks, ActorStep } from '../actors/protocol.js'

/** The actor networks of `architecture` for the env `id` (its observation size and action bounds). */
export const networksFor = (
  id: string,
  envOptions: Readonly<Record<string, unknown>>,
  architecture: NetworkArchitecture,
): ActorNetworks => {
  const env = makeEnv(id, envOptions)
  const { observationSpace, actionSpace } = env
  env.close()
  const low = Array.from(actionSpace.low)
  const spec = {
    observationSize: Box.size(observationSpace),
    actionSize: low.length,
    low,
    high: Array.from(actionSpace.high),
    hiddenSizes: [],
  }
  return { spec, architecture }
}

/** D4PG's Parkour networks, small, for BipedalWalker-v3 (lidar at 14…23). */
export const WALKER_PARKOUR: NetworkArchitecture = {
  kind: 'parkour',
  terrain: [14, 24],
  torsoSizes: [16],
  headSizes: [32],
}

/** Pixel networks for LaneFollowing-v0 with a 16 × 16 grey camera (258 observation values). */
export const LANE_PIXELS: NetworkArchitecture = {
  kind: 'pixels',
  image: [16, 16, 1],
  torso: { filters: [4, 8], kernelSize: 4, strides: 2 },
  headSizes: [16],
}

/**
 * The steps (of incarnation 0, past each actor's `warmupPerActor` random steps, with parameters) whose action is not
 * the greedy action of `params` on their observation within `tolerance`, and how many were checked. With `sigma: 0`
 * and the same `params` in every version, an actor that built the right networks has no mismatch.
 */
export const greedyMismatches = (
  steps: readonly ActorStep[],
  networks: ActorNetworks,
  params: Params,
  warmupPerActor: number,
  tolerance = 1e-4,
): { readonly checked: number; readonly mismatches: number; readonly worst: number } => {
  const act = greedyPolicy(makeNetworks(networks.spec, undefined, networks.architecture), () => params)
  const local = new Map<number, number>()
  let checked = 0
  let mismatches = 0
  let worst = 0
  for (const step of steps) {
    if (step.incarnation !== 0) continue
    const index = local.get(step.actor) ?? 0
    local.set(step.actor, index + 1)
    if (index < warmupPerActor || step.paramsVersion < 0) continue
    const expected = act(Float32Array.from(step.transition.observation))
    const error = Math.max(...Array.from(expected, (x, i) => Math.abs(x - (step.transition.action[i] as number))))
    worst = Math.max(worst, error)
    checked += 1
    if (!(error <= tolerance)) mismatches += 1
  }
  return { checked, mismatches, worst }
}
