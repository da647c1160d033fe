/**
 * What the trainer's tests share: a tiny run, temporary folders removed after the file's tests, and `main` with its
 * output collected.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'
import { type MainOptions, main } from '../src/main.js'

/** A run that takes about a second: 300 steps (an episode is 200), learning from step 150, a checkpoint at 200. */
export const TINY: readonly string[] = [
  '--steps',
  '300',
  '--warmup-steps',
  '150',
  '--hidden-sizes',
  '[8]',
  '--batch-size',
  '32',
  '--buffer-size',
  '1000',
  '--eval-every',
  '0',
  '--eval-episodes',
  '1',
  '--checkpoint-every',
  '200',
  '--log-every',
  '100',
  '--backend',
  'wasm',
]

/** A maker of temporary folders named `<prefix>…`, all removed after the calling test file's tests. */
export const tempDirs = (prefix: string): (() => string) => {
  const made: string[] = []
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true })
  })
  return () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
    made.push(dir)
    return dir
  }
}

/** Runs `main` with the output collected and the run folder named after a fixed clock. */
export const runMain = async (argv: readonly string[], options: MainOptions = {}) => {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, {
    log: (line) => out.push(line),
    error: (line) => err.push(line),
    now: () => 1_764_000_000_000,
    ...options,
  })
  return { code, out, err }
}
