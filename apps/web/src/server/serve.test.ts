import * as fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from './serve.js'

describe('startServer', () => {
  let dir: string
  let server: RunningServer

  beforeAll(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'polyak-web-serve-'))
    await fsp.mkdir(path.join(dir, 'root/actors'), { recursive: true })
    await fsp.writeFile(path.join(dir, 'root/index.html'), '<p>page</p>')
    await fsp.writeFile(path.join(dir, 'root/actors/model.json'), '{}')
    await fsp.writeFile(path.join(dir, 'secret.txt'), 'no')
    await fsp.mkdir(path.join(dir, 'run'))
    await fsp.writeFile(path.join(dir, 'run/metrics.jsonl'), '{"step":0,"event":"start"}\n')
    server = await startServer({ root: path.join(dir, 'root'), runDir: path.join(dir, 'run'), port: 0, pollMs: 20 })
  })

  afterAll(async () => {
    await server.close()
    await fsp.rm(dir, { recursive: true, force: true })
  })

  it('serves the static files on 127.0.0.1 and nothing outside the root', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    const index = await fetch(server.url)
    expect(index.headers.get('content-type')).toContain('text/html')
    expect(await index.text()).toBe('<p>page</p>')
    expect((await fetch(new URL('actors/model.json', server.url))).headers.get('content-type')).toContain('json')
    expect((await fetch(new URL('missing.js', server.url))).status).toBe(404)
    expect((await fetch(new URL('/%2e%2e/secret.txt', server.url))).status).not.toBe(200)
    expect(await (await fetch(new URL('live/run.json', server.url))).json()).toEqual({
      run: path.join(dir, 'run'),
      metrics: path.join(dir, 'run/metrics.jsonl'),
      actor: 'live/actor/model.json',
    })
  })

  it("serves the run's latest actor under /live/actor/, and nothing else of the run folder", async () => {
    const actorUrl = new URL('live/actor/model.json', server.url)
    expect((await fetch(actorUrl)).status).toBe(404) // no checkpoint yet
    await fsp.mkdir(path.join(dir, 'run/actor'))
    await fsp.writeFile(path.join(dir, 'run/actor/model.json'), '{"userDefinedMetadata":{"steps":5000}}')
    const response = await fetch(actorUrl)
    expect(response.headers.get('cache-control')).toBe('no-cache')
    expect(await response.json()).toEqual({ userDefinedMetadata: { steps: 5000 } })
    expect((await fetch(new URL('live/actor/%2e%2e/metrics.jsonl', server.url))).status).not.toBe(200)
  })

  it('streams the metrics lines so far, then appended ones once complete, then a reset when the file shrinks', async () => {
    const controller = new AbortController()
    const response = await fetch(new URL('live/events', server.url), { signal: controller.signal })
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const decoder = new TextDecoder()
    let received = ''
    const readUntil = async (text: string): Promise<void> => {
      while (!received.includes(text)) {
        const { value, done } = await reader.read()
        if (done) throw new Error(`stream ended before ${text}`)
        received += decoder.decode(value, { stream: true })
      }
    }
    await readUntil('data: {"step":0,"event":"start"}\n\n')
    const metrics = path.join(dir, 'run/metrics.jsonl')
    await fsp.appendFile(metrics, '{"step":200,')
    await new Promise((resolve) => setTimeout(resolve, 100))
    await fsp.appendFile(metrics, '"charts/episodic_return":-1200}\n')
    await readUntil('data: {"step":200,"charts/episodic_return":-1200}\n\n')
    expect(received).not.toContain('data: {"step":200,\n')
    await fsp.writeFile(metrics, '{"step":1}\n')
    await readUntil('event: reset')
    await readUntil('data: {"step":1}\n\n')
    controller.abort()
  })
})
