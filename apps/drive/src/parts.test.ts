import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { inflateSync } from 'node:zlib'
import { Rng } from '@polyak/core'
import { makeEnv, makeLaneFollowing } from '@polyak/envs'
import { episodeSeed } from '@polyak/pipelines'
import { afterAll, describe, expect, it } from 'vitest'
import { helpText, main } from './cli.js'
import { collectFrames, frameAt, frameSheet } from './frames.js'
import { type ImageEncoder, latentEnv, latentObservation, registerLatentEnv } from './latentEnv.js'
import { type ByteImage, crc32, encodePng, imageGrid, toBytes, upscale } from './png.js'
import { randomPolicy, zeroPolicy } from './policies.js'
import { formatDuration, renderTable } from './table.js'
import { driveTestRoad } from './testRoad.js'

const dir = mkdtempSync(path.join(tmpdir(), 'polyak-drive-parts-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A PNG decoder for the encoder's output: checks the signature and every chunk's CRC, inflates the IDAT data. */
const decodePng = (png: Buffer) => {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const chunks: Array<{ type: string; data: Buffer }> = []
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at)
    const type = png.toString('latin1', at + 4, at + 8)
    const data = png.subarray(at + 8, at + 8 + length)
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)))
    chunks.push({ type, data })
    at += 12 + length
  }
  expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND'])
  const header = chunks[0]?.data as Buffer
  const width = header.readUInt32BE(0)
  const height = header.readUInt32BE(4)
  const [depth, colourType, compression, filter, interlace] = [...header.subarray(8, 13)]
  const channels = colourType === 0 ? 1 : 3
  const raw = inflateSync(chunks[1]?.data as Buffer)
  expect(raw.length).toBe(height * (width * channels + 1))
  const pixels = new Uint8Array(width * height * channels)
  for (let row = 0; row < height; row++) {
    const start = row * (width * channels + 1)
    expect(raw[start]).toBe(0) // filter type 0
    pixels.set(raw.subarray(start + 1, start + 1 + width * channels), row * width * channels)
  }
  return { width, height, depth, colourType, compression, filter, interlace, pixels }
}

describe('PNG writer', () => {
  it('has the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
    expect(crc32(new Uint8Array(0))).toBe(0)
  })

  it('encodes greyscale and RGB images that decode to the same pixels', () => {
    const grey: ByteImage = {
      width: 5,
      height: 3,
      channels: 1,
      data: Uint8Array.from({ length: 15 }, (_, i) => (i * 17) % 256),
    }
    const decoded = decodePng(encodePng(grey))
    expect(decoded).toMatchObject({ width: 5, height: 3, depth: 8, colourType: 0, compression: 0, interlace: 0 })
    expect([...decoded.pixels]).toEqual([...grey.data])
    const rgb: ByteImage = {
      width: 2,
      height: 2,
      channels: 3,
      data: Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9),
    }
    const decodedRgb = decodePng(encodePng(rgb))
    expect(decodedRgb.colourType).toBe(2)
    expect([...decodedRgb.pixels]).toEqual([...rgb.data])
    expect(() => encodePng({ ...grey, data: new Uint8Array(14) })).toThrow(/expected 5 × 3 × 1 = 15 bytes, got 14/)
    expect(() => encodePng({ ...grey, width: 0, data: new Uint8Array(0) })).toThrow(/positive integer size/)
  })

  it('converts, upscales and lays out images in a grid', () => {
    expect([...toBytes([-1, 0, 0.5, 1, 2])]).toEqual([0, 0, 128, 255, 255])
    const one: ByteImage = { width: 2, height: 1, channels: 1, data: Uint8Array.of(10, 20) }
    expect([...upscale(one, 2).data]).toEqual([10, 10, 20, 20, 10, 10, 20, 20])
    const grid = imageGrid([one, one, one], { columns: 2, gap: 1, background: 0 })
    expect([grid.width, grid.height]).toEqual([2 * 2 + 3, 2 * 1 + 3])
    const decoded = decodePng(encodePng(grid))
    // row 1: gap, image 0, gap, image 1, gap; row 3: gap, image 2, then background
    expect([...decoded.pixels.subarray(7, 14)]).toEqual([0, 10, 20, 0, 10, 20, 0])
    expect([...decoded.pixels.subarray(21, 28)]).toEqual([0, 10, 20, 0, 0, 0, 0])
    expect(() => imageGrid([], { columns: 2 })).toThrow(/no images/)
    expect(() => imageGrid([one, upscale(one, 2)], { columns: 2 })).toThrow(/every image must be 2 × 1 × 1/)
  })

  it('collects random-policy frames as bytes, deterministically, and draws them', () => {
    const frames = collectFrames({ episodes: 2, seed: 3, every: 5, maxFrames: 40 })
    expect(frames.width).toBe(64)
    expect(frames.height).toBe(64)
    expect(frames.count).toBeGreaterThan(5)
    expect(frames.data.length).toBe(frames.count * 64 * 64)
    expect(collectFrames({ episodes: 2, seed: 3, every: 5, maxFrames: 40 }).data).toEqual(frames.data)
    const env = makeEnv('LaneFollowing-v0')
    const { observation } = env.reset({ seed: episodeSeed(0, 0) })
    const first = collectFrames({ episodes: 1, seed: 0, maxFrames: 1 })
    expect(first.count).toBe(1)
    expect(Math.max(...frameAt(first, 0).map((v, i) => Math.abs(v - (observation[i] as number))))).toBeLessThan(
      0.5 / 255 + 1e-6,
    ) // the first frame of episode 0 is its reset observation, quantised to bytes
    const sheet = frameSheet(frames, 8)
    expect(sheet.width).toBe(8 * 128 + 9 * 2)
    expect(sheet.height).toBe(128 + 4)
  })
})

describe('test road', () => {
  const road = { seed: 20180701, routeLength: 120, maxPolicySteps: 2000 }

  it('drives the same road the same way, counts disengagements and the metres under the policy', () => {
    const zero = driveTestRoad(zeroPolicy, road)
    expect(driveTestRoad(zeroPolicy, road)).toMatchObject({ ...zero, seconds: expect.any(Number) })
    expect(zero.completed).toBe(true)
    expect(zero.covered).toBe(120)
    expect(zero.disengagements).toBeGreaterThan(0) // the road bends; straight ahead leaves the lane
    expect(zero.disengagedAt).toHaveLength(zero.disengagements)
    expect(zero.metres).toBeGreaterThan(0)
    expect(zero.metres).toBeLessThanOrEqual(120 + 0.3)
    expect(zero.metresPerDisengagement).toBeCloseTo(zero.metres / zero.disengagements, 9)
    const random = driveTestRoad(randomPolicy(Rng.key(1)), road)
    expect(random.disengagements).toBeGreaterThan(0)
    expect(random.safetyDriverSteps).toBeGreaterThan(0)
  })

  it('ends after maxPolicySteps when the policy stops, with no metres and no disengagement', () => {
    const stopped = driveTestRoad(() => [0, -1], { ...road, maxPolicySteps: 50 })
    expect(stopped).toMatchObject({ metres: 0, disengagements: 0, metresPerDisengagement: null, completed: false })
    expect(stopped.policySteps).toBe(50)
  })

  it('a lane-keeping policy on the true pose completes the route without disengagement', () => {
    // a policy that cheats: it steers from a second env driven in lockstep (the test road is deterministic)
    const shadow = makeLaneFollowing({ roadLength: 10 + road.routeLength + 5 })
    shadow.reset({ seed: road.seed })
    const policy = () => {
      const pose = shadow.pose()
      const delta =
        Math.atan(2 * pose.laneCurvature) -
        pose.headingError -
        Math.atan((1.5 * pose.lateralOffset) / (pose.speed + 0.5))
      const action = [Math.max(-1, Math.min(1, delta / 0.5)), 0.5]
      shadow.step(action)
      return action
    }
    const drive = driveTestRoad(policy, road)
    expect(drive).toMatchObject({ disengagements: 0, metresPerDisengagement: null, completed: true })
    expect(drive.metres).toBeGreaterThan(119.5)
  })
})

describe('latent env', () => {
  const encoder: ImageEncoder = {
    imageSize: 64 * 64,
    latentSize: 3,
    encode: (images, count) => {
      const out = new Float32Array(3 * count)
      for (let i = 0; i < count; i++) out[3 * i] = images.subarray(i * 4096, (i + 1) * 4096).reduce((a, b) => a + b, 0)
      return out
    },
  }

  it('replaces the image by its latent and keeps speed, steering, rewards and termination', () => {
    const inner = makeLaneFollowing()
    const env = latentEnv(makeLaneFollowing(), encoder)
    expect(env.observationSpace.shape).toEqual([5])
    expect([...env.observationSpace.low.slice(3)]).toEqual([0, -1])
    const a = inner.reset({ seed: 4 }).observation
    const b = env.reset({ seed: 4 }).observation
    expect(b[0]).toBeCloseTo(
      a.subarray(0, 4096).reduce((x, y) => x + y, 0),
      2,
    )
    const sa = inner.step([0.3, 1])
    const sb = env.step([0.3, 1])
    expect(sb.reward).toBe(sa.reward)
    expect([...sb.observation.slice(3)]).toEqual([...sa.observation.slice(4096)])
    expect(() => latentObservation(encoder, new Float32Array(10))).toThrow(/4096 image values/)
  })

  it('registers a new id per encoder, with the 1000-step limit', () => {
    const id = registerLatentEnv(encoder)
    expect(registerLatentEnv(encoder)).not.toBe(id)
    const env = makeEnv(id, { curvatureRange: [0, 0] })
    expect(env.spec?.maxEpisodeSteps).toBe(1000)
    expect(env.reset({ seed: 0 }).observation).toHaveLength(5)
  })
})

describe('table and command line', () => {
  it('renders the table with the paper’s dash for no disengagement', () => {
    const test = {
      metres: 250,
      disengagements: 0,
      metresPerDisengagement: null,
      completed: true,
      covered: 250,
      policySteps: 900,
      safetyDriverSteps: 0,
      disengagedAt: [],
      seconds: 1,
    }
    const md = renderTable(
      [
        { id: 'zero', test: { ...test, metres: 100, disengagements: 4, metresPerDisengagement: 25 } },
        {
          id: 'vae',
          training: { episodes: 11, distance: 195.5, envSteps: 3000, updates: 2000, seconds: 95, pretrainSeconds: 60 },
          test,
        },
      ],
      { seed: 20180701, routeLength: 250, maxPolicySteps: 3000 },
    )
    expect(md).toContain('| Zero policy | – | – | – | – | 25.0 | 4 | 250 m |')
    expect(md).toContain(
      '| Deep RL from VAE (DDPG + PER) | 11 | 195.5 | 3000 (5:00) | 95 s (+ 60 s VAE) | – (250.0 m, none) | 0 | 250 m |',
    )
    expect(md).toContain('reset seed 20180701, 250 m')
    expect(formatDuration(3725)).toBe('1:02:05')
  })

  it('prints the flags for --help and exits with code 2 for bad flags before running', async () => {
    const lines: string[] = []
    expect(await main(['--help'], (line) => lines.push(line), dir)).toBe(0)
    expect(lines.join('\n')).toBe(helpText())
    for (const flag of [
      '--rows',
      '--latent-steps',
      '--pixel-steps',
      '--vae-episodes',
      '--seed',
      '--out',
      '--test-seed',
    ]) {
      expect(helpText()).toContain(flag)
    }
    for (const line of helpText()
      .split('\n')
      .filter((l) => l.startsWith('  --'))) {
      expect(line.replace(/^ {2}--[a-z-]+ +/, '')).not.toMatch(/^default/) // every flag is explained
    }
    const errors: string[] = []
    expect(await main(['--latent-stepz', '10'], (line) => errors.push(line), dir)).toBe(2)
    expect(errors.join('\n')).toMatch(/latentStepz: unknown key.*did you mean 'latentSteps'/s)
    expect(await main(['--rows', '["random","bus"]'], (line) => errors.push(line), dir)).toBe(2)
    expect(errors.join('\n')).toMatch(/rows\.1.*one of random, zero, pixels, vae/)
    expect(await main(['--rows', '[]'], (line) => errors.push(line), dir)).toBe(2)
    expect(errors.join('\n')).toMatch(/at least one row/)
    expect(await main(['--latent-steps', '-5'], (line) => errors.push(line), dir)).toBe(2)
    expect(await main(['--seed'], (line) => errors.push(line), dir)).toBe(2)
    expect(await main(['--backend', 'abacus'], (line) => errors.push(line), dir)).toBe(2)
    expect(errors.join('\n')).toMatch(/Unknown backend 'abacus'/)
  })

  it('runs the baseline rows end to end and writes the table, summary and frames', async () => {
    const lines: string[] = []
    const out = path.join(dir, 'baselines')
    const code = await main(
      ['--rows', '["random","zero"]', '--test-route', '60', '--out', out, '--progress-every', '0'],
      (line) => lines.push(line),
      dir,
    )
    expect(code).toBe(0)
    const text = lines.join('\n')
    expect(text).toContain('| Random policy |')
    expect(text).toContain('| Zero policy |')
    expect(text).toMatch(/wrote .*table\.md/)
  })
})
