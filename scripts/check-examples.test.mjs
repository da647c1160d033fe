// Proves that scripts/check-examples.mjs catches broken examples: it runs the checker on the fixtures in
// scripts/fixtures/examples/ (README blocks and TSDoc @examples, some deliberately wrong) and checks what it reports.
// Run with `node --test scripts/check-examples.test.mjs`.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { test } from 'node:test'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const readme = 'scripts/fixtures/examples/README.md'
const module = 'scripts/fixtures/examples/broken.ts'

const run = spawnSync(process.execPath, ['scripts/check-examples.mjs', '--list', readme, module], {
  cwd: root,
  encoding: 'utf8',
})
const output = `${run.stdout}${run.stderr}`
const reported = (line) => output.split('\n').filter((l) => l.startsWith(`${line}:`))

test('the checker exits non-zero and sums up what it checked', () => {
  assert.equal(run.status, 1, output)
  assert.match(output, /^examples: 8 blocks in 2 files checked, 6 failed/m)
})

test('a renamed API in an import is reported at its line', () => {
  assert.match(reported(`${readme}:17`).join('\n'), /TS2724: .*'polyakUpdat'.*Did you mean 'polyakUpdate'/)
})

test('a misspelt option on a typed value is reported, in a fragment whose API names are imported for it', () => {
  assert.match(reported(`${readme}:25`).join('\n'), /TS2561: .*'learningRat'/)
  assert.match(output, new RegExp(`${readme}:25 FAIL \\(declared any: params, grads, state\\)`))
})

test('a program that uses a namespace it did not import is reported', () => {
  assert.match(reported(`${readme}:35`).join('\n'), /'tf' is used but not imported/)
})

test('a syntax error is reported', () => {
  assert.match(reported(`${readme}:41`).join('\n'), /TS1005/)
})

test('TSDoc examples: a wrong argument type and a misspelt API of the module are reported', () => {
  assert.match(reported(`${module}:17`).join('\n'), /TS2345: Argument of type 'string'/)
  assert.match(reported(`${module}:27`).join('\n'), /'sumValue' is not defined; did you mean 'sumValues'\?/)
})

test('correct examples pass: a whole program, and a fragment using its module and its context', () => {
  assert.match(output, new RegExp(`^${readme}:8 ok$`, 'm'))
  assert.match(output, new RegExp(`^${module}:6 ok \\(declared any: values\\)$`, 'm'))
  assert.deepEqual(reported(`${readme}:8`), [])
  assert.deepEqual(reported(`${module}:6`), [])
})
