import { describe, expect, it } from 'vitest'
import { decodeBenchmarkConfig, FlagError, flagOf, helpText, parseBenchmarkArgs } from './config.js'
import { trainerSettings } from './runs.js'

const decodeArgs = (argv: string[]) => decodeBenchmarkConfig(parseBenchmarkArgs(argv))

/** The message of the error `f` throws. */
const thrown = (f: () => unknown): string => {
  try {
    f()
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
  throw new Error('expected an error')
}

describe('benchmark flags', () => {
  it('default to 5 seeds of DDPG, TD3 and D4PG with CleanRL’s steps, into docs/results', () => {
    expect(decodeArgs([])).toEqual({
      quick: false,
      seeds: [1, 2, 3, 4, 5],
      algos: ['ddpg', 'td3', 'd4pg'],
      steps: 20_000,
      warmupSteps: 1_000,
      jobs: 1,
      runsDir: 'runs/benchmark',
      out: 'docs/results',
      backend: 'auto',
    })
    expect(trainerSettings(decodeArgs([]), 'td3', 2).join(' ')).toBe(
      '--preset cleanrl --algo td3 --seed 2 --steps 20000 --warmup-steps 1000 --checkpoint-every 0 --backend auto',
    )
  })

  it('--quick is CI-sized and writes outside docs/results', () => {
    const quick = decodeArgs(['--quick'])
    expect(quick).toMatchObject({ quick: true, seeds: [1, 2], steps: 1_500, warmupSteps: 300, evalEpisodes: 2 })
    expect(quick.hiddenSizes).toEqual([64, 64])
    expect(quick.out).not.toMatch(/docs/)
    expect(quick.runsDir).not.toBe(decodeArgs([]).runsDir)
    expect(trainerSettings(quick, 'd4pg', 1).join(' ')).toBe(
      '--preset cleanrl --algo d4pg --seed 1 --steps 1500 --warmup-steps 300 --hidden-sizes [64,64] --eval-episodes 2 --checkpoint-every 0 --backend auto',
    )
    // flags after it still count, and override its defaults
    expect(decodeArgs(['--quick', '--seeds', '1', '--out', '/tmp/x'])).toMatchObject({ seeds: [1], out: '/tmp/x' })
    expect(decodeArgs(['--seeds', '1', '--quick'])).toMatchObject({ quick: true, seeds: [1] })
    expect(decodeArgs(['--quick', 'false']).quick).toBe(false)
  })

  it('take seed and algorithm lists as commas, a number or JSON', () => {
    expect(decodeArgs(['--seed-list', '3,7,11']).seeds).toEqual([3, 7, 11])
    expect(decodeArgs(['--seed-list', '4']).seeds).toEqual([4])
    expect(decodeArgs(['--seed-list=[0,2]']).seeds).toEqual([0, 2])
    expect(decodeArgs(['--seeds', '3']).seeds).toEqual([1, 2, 3])
    expect(decodeArgs(['--algos', 'td3,ddpg']).algos).toEqual(['td3', 'ddpg'])
    expect(decodeArgs(['--algos', 'd4pg']).algos).toEqual(['d4pg'])
    expect(decodeArgs(['--jobs', '2', '--steps', '3000', '--warmup-steps', '500'])).toMatchObject({
      jobs: 2,
      steps: 3_000,
      warmupSteps: 500,
    })
    expect(decodeArgs(['--out', '2026', '--runs-dir=007']).out).toBe('2026') // paths stay strings
    expect(decodeArgs(['--runs-dir=007']).runsDir).toBe('007')
  })

  it('name the bad flag, every one of them', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--seeds', '0'], /^Invalid benchmark flags:\n {2}- --seeds: expected an integer > 0, got 0$/],
      [['--algos', 'td3,dqn'], /--algos: expected a comma-separated list of ddpg, td3, d4pg, got "dqn"/],
      [['--algos', 'td3,td3'], /--algos: expected .* without repeats/],
      [['--seed-list', '1,x'], /--seed-list: expected a comma-separated list of seeds \(integers >= 0\), got "x"/],
      [['--seed-list', '-1'], /--seed-list: expected a comma-separated list of seeds/],
      [['--jobs', '1.5'], /--jobs: expected an integer > 0, got 1.5/],
      [['--hidden-sizes', '[64,0]'], /--hidden-sizes\.1: expected an integer > 0, got 0/],
      [['--backend', 'gpu'], /--backend: expected one of auto, native, wasm, cpu, tensorflow, got "gpu"/],
      [
        ['--sedes', '3'],
        /--sedes: unknown flag \(expected one of: --quick, --seeds, --seed-list, .*--backend\); did you mean --seeds\?/,
      ],
      [['--seeds', '3', '--seed-list', '1,2'], /--seeds, --seed-list: give one of them/],
    ]
    for (const [argv, message] of cases) {
      const text = thrown(() => decodeArgs(argv))
      expect(text, argv.join(' ')).toMatch(message)
    }
    // two problems, two lines
    expect(thrown(() => decodeArgs(['--seeds', '0', '--steps', '-1'])).split('\n')).toHaveLength(3)
    expect(() => decodeArgs(['--seeds', '0'])).toThrow(FlagError)
  })

  it('reject positional arguments and flags without a value', () => {
    expect(() => parseBenchmarkArgs(['td3'])).toThrow(/Unexpected argument 'td3'/)
    expect(() => parseBenchmarkArgs(['--seeds'])).toThrow(/Flag --seeds needs a value/)
  })

  it('are all in the help', () => {
    const help = helpText('npm run benchmark --')
    for (const key of Object.keys(decodeArgs([]))) expect(help).toContain(flagOf(key))
    for (const flag of ['--seed-list', '--hidden-sizes', '--eval-episodes']) expect(help).toContain(flag)
  })
})
