import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { decodeOrThrow, loadCheckpoint } from '@polyak/core'
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { DemoConfigCodec } from './config.js'
import { runDemo } from './demo.js'

describe('runDemo', () => {
  it('learns the reward, logs progress, and writes metrics, a curve and a loadable checkpoint', async () => {
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'polyak-demo-'))
    const config = decodeOrThrow(DemoConfigCodec, {
      steps: 150,
      hiddenSizes: [64, 64],
      logEvery: 50,
      backend: 'wasm',
      outDir,
    })
    const lines: string[] = []
    const tensorsBefore = tf.memory().numTensors
    const result = await runDemo(config, (line) => lines.push(line))
    expect(tf.memory().numTensors).toBe(tensorsBefore)
    expect(result.finalLoss).toBeLessThan(result.initialLoss / 4)
    expect(lines[0]).toMatch(/^backend: wasm/)
    expect(lines.filter((line) => /^step +\d+\/150 \| [\d.]+ steps\/s \| loss /.test(line))).toHaveLength(3)
    const metrics = readFileSync(path.join(result.runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(metrics.map((m) => m.step)).toEqual([50, 100, 150])
    expect(existsSync(path.join(result.runDir, 'loss.svg'))).toBe(true)
    const checkpoint = await loadCheckpoint(path.join(result.runDir, 'checkpoints'))
    expect(checkpoint.step).toBe(150)
    expect(checkpoint.tensors['critic/l0/kernel']?.shape).toEqual([4, 64])
    expect(checkpoint.tensors['target/l2/bias']?.shape).toEqual([1])
    tf.dispose(Object.values(checkpoint.tensors))
  })
})
