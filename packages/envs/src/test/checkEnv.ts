import { Box, BoxSpecCodec, Rng } from '@polyak/core'
import type { Env } from '../Env.js'

/**
 * The options of {@link checkEnv} and {@link findEnvProblems}.
 *
 * @example
 * ```ts
 * const options: CheckEnvOptions = { seed: 3, steps: 20 }
 * ```
 */
export interface CheckEnvOptions {
  /** The seed of the checked rollouts and of their random actions (default 0). */
  readonly seed?: number
  /** Steps per rollout, across episode ends (default 50); the checker runs two or three rollouts. */
  readonly steps?: number
}

interface Trajectory {
  readonly observations: readonly Float32Array[]
  readonly rewards: readonly number[]
  readonly ends: readonly string[]
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const sameArray = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length && a.every((x, i) => Object.is(x, b[i]))

/** Uniform random actions inside the action space (finite stand-ins for infinite bounds), one per step. */
const randomActions = (space: Env['actionSpace'], seed: number, steps: number): readonly Float32Array[] => {
  const n = Box.size(space)
  const u = Rng.uniformF32(Rng.foldIn(Rng.key(seed), 0x5eed), n * steps, 0, 1)
  const finite = (x: number, fallback: number): number => (Number.isFinite(x) ? x : fallback)
  return Array.from({ length: steps }, (_, t) =>
    Float32Array.from({ length: n }, (_, i) => {
      const low = finite(space.low[i] as number, -1)
      const high = finite(space.high[i] as number, 1)
      return Math.min(high, Math.max(low, low + (u[t * n + i] as number) * (high - low)))
    }),
  )
}

/**
 * Runs the checks of {@link checkEnv} and returns the problems it finds, one sentence each (empty: none found).
 * Takes an env or a function that makes one; a function is called twice, and the second env must repeat the
 * first one's trajectory (no hidden shared state).
 *
 * @example
 * ```ts
 * import { makeEnv } from '@polyak/envs'
 * import { findEnvProblems } from '@polyak/envs/test'
 *
 * const problems = findEnvProblems(() => makeEnv('Pendulum-v1'), { steps: 20 }) // []
 * ```
 */
export const findEnvProblems = (target: Env | (() => Env), options: CheckEnvOptions = {}): readonly string[] => {
  const { seed = 0, steps = 50 } = options
  const problems: string[] = []
  const seen = new Set<string>()
  /** Records a problem once; `key` groups repeats (e.g. the same check failing at many steps). */
  const report = (key: string, text: string): void => {
    if (seen.has(key)) return
    seen.add(key)
    problems.push(text)
  }
  let env: Env
  try {
    env = typeof target === 'function' ? target() : target
  } catch (error) {
    return [`making the env threw: ${message(error)}`]
  }

  for (const name of ['observationSpace', 'actionSpace'] as const) {
    if (!BoxSpecCodec.is(env[name])) report(name, `${name} is not a valid BoxSpec: ${JSON.stringify(env[name])}`)
  }
  if (problems.length > 0) return problems
  if (!Box.isBounded(env.actionSpace)) {
    report('unbounded', 'actionSpace has an infinite bound: deterministic policies scale their actions to the bounds')
  }
  const observationSize = Box.size(env.observationSpace)
  const actionSize = Box.size(env.actionSpace)
  const rewardRange = env.spec?.rewardRange
  const actions = randomActions(env.actionSpace, seed, steps)

  const returned = new WeakSet<Float32Array>()
  const checkObservation = (where: string, observation: unknown): Float32Array | undefined => {
    if (!(observation instanceof Float32Array)) {
      report(`${where}-type`, `${where}: the observation is not a Float32Array (got ${String(observation)})`)
      return undefined
    }
    if (returned.has(observation)) {
      report(`${where}-alias`, `${where}: returned the same observation array as an earlier call (it must be fresh)`)
    }
    returned.add(observation)
    if (observation.length !== observationSize) {
      report(
        `${where}-size`,
        `${where}: the observation has ${observation.length} values, the observation space ${observationSize}`,
      )
      return undefined
    }
    const bad = observation.findIndex((x) => !Number.isFinite(x))
    if (bad >= 0) report(`${where}-finite`, `${where}: observation[${bad}] is ${observation[bad]}, not finite`)
    else if (!Box.contains(env.observationSpace, observation)) {
      const i = observation.findIndex(
        (x, k) =>
          Math.fround(x) < (env.observationSpace.low[k] as number) || x > (env.observationSpace.high[k] as number),
      )
      report(
        `${where}-box`,
        `${where}: observation[${i}] = ${observation[i]} is outside the observation space [${env.observationSpace.low[i]}, ${env.observationSpace.high[i]}]`,
      )
    }
    return observation
  }

  const checkInfo = (where: string, info: unknown): void => {
    if (info === null || typeof info !== 'object') report(`${where}-info`, `${where}: info is not an object`)
  }

  const rollout = (subject: Env, label: string): Trajectory | undefined => {
    const observations: Float32Array[] = []
    const rewards: number[] = []
    const ends: string[] = []
    const reset = (resetOptions: { readonly seed?: number }): boolean => {
      const result = subject.reset(resetOptions)
      if (result === null || typeof result !== 'object') {
        report('reset-result', `reset returned ${String(result)}, not { observation, info }`)
        return false
      }
      const observation = checkObservation('reset', result.observation)
      checkInfo('reset', result.info)
      if (observation !== undefined) observations.push(Float32Array.from(observation))
      return true
    }
    try {
      if (!reset({ seed })) return undefined
      for (let t = 0; t < steps; t++) {
        const result = subject.step(actions[t] as Float32Array)
        if (result === null || typeof result !== 'object') {
          report(
            'step-result',
            `step returned ${String(result)}, not { observation, reward, terminated, truncated, info }`,
          )
          return undefined
        }
        const observation = checkObservation('step', result.observation)
        checkInfo('step', result.info)
        if (typeof result.reward !== 'number' || !Number.isFinite(result.reward)) {
          report('reward', `step: the reward is ${String(result.reward)}, not a finite number`)
        } else if (rewardRange !== undefined && (result.reward < rewardRange[0] || result.reward > rewardRange[1])) {
          report(
            'reward-range',
            `step: the reward ${result.reward} is outside the spec's rewardRange [${rewardRange[0]}, ${rewardRange[1]}]`,
          )
        }
        for (const flag of ['terminated', 'truncated'] as const) {
          if (typeof result[flag] !== 'boolean') report(flag, `step: ${flag} is ${String(result[flag])}, not a boolean`)
        }
        if (observation !== undefined) observations.push(Float32Array.from(observation))
        rewards.push(result.reward)
        ends.push(`${result.terminated}/${result.truncated}`)
        if (result.terminated === true || result.truncated === true) {
          if (!reset({})) return undefined
        }
      }
    } catch (error) {
      report(`throw-${label}`, `${label}: reset or step threw: ${message(error)}`)
      return undefined
    }
    return { observations, rewards, ends }
  }

  const compare = (a: Trajectory, b: Trajectory, how: string): void => {
    const length = Math.min(a.rewards.length, b.rewards.length)
    for (let t = 0; t < Math.max(a.observations.length, b.observations.length); t++) {
      const x = a.observations[t]
      const y = b.observations[t]
      if (x === undefined || y === undefined || !sameArray(x, y)) {
        report(
          `determinism-${how}`,
          `${how}: observation ${t} differs for the same seed and actions (not deterministic)`,
        )
        return
      }
    }
    for (let t = 0; t < length; t++) {
      if (!Object.is(a.rewards[t], b.rewards[t]) || a.ends[t] !== b.ends[t]) {
        report(`determinism-${how}`, `${how}: step ${t}'s reward or end differs for the same seed and actions`)
        return
      }
    }
  }

  const first = rollout(env, 'first rollout')
  const again = rollout(env, 'second rollout')
  if (first !== undefined && again !== undefined) compare(first, again, 'reset({ seed }) again on the same env')
  if (typeof target === 'function' && first !== undefined) {
    try {
      const fresh = target()
      const other = rollout(fresh, 'rollout on a second env')
      if (other !== undefined) compare(first, other, 'a second env from the same factory')
      fresh.close()
    } catch (error) {
      report('second-env', `making or closing a second env threw: ${message(error)}`)
    }
  }

  try {
    env.reset({ seed })
    const frame = env.render()
    const { width, height, data } = frame ?? {}
    if (!Number.isInteger(width) || !Number.isInteger(height) || (width as number) <= 0 || (height as number) <= 0) {
      report('render', `render: the frame's width and height are ${width} × ${height}, not positive integers`)
    } else if (!(data instanceof Uint8Array) || data.length !== (width as number) * (height as number) * 3) {
      report(
        'render',
        `render: the frame's data is not a Uint8Array of width·height·3 = ${(width as number) * (height as number) * 3} bytes`,
      )
    }
  } catch (error) {
    report('render-throw', `render threw: ${message(error)}`)
  }

  const throws = (f: () => unknown): boolean => {
    try {
      f()
      return false
    } catch {
      return true
    }
  }
  if (!throws(() => env.step(new Float32Array(actionSize + 1)))) {
    report('step-length', `step accepted an action of ${actionSize + 1} values (the action space has ${actionSize})`)
  }
  if (!throws(() => env.step(new Float32Array(actionSize).fill(Number.NaN)))) {
    report('step-nan', 'step accepted an action of NaN values')
  }

  try {
    env.close()
  } catch (error) {
    report('close', `close threw: ${message(error)}`)
  }
  if (throws(() => env.close())) report('close-twice', 'close threw when called a second time (it must be harmless)')
  for (const [name, call] of [
    ['reset', () => env.reset({ seed })],
    ['step', () => env.step(actions[0] as Float32Array)],
    ['render', () => env.render()],
  ] as const) {
    if (!throws(call)) report(`closed-${name}`, `${name} after close did not throw`)
  }
  return problems
}

/**
 * Checks that an env keeps the `Env` contract, as Stable-Baselines3's `check_env` does for Gymnasium envs, and
 * throws an Error listing every problem found. It checks:
 *
 * - both spaces are valid Box specs, and the action space is bounded;
 * - `reset` and `step` return fresh `Float32Array` observations of the space's size, finite and inside the
 *   observation space (a side it declares infinite allows any finite value), and an `info` object;
 * - rewards are finite numbers (inside `spec.rewardRange` where the registry records one), `terminated` and
 *   `truncated` are booleans;
 * - seeded determinism: `reset({ seed })` with the same seed and the same random actions repeats the trajectory,
 *   on the same env and, when given a factory, on a second env from it;
 * - `step` throws for an action of the wrong length or with NaN;
 * - `render()` returns a frame of positive integer size with `width·height·3` bytes;
 * - `close()` can be called twice, and `reset`, `step` and `render` throw after it.
 *
 * The env is closed at the end. Use {@link findEnvProblems} for the list without the throw.
 *
 * @throws Error `"checkEnv(<id>): <n> problem(s):\n  - …"` when a check fails
 *
 * @example
 * ```ts
 * import { makeEnv, prepareEnv } from '@polyak/envs'
 * import { checkEnv } from '@polyak/envs/test'
 *
 * await prepareEnv('Hopper-v5') // MuJoCo envs load their WebAssembly module first
 * checkEnv(() => makeEnv('Hopper-v5'), { seed: 1, steps: 20 })
 * ```
 */
export const checkEnv = (target: Env | (() => Env), options: CheckEnvOptions = {}): void => {
  let id = '?'
  const counted =
    typeof target === 'function'
      ? () => {
          const env = target()
          id = env.id
          return env
        }
      : target
  if (typeof target !== 'function') id = target.id
  const problems = findEnvProblems(counted, options)
  if (problems.length > 0) {
    throw new Error(
      `checkEnv(${id}): ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    )
  }
}
