#!/usr/bin/env node
// Builds polyak's optional native kernels (native/build/polyak_native.node) with the machine's C++ compiler and
// Node's own headers; nothing is downloaded. Run by `npm install` (the package's `install` script, with
// --optional: a machine without a compiler or headers prints why and installs anyway, and the `native` backend is
// then simply unavailable) or by hand: `node native/build.mjs` (exit 1 on failure).
//
// Environment: CXX (compiler, default c++ then g++ then clang++), POLYAK_NATIVE=0 (skip the build),
// POLYAK_NODE_HEADERS (a folder holding node_api.h).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const optional = process.argv.includes('--optional')
const quiet = process.argv.includes('--quiet')
const output = path.join(here, 'build', 'polyak_native.node')

const say = (message) => {
  if (!quiet) console.log(`polyak native: ${message}`)
}

const giveUp = (why) => {
  say(
    `not built (${why}); the wasm backend will be used. Build it later with \`node native/build.mjs\` in @polyak/core.`,
  )
  process.exit(optional ? 0 : 1)
}

if (process.env.POLYAK_NATIVE === '0') giveUp('POLYAK_NATIVE=0')

const headerDirs = [
  process.env.POLYAK_NODE_HEADERS,
  process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'),
  path.join(path.dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
].filter((dir) => typeof dir === 'string' && dir.length > 0)
const headers = headerDirs.find((dir) => existsSync(path.join(dir, 'node_api.h')))
if (headers === undefined) giveUp(`node_api.h not found in ${headerDirs.join(', ')}`)

const works = (command) => {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const compiler = [process.env.CXX, 'c++', 'g++', 'clang++'].find((c) => typeof c === 'string' && c !== '' && works(c))
if (compiler === undefined) giveUp('no C++ compiler (set CXX, or install g++)')

const variants =
  process.arch === 'x64'
    ? [
        ['avx512', ['-mavx512f', '-mavx512vl', '-mavx2', '-mfma']],
        ['avx2', ['-mavx2', '-mfma']],
        ['sse2', []],
      ]
    : [['generic', []]]

// -fno-math-errno: sqrt may not set errno, so Adam's square roots vectorise (the same correctly rounded results)
const common = [
  '-O3',
  '-std=c++17',
  '-fPIC',
  '-fno-exceptions',
  '-fno-rtti',
  '-ffp-contract=fast',
  '-fno-math-errno',
  '-pthread',
]
const work = mkdtempSync(path.join(tmpdir(), 'polyak-native-'))
try {
  const objects = []
  for (const [isa, flags] of variants) {
    // element-wise loops round like separate tfjs ops: no contraction into fused multiply-adds there
    for (const [source, extra] of [
      ['gemm', []],
      ['elementwise', ['-ffp-contract=off']],
    ]) {
      const object = path.join(work, `${source}_${isa}.o`)
      execFileSync(
        compiler,
        [
          ...common,
          ...flags,
          ...extra,
          `-DPOLYAK_ISA=${isa}`,
          '-x',
          'c++',
          '-c',
          path.join(here, `${source}.inc.cc`),
          '-o',
          object,
        ],
        { stdio: quiet ? 'ignore' : 'inherit' },
      )
      objects.push(object)
    }
  }
  mkdirSync(path.dirname(output), { recursive: true })
  const staged = path.join(work, 'polyak_native.node')
  execFileSync(
    compiler,
    [
      ...common,
      '-shared',
      `-I${headers}`,
      '-DNODE_GYP_MODULE_NAME=polyak_native',
      path.join(here, 'polyak_native.cc'),
      ...objects,
      '-o',
      staged,
    ],
    { stdio: quiet ? 'ignore' : 'inherit' },
  )
  // staged in a temporary folder, then renamed into place: a half-written addon is never loaded
  const next = `${output}.${process.pid}.tmp`
  execFileSync('cp', [staged, next])
  renameSync(next, output)
  say(`built ${path.relative(process.cwd(), output)} (${compiler}; ${variants.map(([isa]) => isa).join(', ')})`)
} catch (error) {
  giveUp(error instanceof Error ? error.message.split('\n')[0] : String(error))
} finally {
  rmSync(work, { recursive: true, force: true })
}
