import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { flags, parseArgs, undocumentedFlags, usage } from './cli.js'

describe('parseArgs', () => {
  it('reads --key value and --key=value, camel-cases names and parses JSON values', () => {
    expect(
      parseArgs(['--steps', '200', '--hidden-sizes=[64,64]', '--backend', 'cpu', '--learning-rate', '3e-4']),
    ).toEqual({
      steps: 200,
      hiddenSizes: [64, 64],
      backend: 'cpu',
      learningRate: 3e-4,
    })
  })

  it('loads --config relative to cwd first, lets flags override it and merges nested objects key by key', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'polyak-cli-'))
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ steps: 10, seed: 4, agent: { tau: 0.01, gamma: 0.9 } }))
    expect(parseArgs(['--config', 'run.json', '--seed', '5', '--agent', '{"tau":0.02}'], { cwd: dir })).toEqual({
      steps: 10,
      seed: 5,
      agent: { tau: 0.02, gamma: 0.9 },
    })
  })

  it('rejects positional arguments, missing values and unreadable config files', () => {
    expect(() => parseArgs(['train'])).toThrow("Unexpected argument 'train'")
    expect(() => parseArgs(['--steps'])).toThrow('Flag --steps needs a value')
    expect(() => parseArgs(['--config', '/nonexistent/run.json'])).toThrow(
      'Cannot read config file /nonexistent/run.json',
    )
  })
})

describe('flags and usage', () => {
  it('document every config key of every algorithm', () => {
    expect(undocumentedFlags()).toEqual([])
    const documented = flags().map((f) => f.flag)
    for (const flag of ['--config', '--resume', '--steps', '--hidden-sizes', '--target-noise', '--log-every']) {
      expect(documented).toContain(flag)
    }
  })

  it('--help lists every flag with its default', () => {
    const text = usage('npm start --')
    for (const f of flags()) expect(text).toContain(`  ${f.flag} ${f.value}`)
    expect(text).toMatch(/--steps n +environment steps of the run \[15000\]/)
  })
})
