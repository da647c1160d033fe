import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ConfigError, decodeOrThrow } from '@polyak/core'
import { describe, expect, it } from 'vitest'
import { parseArgs } from './cli.js'
import { DemoConfigCodec } from './config.js'

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

  it('loads --config first and lets flags override it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'polyak-cli-'))
    const file = path.join(dir, 'run.json')
    writeFileSync(file, JSON.stringify({ steps: 10, seed: 4 }))
    expect(parseArgs(['--config', file, '--seed', '5'])).toEqual({ steps: 10, seed: 5 })
  })

  it('rejects positional arguments, missing values and unreadable config files', () => {
    expect(() => parseArgs(['train'])).toThrow("Unexpected argument 'train'")
    expect(() => parseArgs(['--steps'])).toThrow('Flag --steps needs a value')
    expect(() => parseArgs(['--config', '/nonexistent/run.json'])).toThrow(
      'Cannot read config file /nonexistent/run.json',
    )
  })
})

describe('DemoConfigCodec', () => {
  it('fills every default', () => {
    const config = decodeOrThrow(DemoConfigCodec, {})
    expect(config).toMatchObject({ steps: 400, seed: 1, backend: 'auto', tau: 0.005, hiddenSizes: [256, 256] })
  })

  it('rejects bad values and unknown keys before anything runs, naming each field', () => {
    let caught: unknown
    try {
      decodeOrThrow(DemoConfigCodec, parseArgs(['--tau', '1.5', '--tua', '0.1', '--steps', '-3']), 'trainer config')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ConfigError)
    const issues = (caught as ConfigError).issues
    expect(issues).toContain('tau: expected a number in (0, 1], got 1.5')
    expect(issues.some((line) => line.startsWith('tua: unknown key') && line.includes("did you mean 'tau'"))).toBe(true)
    expect(issues.some((line) => line.startsWith('steps: expected an integer > 0, got -3'))).toBe(true)
    expect((caught as Error).message.startsWith('Invalid trainer config:')).toBe(true)
  })
})
