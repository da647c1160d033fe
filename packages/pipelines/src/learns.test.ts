import { filter, lastValueFrom, toArray } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { disposeExperimentSnapshot } from './ExperimentSnapshot.js'
import type { ExperimentEvent } from './events.js'
import { runExperiment } from './runExperiment.js'

/**
 * Learning tests: TD3 and DDPG on Pendulum-v1 with a fixed seed and budget must reach a mean return above −400 over
 * the last 10 training episodes (a random policy scores about −1200, a solved one about −150). The budget is chosen
 * to fit CI on 2 CPU cores: 15 000 steps, 1 000 random warm-up steps, 64-64 networks, batch 128, Gaussian exploration
 * σ = 0.1 of the action half-range (0.2 N·m); everything else is CleanRL's default. Runs are deterministic on one
 * backend, so a pass repeats exactly on the same backend (these tests run on wasm, the default).
 */
const pendulum = (config: Parameters<typeof runExperiment>[0]) =>
  lastValueFrom(
    runExperiment({
      env: 'Pendulum-v1',
      steps: 15_000,
      seed: 1,
      warmupSteps: 1_000,
      batchSize: 128,
      agent: { hiddenSizes: [64, 64] },
      evalEpisodes: 0,
      ...config,
    }).pipe(
      filter((event) => {
        if (event.type === 'final') disposeExperimentSnapshot(event.snapshot)
        return event.type === 'episode'
      }),
      toArray(),
    ),
  )

const lastTen = (episodes: readonly ExperimentEvent[]): number =>
  episodes.slice(-10).reduce((sum, e) => sum + (e.type === 'episode' ? e.return : Number.NaN), 0) / 10

describe('learning Pendulum-v1 (seed 1, 15 000 steps)', () => {
  it('TD3 reaches a mean return above −400 over the last 10 episodes', { timeout: 900_000 }, async () => {
    const episodes = await pendulum({ algo: 'td3' })
    expect(episodes).toHaveLength(75)
    expect(lastTen(episodes)).toBeGreaterThan(-400)
  })

  it('DDPG reaches a mean return above −400 over the last 10 episodes', { timeout: 900_000 }, async () => {
    const episodes = await pendulum({ algo: 'ddpg' })
    expect(lastTen(episodes)).toBeGreaterThan(-400)
  })
})

describe('learning Pendulum-v1 with D4PG (seed 1, 8 000 steps)', () => {
  it('reaches a mean return above −400 over the last 10 episodes', { timeout: 900_000 }, async () => {
    // D4PG's default composition: 5-step returns, prioritized replay (α 0.6, β 0.4 → 1), 51 atoms on the support
    // fitted to Pendulum's reward bounds ([−16.27, 0] / (1 − γ) = [−1627, 0]); only Adam 1e-3 (Acme's 1e-4 is too
    // slow for this budget) and 64-64 networks, batch 128 differ from the defaults
    const steps = 8_000
    const episodes = await pendulum({
      algo: 'd4pg',
      steps,
      agent: { hiddenSizes: [64, 64], actorLearningRate: 1e-3, criticLearningRate: 1e-3 },
    })
    expect(episodes).toHaveLength(40)
    expect(lastTen(episodes)).toBeGreaterThan(-400)
  })
})
