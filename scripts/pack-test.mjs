#!/usr/bin/env node
// Installs the six published packages the way a user gets them and runs them with plain `node`:
//   1. `npm run build`, then `npm pack` of each package into a temporary folder (outside the workspace);
//   2. checks every tarball: LICENSE, README, repository/homepage/bugs/engines, every `exports` target and every
//      source map's sources inside the tarball (no path to a file that is not shipped);
//   3. installs @polyak/core + @polyak/replay alone into an empty project and measures its node_modules (the
//      replay-only consumer: the bytes of its files asserted ≤ REPLAY_LIMIT_MB, the disk usage printed too);
//   4. installs all six tarballs into another empty project (asserting npm prints no EBADENGINE or other warning than
//      the install-scripts notice the READMEs explain) and runs a script that imports each package and
//      trains TD3 on Pendulum-v1 for 300 steps through the operators (the pipelines README's own pipeline).
// Needs the npm registry for the third-party dependencies; without it, it stops at once and says so.
//
//   node scripts/pack-test.mjs            # the test (npm run pack-test; scripts/pack-test.test.mjs runs it in npm test)
//   node scripts/pack-test.mjs --sizes    # also measure a consumer of each package alone (docs/install-size.md)
//   node scripts/pack-test.mjs --keep     # keep the temporary folder and print its path
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The most a project that installs only @polyak/replay (and so @polyak/core) may hold in node_modules, in MB of
 * files: @tensorflow/tfjs-core (36 MB), rxjs, fp-ts and io-ts, no backend (docs/install-size.md).
 */
export const REPLAY_LIMIT_MB = 60
const PACKAGES = ['core', 'replay', 'noise', 'envs', 'agents', 'pipelines']
const INTERNAL = { core: [], replay: ['core'], noise: ['core'], envs: ['core'], agents: ['core', 'noise'] }
INTERNAL.pipelines = ['core', 'replay', 'noise', 'envs', 'agents']

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = new Set(process.argv.slice(2))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const log = (message) => console.log(`pack-test: ${message}`)

const fail = (message) => {
  console.error(`pack-test: FAILED: ${message}`)
  process.exitCode = 1
  throw new Error(message)
}

const run = (command, argv, options = {}) => {
  const result = spawnSync(command, argv, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options })
  if (result.status !== 0) {
    fail(
      `${command} ${argv.join(' ')} (in ${options.cwd ?? process.cwd()}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`,
    )
  }
  return result.stdout
}

/** Bytes under `dir` (file sizes, as `du --apparent-size`) and bytes allocated on disk (as `du`). */
export const folderSize = (dir) => {
  let apparent = 0
  let allocated = 0
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name)
      const stat = lstatSync(p)
      apparent += stat.size
      allocated += stat.blocks * 512
      if (entry.isDirectory()) walk(p)
    }
  }
  walk(dir)
  return { apparent, allocated }
}

const mb = (bytes) => bytes / 1e6

const checkRegistry = () => {
  const probe = spawnSync(npm, ['view', '@tensorflow/tfjs-core@4.22.0', 'version'], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  if (probe.status !== 0 || probe.stdout.trim() !== '4.22.0') {
    fail(
      'the npm registry is not reachable (`npm view @tensorflow/tfjs-core@4.22.0 version` failed): this test installs ' +
        `the packed tarballs' third-party dependencies from it. Run it where the registry is reachable (CI is).\n` +
        `${probe.stderr ?? ''}${probe.error ?? ''}`,
    )
  }
}

const checkTarball = (name, packed) => {
  const files = new Set(packed.files.map((f) => f.path))
  const manifest = JSON.parse(readFileSync(path.join(root, 'packages', name, 'package.json'), 'utf8'))
  for (const required of ['package.json', 'README.md', 'LICENSE']) {
    if (!files.has(required)) fail(`@polyak/${name}: the tarball has no ${required}`)
  }
  if (
    readFileSync(path.join(root, 'packages', name, 'LICENSE'), 'utf8') !==
    readFileSync(path.join(root, 'LICENSE'), 'utf8')
  )
    fail(`@polyak/${name}: its LICENSE differs from the repository's`)
  for (const field of ['repository', 'homepage', 'bugs', 'engines', 'license']) {
    if (manifest[field] === undefined) fail(`@polyak/${name}: package.json has no ${field}`)
  }
  const targets = (value) =>
    typeof value === 'string' ? [value] : Object.values(value ?? {}).flatMap((v) => targets(v))
  for (const target of targets(manifest.exports)) {
    if (!files.has(path.posix.normalize(target))) fail(`@polyak/${name}: exports names ${target}, not in the tarball`)
  }
  for (const file of files) {
    if (!file.endsWith('.map')) continue
    const map = JSON.parse(readFileSync(path.join(root, 'packages', name, file), 'utf8'))
    for (const source of map.sources) {
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), map.sourceRoot ?? '', source))
      if (!files.has(resolved)) fail(`@polyak/${name}: ${file} points at ${resolved}, not in the tarball`)
    }
  }
  const readme = readFileSync(path.join(root, 'packages', name, 'README.md'), 'utf8')
  for (const [, link] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^(https?:|#|mailto:)/.test(link)) continue
    const local = path.posix.normalize(link.split('#')[0])
    if (!files.has(local) && ![...files].some((f) => f.startsWith(`${local}/`)))
      fail(`@polyak/${name}: README.md links to ${link}, which is not in the tarball (use an absolute link)`)
  }
}

const makeProject = (dir) => {
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: path.basename(dir), private: true, type: 'module' }, null, 2)}\n`,
  )
}

/**
 * npm warnings a user is told about in the READMEs: npm 11's notice that @polyak/core's install step (the native
 * build) is not yet approved (`allowScripts`). Any other warning on installing the six packages fails the test.
 */
const EXPLAINED_WARNINGS = [/^npm warn install-scripts/]

/** The warning lines of an npm install that no README explains. */
export const unexplainedWarnings = (lines) =>
  lines.filter((line) => /^npm warn/i.test(line) && !EXPLAINED_WARNINGS.some((pattern) => pattern.test(line)))

/** Installs the tarballs into a new project; returns the seconds it took and npm's warning lines. */
const install = (dir, tarballs, env = {}) => {
  makeProject(dir)
  const started = Date.now()
  const argv = ['install', ...tarballs, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn']
  const result = spawnSync(npm, argv, { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' })
  if (result.status !== 0)
    fail(`npm ${argv.join(' ')} (in ${dir}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`)
  const warnings = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => /^npm warn/i.test(line))
  return { seconds: (Date.now() - started) / 1000, warnings }
}

const CONSUMER = `// what a user writes: every package by its published name, run with plain node (no source condition)
import { initTrainState, latestActor, td3 } from '@polyak/agents'
import { BACKENDS, formatBackendInfo, makeTransition, Rng, setBackend } from '@polyak/core'
import { makeEnv } from '@polyak/envs'
import { gaussianNoise } from '@polyak/noise'
import { explore, learn, prepareRun, rollout, timeSlicedTicks } from '@polyak/pipelines'
import { makeStorage, remember } from '@polyak/replay'
import { filter, lastValueFrom, map } from 'rxjs'

const info = await setBackend(process.env.POLYAK_BACKEND ?? 'auto')
console.log(formatBackendInfo(info))
if (!BACKENDS.includes(info.name)) throw new Error('unknown backend ' + info.name)
if (typeof gaussianNoise !== 'function' || typeof makeStorage !== 'function' || typeof Rng !== 'object')
  throw new Error('a package export is missing')
makeTransition({ observation: [0], action: [0], reward: 0, nextObservation: [0], terminated: false, truncated: false })
const env = makeEnv('Pendulum-v1')
env.close?.()

const run = prepareRun(td3, { env: 'Pendulum-v1', steps: 300, warmupSteps: 100, batchSize: 32, agent: { hiddenSizes: [16, 16] } })
const { config, networks, keys } = run
const { low, high } = networks.spec
const actor = latestActor(networks)
const updates$ = timeSlicedTicks(0, config.steps).pipe(
  rollout({
    makeEnv: run.makeEnv,
    policy: actor.policy,
    explore: explore({ process: run.noise.process, key: keys.explore, warmupSteps: config.warmupSteps, low, high }),
    seed: config.seed,
  }),
  map((step) => step.transition),
  remember(run.replay.remember),
  learn({
    step: run.learnerStep,
    initial: () => initTrainState(networks, { critics: run.agent.critics }, keys.init),
    key: keys.learn,
    publish: actor.publish,
  }),
  filter((event) => event.kind === 'update'),
)
const last = await lastValueFrom(updates$)
const loss = last.metrics['losses/critic']
if (!Number.isFinite(loss) || last.state.step < 100) throw new Error('no learning: ' + JSON.stringify(last.metrics))
console.log('consumer ok: learner step ' + last.state.step + ', critic loss ' + loss.toFixed(3))
`

const main = () => {
  const started = Date.now()
  checkRegistry()
  const work = mkdtempSync(path.join(tmpdir(), 'polyak-pack-'))
  try {
    log('npm run build')
    run(npm, ['run', 'build', '--silent'], { cwd: root })
    const tarballDir = path.join(work, 'tarballs')
    mkdirSync(tarballDir)
    const tarball = {}
    for (const name of PACKAGES) {
      const out = run(npm, ['pack', '--json', '--pack-destination', tarballDir], {
        cwd: path.join(root, 'packages', name),
      })
      const [packed] = JSON.parse(out.slice(out.indexOf('[')))
      checkTarball(name, packed)
      tarball[name] = path.join(tarballDir, packed.filename)
      log(`packed @polyak/${name}: ${packed.entryCount} files, ${(packed.size / 1e3).toFixed(0)} kB`)
    }
    const closure = (name) => [...INTERNAL[name], name].map((n) => tarball[n])
    const sizes = {}
    const measure = (name) => {
      const dir = path.join(work, `only-${name}`)
      // the size of what is installed; the native build (core's install step) adds ~0.1 MB and is skipped here
      const { seconds } = install(dir, closure(name), { POLYAK_NATIVE: '0' })
      sizes[name] = folderSize(path.join(dir, 'node_modules'))
      log(
        `@polyak/${name} alone: node_modules ${mb(sizes[name].allocated).toFixed(1)} MB on disk ` +
          `(${mb(sizes[name].apparent).toFixed(1)} MB of files), installed in ${seconds.toFixed(0)} s`,
      )
    }
    for (const name of args.has('--sizes') ? PACKAGES : ['replay']) measure(name)
    // the assertion is on the bytes of the files: what is allocated on disk also depends on the file system's block size
    if (mb(sizes.replay.apparent) > REPLAY_LIMIT_MB)
      fail(
        `a project with @polyak/replay alone holds ${mb(sizes.replay.apparent).toFixed(1)} MB > ${REPLAY_LIMIT_MB} MB`,
      )

    const all = path.join(work, 'all')
    const { seconds, warnings } = install(
      all,
      PACKAGES.map((n) => tarball[n]),
      {},
    )
    // a fresh install prints no EBADENGINE (planck is pinned to a release that supports Node 20) and no other
    // warning than the ones the READMEs explain
    const unexplained = unexplainedWarnings(warnings)
    if (unexplained.length > 0)
      fail(`installing the six packages printed warnings no README explains:\n${unexplained.join('\n')}`)
    log(`npm warnings on install: ${warnings.length === 0 ? 'none' : `${warnings.length} lines, all install-scripts`}`)
    const size = folderSize(path.join(all, 'node_modules'))
    log(
      `all six packages: node_modules ${mb(size.allocated).toFixed(1)} MB on disk, installed in ${seconds.toFixed(0)} s`,
    )
    // the consumer trains with polyak's own gradients: the union package, which registers tfjs' gradients, is absent
    for (const absent of ['@tensorflow/tfjs', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-converter']) {
      if (existsSync(path.join(all, 'node_modules', absent))) fail(`installing the six packages brought ${absent}`)
    }
    writeFileSync(path.join(all, 'consumer.mjs'), CONSUMER)
    const output = run(process.execPath, ['consumer.mjs'], { cwd: all })
    process.stdout.write(output)
    if (!/consumer ok/.test(output)) fail('the consumer script did not finish')
    log(`passed in ${((Date.now() - started) / 1000).toFixed(0)} s`)
  } finally {
    if (args.has('--keep')) log(`kept ${work}`)
    else rmSync(work, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main()
  } catch (error) {
    if (process.exitCode !== 1) {
      console.error(error)
      process.exitCode = 1
    }
  }
}
