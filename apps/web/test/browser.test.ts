/**
 * End-to-end in headless Chromium (the distribution's `chromium`, driven by playwright-core; no browser download):
 * build the page, serve it on 127.0.0.1, run the shipped Pendulum actor for one episode at a fixed seed, and check
 * that the return the page shows equals the same policy's return computed in Node; then the live view of a run.
 * Skips with the reason when there is no `chromium` on PATH (install it with `scripts/system-deps.sh`).
 */
import { execFileSync } from 'node:child_process'
import * as fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { fileSystemIO, setBackend } from '@polyak/core'
import * as tf from '@tensorflow/tfjs'
import { type Browser, chromium } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../src/server/serve.js'
import { nodeReturns } from './nodeReturn.js'

const webDir = fileURLToPath(new URL('..', import.meta.url))
const actorDir = path.join(webDir, 'public/actors/pendulum-td3')
const screenshot = path.join(webDir, 'test-results/pendulum.png')
const liveScreenshot = path.join(webDir, 'test-results/live.png')

const findChromium = (): string | undefined => {
  if (process.env.CHROMIUM_PATH !== undefined && process.env.CHROMIUM_PATH !== '') return process.env.CHROMIUM_PATH
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

const executablePath = findChromium()
const title =
  executablePath === undefined
    ? 'web page in headless Chromium (skipped: no `chromium` on PATH; install it with scripts/system-deps.sh as root)'
    : `web page in headless Chromium (${executablePath})`

if (executablePath === undefined) console.warn(title)

const SEED = 3
const STEPS = 200

describe.skipIf(executablePath === undefined)(title, () => {
  let browser: Browser
  let server: RunningServer
  const runDir = path.join(os.tmpdir(), `polyak-web-live-${process.pid}`)

  beforeAll(async () => {
    await build({ root: webDir, configFile: path.join(webDir, 'vite.config.ts'), logLevel: 'error' })
    await fsp.rm(runDir, { recursive: true, force: true })
    await fsp.mkdir(runDir, { recursive: true })
    await fsp.writeFile(path.join(runDir, 'metrics.jsonl'), '')
    server = await startServer({ root: path.join(webDir, 'dist'), runDir, port: 0, pollMs: 100 })
    browser = await chromium.launch({
      executablePath: executablePath as string,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    })
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await fsp.rm(runDir, { recursive: true, force: true })
  })

  it('shows the same Pendulum return as Node for the same actor and seed, with the pendulum upright', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${server.url}?env=Pendulum-v1&seed=${SEED}&steps=${STEPS}&speed=max&backend=cpu`)
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 180_000,
    })
    const status = await page.textContent('#status')
    expect(await page.evaluate(() => document.body.dataset.state), String(status)).toBe('done')
    expect(status).toContain('tfjs cpu')
    expect(await page.textContent('#step')).toBe(String(STEPS))
    const browserReturn = Number(await page.textContent('#return'))

    await setBackend('cpu')
    const node = await nodeReturns(actorDir, 'Pendulum-v1', SEED, STEPS)
    expect(node.finished).toHaveLength(1)
    const nodeReturn = node.finished[0] as number
    console.log(
      `Pendulum-v1 seed ${SEED}, ${STEPS} steps: browser (tfjs cpu) ${browserReturn}, Node (tfjs cpu) ${nodeReturn}, ` +
        `difference ${Math.abs(browserReturn - nodeReturn)}`,
    )
    expect(Math.abs(browserReturn - nodeReturn)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(nodeReturn)))
    expect(nodeReturn).toBeGreaterThan(-300) // the trained policy swings up and balances (random: about −1200)

    // The last frame: the rod (Gymnasium's red, 204 77 77) straight above the axle, none of it below.
    const [above, below] = await page.evaluate(() => {
      const canvas = document.getElementById('view') as HTMLCanvasElement
      const context = canvas.getContext('2d') as CanvasRenderingContext2D
      const pixel = (x: number, y: number) => [...context.getImageData(x, y, 1, 1).data.slice(0, 3)]
      return [pixel(250, 160), pixel(250, 340)]
    })
    expect(above).toEqual([204, 77, 77])
    expect(below).toEqual([255, 255, 255])

    await fsp.mkdir(path.dirname(screenshot), { recursive: true })
    await page.screenshot({ path: screenshot, fullPage: true })
    expect((await fsp.stat(screenshot)).size).toBeGreaterThan(1000)
    expect(errors).toEqual([])
    await page.close()
  })

  it('runs MountainCarContinuous-v0 with no actor (the zero action) and draws it', async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${server.url}?env=MountainCarContinuous-v0&actor=&seed=0&steps=50&speed=max`)
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 180_000,
    })
    expect(await page.textContent('#status')).toContain('no actor: zero action')
    expect(await page.textContent('#step')).toBe('50')
    expect(Number(await page.textContent('#return'))).toBe(0) // no action, no action cost, no goal
    expect(errors).toEqual([])
    await page.close()
  })

  it('plots the metrics a run appends to metrics.jsonl as they arrive', async () => {
    const page = await browser.newPage()
    await page.goto(`${server.url}?autostart=0`)
    await page.waitForSelector('#live:not([hidden]) #chart-return svg')
    const metrics = path.join(runDir, 'metrics.jsonl')
    await fsp.appendFile(
      metrics,
      '{"step":200,"charts/episodic_return":-1200.5,"episode":1}\n{"step":400,"charts/episodic_return":-900}\n',
    )
    await page.waitForFunction(() =>
      document.getElementById('chart-return')?.textContent?.includes('episode return (2)'),
    )
    // a line arrives in two writes: plotted once complete
    await fsp.appendFile(metrics, '{"step":1100,"losses/critic":2.5,')
    await fsp.appendFile(metrics, '"losses/actor":-3}\n{"step":5000,"eval/mean_return":-873.6}\n')
    await page.waitForFunction(() => document.getElementById('chart-loss')?.textContent?.includes('critic loss (1)'))
    await page.waitForFunction(() =>
      document.getElementById('chart-return')?.textContent?.includes('evaluation mean return (1)'),
    )
    expect(await page.textContent('#live-run')).toContain(runDir)
    await page.close()
  })
  it("plays the run's own latest actor (not the shipped one) next to the run's charts", async () => {
    // a run's actor as the trainer exports it: a LayersModel of Pendulum's shapes, seeded weights
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          units: 8,
          activation: 'relu',
          inputShape: [3],
          kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }),
        }),
        tf.layers.dense({
          units: 1,
          activation: 'tanh',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }),
        }),
        tf.layers.dense({ units: 1, weights: [tf.tensor2d([[2]]), tf.tensor1d([0])] }),
      ],
    })
    model.setUserDefinedMetadata({ algo: 'td3', env: 'Pendulum-v1', seed: 1, steps: 1234 })
    await model.save(fileSystemIO(path.join(runDir, 'actor')))
    model.dispose()
    const lines = [0, 1, 2, 3, 4, 5].map(
      (k) => `{"step":${1000 * (k + 1)},"losses/critic":${33 * (0.23 / 33) ** (k / 5)}}`,
    )
    await fsp.appendFile(
      path.join(runDir, 'metrics.jsonl'),
      `${lines.join('\n')}\n{"step":10000,"eval/mean_return":-400}\n`,
    )

    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${server.url}?env=Pendulum-v1&seed=${SEED}&steps=${STEPS}&speed=max&backend=cpu`)
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 180_000,
    })
    const status = String(await page.textContent('#status'))
    expect(await page.evaluate(() => document.body.dataset.state), status).toBe('done')
    expect(status).toContain('actor live/actor/model.json: td3 on Pendulum-v1 at step 1234')
    const browserReturn = Number(await page.textContent('#return'))
    await setBackend('cpu')
    const runActor = (await nodeReturns(path.join(runDir, 'actor'), 'Pendulum-v1', SEED, STEPS)).finished[0] as number
    const shipped = (await nodeReturns(actorDir, 'Pendulum-v1', SEED, STEPS)).finished[0] as number
    console.log(
      `Pendulum-v1 seed ${SEED}: page ${browserReturn}, run's actor in Node ${runActor}, shipped actor ${shipped}`,
    )
    expect(Math.abs(browserReturn - runActor)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(runActor)))
    expect(Math.abs(browserReturn - shipped)).toBeGreaterThan(1)
    await page.waitForFunction(() => document.getElementById('chart-loss')?.textContent?.includes('critic loss (7)'))
    expect(await page.textContent('#chart-loss')).toContain('loss (log scale)')
    await fsp.mkdir(path.dirname(liveScreenshot), { recursive: true })
    await page.screenshot({ path: liveScreenshot, fullPage: true })
    expect(errors).toEqual([])
    await page.close()
    await fsp.rm(path.join(runDir, 'actor'), { recursive: true, force: true })
  })
})
