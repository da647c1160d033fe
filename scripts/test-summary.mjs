#!/usr/bin/env node
// Sums the JSON reports that every workspace's vitest run writes (.test-results.json) into one closing line.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const workspaces = ['packages', 'apps'].flatMap((dir) =>
  existsSync(path.join(root, dir)) ? readdirSync(path.join(root, dir)).map((name) => path.join(root, dir, name)) : [],
)
if (process.argv.includes('--clean')) {
  for (const workspace of workspaces) rmSync(path.join(workspace, '.test-results.json'), { force: true })
  process.exit(0)
}
let passed = 0
let failed = 0
let skipped = 0
for (const workspace of workspaces) {
  const file = path.join(workspace, '.test-results.json')
  if (!existsSync(file)) continue
  const report = JSON.parse(readFileSync(file, 'utf8'))
  passed += report.numPassedTests ?? 0
  failed += report.numFailedTests ?? 0
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  console.log(`${path.relative(root, workspace)}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`)
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exitCode = failed > 0 || passed === 0 ? 1 : 0
