#!/usr/bin/env node
// `polyak-train`: runs the trainer's TypeScript sources in Node with tsx's loader, resolving the @polyak/* workspace
// packages to their sources (the `@polyak/source` export condition), so the workspace needs no build. Ctrl-C reaches
// the trainer, which stops the run cleanly at the next step; this wrapper waits for it and exits with its code.
// (Node with `--import tsx` rather than the tsx CLI: the CLI force-kills a child that does not answer a signal within
// 30 ms, and a training step can take longer.)
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { constants } from 'node:os'
import { fileURLToPath, pathToFileURL } from 'node:url'

const require = createRequire(import.meta.url)
const tsxLoader = pathToFileURL(require.resolve('tsx')).href
const entry = fileURLToPath(new URL('../src/bin.ts', import.meta.url))
const args = ['--conditions=@polyak/source', '--import', tsxLoader, entry, ...process.argv.slice(2)]
const child = spawn(process.execPath, args, { stdio: 'inherit' })
// the terminal sends Ctrl-C to the trainer too; this process only waits for it
process.on('SIGINT', () => {})
process.on('SIGTERM', () => child.kill('SIGTERM'))
child.on('exit', (code, signal) => {
  process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0)
})
