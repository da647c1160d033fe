/**
 * `npm run serve --workspace @polyak/web -- [--run <runDir>] [--port 5173]`: serves the built page on
 * http://127.0.0.1:<port>/ and, with `--run`, streams that run folder's metrics.jsonl to the page's live view.
 * Relative paths start from the folder the command was run in (npm's INIT_CWD).
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startServer } from './serve.js'

const usage = 'usage: npm run serve --workspace @polyak/web -- [--run runs/<run-folder>] [--port 5173]'

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: { run: { type: 'string' }, port: { type: 'string', default: '5173' }, help: { type: 'boolean' } },
  })
  if (values.help === true) {
    console.log(usage)
    return
  }
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port ${values.port}: not a port\n${usage}`)
  const from = process.env.INIT_CWD ?? process.cwd()
  const runDir = values.run === undefined ? undefined : path.resolve(from, values.run)
  if (runDir !== undefined && !existsSync(runDir)) throw new Error(`--run ${values.run}: no such folder (${runDir})`)
  const root = fileURLToPath(new URL('../../dist', import.meta.url))
  if (!existsSync(path.join(root, 'index.html'))) throw new Error(`${root} has no index.html: run vite build first`)
  const server = await startServer({ root, port, ...(runDir === undefined ? {} : { runDir }) })
  console.log(`serving the page on ${server.url}`)
  if (runDir !== undefined) console.log(`live view of ${runDir}/metrics.jsonl`)
  console.log('Ctrl-C stops')
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void server.close().then(() => process.exit(0)))
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
})
