/**
 * A real `redis-server` on 127.0.0.1 for tests: a free port, a temp dir for its append-only file (fsync on every
 * write), a password, and stop/start on the same port and dir to simulate a restart.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The `redis-server` binary on PATH, or undefined (then the Redis tests skip). */
export const redisServerBinary = (): string | undefined => {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = new Socket()
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.connect(port, '127.0.0.1')
  })

export interface RedisTestServer {
  readonly port: number
  readonly password: string
  readonly url: string
  readonly dir: string
  /** Kills the server (SIGKILL: no shutdown save; the AOF was fsynced on every write). */
  readonly kill: () => Promise<void>
  /** Starts it again on the same port and dir (it loads the AOF). */
  readonly start: () => Promise<void>
  /** Stops it and removes its dir. */
  readonly stop: () => Promise<void>
}

export const startRedisServer = async (binary: string): Promise<RedisTestServer> => {
  const port = await freePort()
  const password = `test-${Math.random().toString(36).slice(2)}`
  const dir = mkdtempSync(join(tmpdir(), 'polyak-redis-'))
  let process_: ChildProcess | undefined
  let output = ''
  const start = async (): Promise<void> => {
    const child = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--requirepass',
        password,
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child.stdout?.on('data', (data: Buffer) => {
      output = (output + data.toString()).slice(-4_000)
    })
    process_ = child
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`)
      if (await accepts(port)) return
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    throw new Error(`redis-server did not listen on ${port}: ${output}`)
  }
  const kill = async (): Promise<void> => {
    const child = process_
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }
  await start()
  return {
    port,
    password,
    url: `redis://127.0.0.1:${port}`,
    dir,
    kill,
    start,
    stop: async () => {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
