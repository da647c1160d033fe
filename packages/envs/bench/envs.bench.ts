/**
 * Environment step throughput with uniformly random actions (drawn up front from an Rng key, so drawing costs nothing
 * inside the timed loop), resetting at every episode end. Cases, all in this one process:
 *   - `makeEnv`: the env from the registry (the state machine, action checks, the TimeLimit wrapper);
 *   - `wrapped`: the same with recordEpisodeStatistics, rescaleAction and normalizeObservation on top;
 *   - `vector ×8`: eight registry envs in a vector env, counted in env steps;
 *   - `inline loop`: the baseline, the same equations and roundings written as a plain loop over local numbers, with
 *     one reused observation buffer and no API, checks, allocation or wrappers.
 * The MuJoCo v5 envs (on the official WebAssembly build) and LaneFollowing-v0 (a 64 × 64 camera frame per step) have
 * the `makeEnv` case only.
 * Prints JSON and writes it to bench-results/envs.json, with the ratio of each case to its env's inline loop.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { Box, Rng } from '@polyak/core'
import {
  type Env,
  loadMujoco,
  makeEnv,
  makeVectorEnv,
  normalizeObservation,
  recordEpisodeStatistics,
  rescaleAction,
} from '@polyak/envs'
import { pipe } from 'fp-ts/lib/function.js'

const secondsPerCase = Number(process.env.BENCH_SECONDS ?? 2)
const ACTIONS = 1 << 16

/** Runs `step` in batches until the time is up; returns steps and seconds. */
const time = (step: () => number, stepsPerCall = 1) => {
  let steps = 0
  let checksum = 0
  for (let i = 0; i < 10_000; i++) checksum += step() // warm-up
  const start = performance.now()
  while (performance.now() - start < secondsPerCase * 1000) {
    for (let i = 0; i < 1000; i++) checksum += step()
    steps += 1000 * stepsPerCall
  }
  const seconds = (performance.now() - start) / 1000
  return { steps, seconds: Number(seconds.toFixed(3)), stepsPerSecond: Math.round(steps / seconds), checksum }
}

/** Random actions in [low, high], one preallocated Float32Array view per action. */
const randomActions = (low: number, high: number, size: number, seed: number): Float32Array[] => {
  const values = Rng.uniformF32(Rng.key(seed), ACTIONS * size, low, high)
  return Array.from({ length: ACTIONS }, (_, i) => values.subarray(i * size, (i + 1) * size))
}

const throughEnv = (env: Env, seed: number) => {
  const actions = randomActions(env.actionSpace.low[0] ?? 0, env.actionSpace.high[0] ?? 0, Box.size(env.actionSpace), 1)
  env.reset({ seed })
  let i = 0
  return () => {
    const result = env.step(actions[i++ & (ACTIONS - 1)] as Float32Array)
    if (result.terminated || result.truncated) env.reset()
    return result.reward
  }
}

const throughVectorEnv = (id: string, numEnvs: number) => {
  const vectorEnv = makeVectorEnv(() => makeEnv(id), numEnvs)
  const space = vectorEnv.singleActionSpace
  const actions = randomActions(space.low[0] ?? 0, space.high[0] ?? 0, numEnvs * Box.size(space), 2)
  vectorEnv.reset({ seed: 0 })
  let i = 0
  return () => vectorEnv.step(actions[i++ & (ACTIONS - 1)] as Float32Array).rewards[0] ?? 0
}

/** Pendulum-v1 as a plain loop: the same float64 state, float32 torque terms and observation, reset at 200 steps. */
const inlinePendulum = () => {
  const actions = Rng.uniformF32(Rng.key(1), ACTIONS, -2, 2)
  const observation = new Float32Array(3)
  const start = Rng.uniform(Rng.key(0), 2)
  let theta = -Math.PI + 2 * Math.PI * (start[0] ?? 0)
  let thetaDot = -1 + 2 * (start[1] ?? 0)
  let t = 0
  let i = 0
  return () => {
    const u = Math.min(Math.max(actions[i++ & (ACTIONS - 1)] ?? 0, -2), 2)
    const wrapped = ((((theta + Math.PI) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) - Math.PI
    const cost = wrapped * wrapped + 0.1 * thetaDot * thetaDot + Math.fround(Math.fround(0.001) * Math.fround(u * u))
    thetaDot = Math.min(Math.max(thetaDot + (15 * Math.sin(theta) + Math.fround(3 * u)) * 0.05, -8), 8)
    theta += thetaDot * 0.05
    observation[0] = Math.cos(theta)
    observation[1] = Math.sin(theta)
    observation[2] = thetaDot
    if (++t === 200) {
      t = 0
      theta = 0.5
      thetaDot = 0
    }
    return -cost + (observation[0] ?? 0)
  }
}

/** MountainCarContinuous-v0 as a plain loop: float32 state, the same roundings as Gymnasium for float32 actions. */
const inlineMountainCar = () => {
  const f32 = Math.fround
  const actions = Rng.uniformF32(Rng.key(1), ACTIONS, -1, 1)
  const observation = new Float32Array(2)
  let position = -0.5
  let velocity = 0
  let t = 0
  let i = 0
  return () => {
    const a = actions[i++ & (ACTIONS - 1)] ?? 0
    const force = Math.min(Math.max(a, -1), 1)
    velocity = f32(velocity + f32(f32(force * f32(0.0015)) - f32(0.0025 * Math.cos(f32(3 * position)))))
    velocity = Math.min(Math.max(velocity, -0.07), 0.07)
    position = Math.min(Math.max(f32(position + velocity), -1.2), 0.6)
    if (position === -1.2 && velocity < 0) velocity = 0
    const terminated = position >= 0.45 && velocity >= 0
    position = f32(position)
    velocity = f32(velocity)
    observation[0] = position
    observation[1] = velocity
    if (terminated || ++t === 999) {
      t = 0
      position = -0.5
      velocity = 0
    }
    return (terminated ? 100 : 0) - a * a * 0.1 + (observation[0] ?? 0)
  }
}

// The MuJoCo envs need the WebAssembly runtime, loaded once before making them.
await loadMujoco()

/** The MuJoCo v5 envs, `makeEnv` only: the physics is the step (there is no native MuJoCo to compare with here). */
const MUJOCO_IDS = [
  'InvertedPendulum-v5',
  'InvertedDoublePendulum-v5',
  'Reacher-v5',
  'HalfCheetah-v5',
  'Hopper-v5',
  'Walker2d-v5',
  'Ant-v5',
] as const

const wrappedStack = (id: string) =>
  pipe(makeEnv(id), recordEpisodeStatistics(), rescaleAction(), normalizeObservation())

const cases: ReadonlyArray<readonly [string, string, () => () => number, number]> = [
  ['Pendulum-v1', 'makeEnv', () => throughEnv(makeEnv('Pendulum-v1'), 0), 1],
  ['Pendulum-v1', 'wrapped', () => throughEnv(wrappedStack('Pendulum-v1'), 0), 1],
  ['Pendulum-v1', 'vector ×8', () => throughVectorEnv('Pendulum-v1', 8), 8],
  ['Pendulum-v1', 'inline loop', inlinePendulum, 1],
  ['MountainCarContinuous-v0', 'makeEnv', () => throughEnv(makeEnv('MountainCarContinuous-v0'), 0), 1],
  ['MountainCarContinuous-v0', 'wrapped', () => throughEnv(wrappedStack('MountainCarContinuous-v0'), 0), 1],
  ['MountainCarContinuous-v0', 'vector ×8', () => throughVectorEnv('MountainCarContinuous-v0', 8), 8],
  ['MountainCarContinuous-v0', 'inline loop', inlineMountainCar, 1],
  ['LunarLanderContinuous-v3', 'makeEnv', () => throughEnv(makeEnv('LunarLanderContinuous-v3'), 0), 1],
  ['LunarLanderContinuous-v3', 'vector ×8', () => throughVectorEnv('LunarLanderContinuous-v3', 8), 8],
  // A step renders one 64 × 64 greyscale camera frame: steps per second are frames per second.
  ['LaneFollowing-v0', 'makeEnv', () => throughEnv(makeEnv('LaneFollowing-v0'), 0), 1],
  ...MUJOCO_IDS.map((id) => [id, 'makeEnv', () => throughEnv(makeEnv(id), 0), 1] as const),
]

const results = cases.map(([env, variant, make, stepsPerCall]) => {
  const { checksum, ...result } = time(make(), stepsPerCall)
  console.error(`${env.padEnd(26)} ${variant.padEnd(12)} ${String(result.stepsPerSecond).padStart(10)} steps/s`)
  return { env, variant, ...result, finite: Number.isFinite(checksum) }
})

const ratios = Object.fromEntries(
  results.flatMap((r) => {
    const baseline = results.find((b) => b.env === r.env && b.variant === 'inline loop')
    return r.variant === 'inline loop' || baseline === undefined
      ? [] // no inline baseline for the Box2D tasks: the physics engine is the step
      : [[`${r.env}: ${r.variant} / inline loop`, Number((r.stepsPerSecond / baseline.stepsPerSecond).toFixed(3))]]
  }),
)

const report = {
  benchmark: 'envs/step-throughput',
  description: 'env steps per second with uniformly random actions, resets at episode ends, single thread',
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  secondsPerCase,
  results,
  ratios,
}
mkdirSync('bench-results', { recursive: true })
writeFileSync('bench-results/envs.json', `${JSON.stringify(report, null, 2)}\n`)
console.log(JSON.stringify(report, null, 2))
