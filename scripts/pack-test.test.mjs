// Runs scripts/pack-test.mjs (build, npm pack of the six packages, install into empty projects outside the
// workspace, a consumer script on plain node) as part of `npm test`. Needs the npm registry.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { unexplainedWarnings } from './pack-test.mjs'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')

test('the packed packages install outside the workspace and train with plain node', { timeout: 900_000 }, () => {
  const run = spawnSync(process.execPath, ['scripts/pack-test.mjs'], { cwd: root, encoding: 'utf8' })
  const output = `${run.stdout}${run.stderr}`
  process.stdout.write(output)
  assert.equal(run.status, 0, output)
  assert.match(output, /consumer ok: learner step \d+/)
})

test('an EBADENGINE or any other unexplained npm warning fails the install check', () => {
  const lines = [
    'npm warn install-scripts 1 package has install scripts not yet covered by allowScripts:',
    'npm warn install-scripts   @polyak/core@0.0.0 (install: node native/build.mjs --optional)',
    "npm warn EBADENGINE Unsupported engine { package: 'planck@1.5.0', required: { node: '>=24.0' } }",
    'npm warn deprecated some-package@1.0.0: use another',
    'added 120 packages in 9s',
  ]
  assert.deepEqual(unexplainedWarnings(lines), [lines[2], lines[3]])
})
