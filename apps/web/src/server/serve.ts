/**
 * A tiny localhost server: the built page (`dist/`) as static files and, when given a run folder, that run's
 * `metrics.jsonl` as Server-Sent Events (`/live/events`: every line so far, then each new line as the trainer
 * appends it; a `reset` event when the file shrinks, e.g. a resumed run cut it back), `/live/run.json`, and the run's
 * latest actor (`<run>/actor/`, which the trainer replaces at every checkpoint) under `/live/actor/`.
 * It listens on 127.0.0.1 only and serves nothing outside its root.
 *
 * @module serve
 */
import { createReadStream, type Stats } from 'node:fs'
import * as fsp from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.md': 'text/markdown; charset=utf-8',
}

/** What {@link startServer} needs. */
export interface ServeOptions {
  /** The folder of static files (the page's `dist/`). */
  readonly root: string
  /** A trainer run folder whose `metrics.jsonl` the live view streams; none: no live view. */
  readonly runDir?: string
  /** Port; 0 picks a free one. */
  readonly port: number
  /** How often the metrics file is polled for new lines, in ms (default 250). */
  readonly pollMs?: number
}

/** A running server. */
export interface RunningServer {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string
  /** Stops listening and ends the open event streams. */
  readonly close: () => Promise<void>
}

const send = (response: ServerResponse, code: number, text: string): void => {
  response.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' })
  response.end(text)
}

const serveFile = async (root: string, urlPath: string, response: ServerResponse): Promise<void> => {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return send(response, 400, 'bad path')
  }
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`)
  if (file !== root && !file.startsWith(`${root}${path.sep}`)) return send(response, 403, 'forbidden')
  let target = file
  let stats: Stats
  try {
    stats = await fsp.stat(target)
    if (stats.isDirectory()) {
      target = path.join(target, 'index.html')
      stats = await fsp.stat(target)
    }
  } catch {
    return send(response, 404, 'not found')
  }
  response.writeHead(200, {
    'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream',
    'content-length': stats.size,
    'cache-control': 'no-cache',
  })
  createReadStream(target).pipe(response)
}

/**
 * Streams `file`'s complete lines to `response` as SSE `message` events, from the start and then as they are
 * appended (polling every `pollMs`); returns the function that stops.
 */
const streamLines = (file: string, response: ServerResponse, pollMs: number): (() => void) => {
  let offset = 0
  let partial = ''
  let busy = false
  let stopped = false
  const poll = async (): Promise<void> => {
    if (busy || stopped) return
    busy = true
    try {
      const size = await fsp.stat(file).then(
        (s) => s.size,
        () => 0,
      )
      if (size < offset) {
        offset = 0
        partial = ''
        response.write('event: reset\ndata: {}\n\n')
      }
      if (size > offset) {
        const handle = await fsp.open(file, 'r')
        try {
          const buffer = Buffer.alloc(size - offset)
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset)
          offset += bytesRead
          const text = partial + buffer.subarray(0, bytesRead).toString('utf8')
          const lines = text.split('\n')
          partial = lines.pop() ?? ''
          for (const line of lines) if (line.trim() !== '') response.write(`data: ${line.trim()}\n\n`)
        } finally {
          await handle.close()
        }
      }
    } finally {
      busy = false
    }
  }
  const timer = setInterval(() => void poll(), pollMs)
  void poll()
  return () => {
    stopped = true
    clearInterval(timer)
  }
}

/**
 * Starts the server on 127.0.0.1.
 *
 * @example
 * ```ts
 * const server = await startServer({ root: 'apps/web/dist', runDir: 'runs/Pendulum-v1__td3__1__1764000000', port: 5173 })
 * console.log(server.url)
 * await server.close()
 * ```
 */
export const startServer = async (options: ServeOptions): Promise<RunningServer> => {
  const root = path.resolve(options.root)
  const runDir = options.runDir === undefined ? undefined : path.resolve(options.runDir)
  const pollMs = options.pollMs ?? 250
  const streams = new Set<() => void>()
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const urlPath = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'method not allowed')
      return
    }
    if (urlPath === '/live/run.json') {
      if (runDir === undefined) {
        send(response, 404, 'no run folder given (--run)')
        return
      }
      response.writeHead(200, { 'content-type': TYPES['.json'] ?? '', 'cache-control': 'no-cache' })
      response.end(
        JSON.stringify({ run: runDir, metrics: path.join(runDir, 'metrics.jsonl'), actor: 'live/actor/model.json' }),
      )
      return
    }
    if (urlPath.startsWith('/live/actor/')) {
      // the run's latest actor (the trainer replaces <run>/actor/ at every checkpoint)
      if (runDir === undefined) {
        send(response, 404, 'no run folder given (--run)')
        return
      }
      void serveFile(path.join(runDir, 'actor'), urlPath.slice('/live/actor'.length), response).catch(() => {
        if (!response.headersSent) send(response, 500, 'server error')
        else response.destroy()
      })
      return
    }
    if (urlPath === '/live/events') {
      if (runDir === undefined) {
        send(response, 404, 'no run folder given (--run)')
        return
      }
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      })
      response.write('retry: 1000\n\n')
      const stop = streamLines(path.join(runDir, 'metrics.jsonl'), response, pollMs)
      const end = (): void => {
        stop()
        streams.delete(end)
        response.end()
      }
      streams.add(end)
      request.on('close', end)
      return
    }
    void serveFile(root, urlPath, response).catch(() => {
      if (!response.headersSent) send(response, 500, 'server error')
      else response.destroy()
    })
  }
  const server = createServer(handle)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      for (const end of [...streams]) end()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
