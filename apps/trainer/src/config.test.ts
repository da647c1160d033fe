import { ConfigError } from '@polyak/core'
import { ExperimentConfigCodec } from '@polyak/pipelines'
import { describe, expect, it } from 'vitest'
import { parseArgs } from './cli.js'
import { decodeTrainerConfig, experimentConfigOf, parseLogEvery, savedConfigWithSteps } from './config.js'

const issuesOf = (input: unknown): readonly string[] => {
  try {
    decodeTrainerConfig(input)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message.startsWith('Invalid trainer config:')).toBe(true)
    return (error as ConfigError).issues
  }
  throw new Error('expected a ConfigError')
}

describe('decodeTrainerConfig', () => {
  it('fills the embedded default: TD3 on Pendulum-v1, 15k steps, 64-64, batch 128, 1k warm-up', () => {
    const config = decodeTrainerConfig({})
    expect(config).toMatchObject({
      preset: 'default',
      algo: 'td3',
      env: 'Pendulum-v1',
      backend: 'auto',
      steps: 15_000,
      warmupSteps: 1_000,
      batchSize: 128,
      explorationNoise: 0.1,
      evalEvery: 5_000,
      evalEpisodes: 5,
      checkpointEvery: 5_000,
      seed: 1,
      outDir: 'runs',
      logEvery: '2s',
    })
    // the rest of the agent comes from TD3's own defaults
    expect(config.agent).toEqual({
      gamma: 0.99,
      tau: 0.005,
      actorLearningRate: 3e-4,
      criticLearningRate: 3e-4,
      hiddenSizes: [64, 64],
      policyDelay: 2,
      targetNoise: 0.2,
      targetNoiseClip: 0.5,
      nStep: 1,
      sampler: 'uniform',
    })
    expect(config).not.toHaveProperty('runName')
  })

  it("--algo d4pg is the paper's composition: 5-step prioritized replay, the support left to fit to the env", () => {
    const config = decodeTrainerConfig(parseArgs(['--algo', 'd4pg']))
    expect(config.agent).toMatchObject({
      nStep: 5,
      sampler: { prioritized: { alpha: 0.6, beta0: 0.4, epsilon: 1e-6 } },
      atoms: 51,
      critics: 1,
    })
    expect(config.agent.vMin).toBeUndefined()
    const flags = decodeTrainerConfig(parseArgs(['--algo', 'd4pg', '--n-step', '3', '--sampler', 'uniform']))
    expect([flags.agent.nStep, flags.agent.sampler]).toEqual([3, 'uniform'])
    expect(decodeTrainerConfig(parseArgs(['--algo', 'td3', '--n-step', '3'])).agent.nStep).toBe(3)
  })

  it("--preset cleanrl gives CleanRL's defaults: 1M steps, 25k warm-up, batch 256, 256-256, 1M replay", () => {
    const config = decodeTrainerConfig(parseArgs(['--preset', 'cleanrl', '--seed', '7']))
    expect(config).toMatchObject({ steps: 1_000_000, warmupSteps: 25_000, batchSize: 256, bufferSize: 1_000_000 })
    expect(config.agent.hiddenSizes).toEqual([256, 256])
    expect(config.seed).toBe(7)
  })

  it('maps the agent shortcuts into agent; a shortcut wins over --agent, a specific learning rate over --learning-rate', () => {
    const config = decodeTrainerConfig(
      parseArgs([
        '--hidden-sizes',
        '[32,16]',
        '--learning-rate',
        '1e-3',
        '--critic-learning-rate',
        '2e-3',
        '--agent',
        '{"tau":0.01,"gamma":0.95}',
        '--tau',
        '0.02',
      ]),
    )
    expect(config.agent).toMatchObject({
      hiddenSizes: [32, 16],
      actorLearningRate: 1e-3,
      criticLearningRate: 2e-3,
      tau: 0.02,
      gamma: 0.95,
    })
    expect(config).not.toHaveProperty('hiddenSizes')
    expect(config).not.toHaveProperty('learningRate')
  })

  it('uses the DDPG agent codec for --algo ddpg (policy delay 1, no target smoothing keys)', () => {
    expect(decodeTrainerConfig({ algo: 'ddpg' }).agent).toMatchObject({ policyDelay: 1, hiddenSizes: [64, 64] })
    expect(issuesOf({ algo: 'ddpg', targetNoise: 0.1 })[0]).toMatch(/^targetNoise: unknown key/)
  })

  it('names every bad key and value, with a hint for a misspelt key, the nested agent included', () => {
    const issues = issuesOf(
      parseArgs(['--tua', '0.1', '--steps', '-3', '--agent', '{"gama":0.9}', '--log-every', 'fast', '--algo', 'sac']),
    )
    expect(issues.some((l) => l.startsWith('tua: unknown key') && l.includes("did you mean 'tau'?"))).toBe(true)
    expect(issues).toContain('steps: expected an integer > 0, got -3')
    expect(issues.some((l) => l.startsWith('agent.gama: unknown key') && l.includes("did you mean 'gamma'?"))).toBe(
      true,
    )
    expect(issues).toContain('logEvery: expected seconds like "2s" or a whole number of steps > 0, got "fast"')
    expect(issues.some((l) => l.startsWith('algo: expected one of ddpg, td3, d4pg'))).toBe(true)
    expect(issuesOf({ tau: 1.5 })).toEqual(['tau: expected a number in (0, 1], got 1.5'])
    expect(issuesOf({ runName: '../elsewhere' })[0]).toMatch(/^runName: expected a folder name/)
  })

  it('reads logEvery as seconds or steps', () => {
    expect(parseLogEvery(decodeTrainerConfig({ logEvery: '0.5s' }).logEvery)).toEqual({ seconds: 0.5 })
    expect(parseLogEvery(decodeTrainerConfig(parseArgs(['--log-every', '1000'])).logEvery)).toEqual({ steps: 1000 })
    expect(issuesOf({ logEvery: 0 })).toHaveLength(1)
  })

  it('hands runExperiment exactly the fields of ExperimentConfigCodec, which decode', () => {
    const config = decodeTrainerConfig({ steps: 300, hiddenSizes: [8] })
    const experiment = experimentConfigOf(config)
    expect(Object.keys(experiment).sort()).toEqual(Object.keys(ExperimentConfigCodec.codec.props).sort())
    expect(ExperimentConfigCodec.is(experiment)).toBe(true)
    expect(experiment.agent).toMatchObject({ hiddenSizes: [8] })
  })

  it('a saved config decodes back to itself, and a resume may change its steps', () => {
    const config = decodeTrainerConfig({ steps: 300, seed: 4, agent: { tau: 0.01 } })
    const saved = JSON.parse(JSON.stringify(config))
    expect(savedConfigWithSteps(saved, undefined)).toEqual(config)
    expect(savedConfigWithSteps(saved, 900)).toEqual({ ...config, steps: 900 })
    expect(() => savedConfigWithSteps(saved, 0)).toThrow(/steps: expected an integer > 0/)
  })
})
