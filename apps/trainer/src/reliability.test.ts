import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { disposeExperimentSnapshot } from '@polyak/pipelines'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runMain, TINY, tempDirs } from '../test/runMain.js'
import { parseArgs } from './cli.js'
import { decodeTrainerConfig } from './config.js'
import { prepareRun } from './main.js'
import { readMetrics } from './metrics.js'
import { repairMetrics } from './metricsRepair.js'
import { resourceProblems } from './resources.js'
import { configForDisk, redactSecrets } from './secrets.js'

const tempDir = tempDirs('polyak-reliability-')
const run = runMain

/** Every file under `dir` with its size, mtime and SHA-256: equal listings mean nothing changed. */
const listing = (dir: string): Record<string, string> => {
  const result: Record<string, string> = {}
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name)
      const stat = statSync(full)
      if (stat.isDirectory()) walk(full)
      else {
        const hash = createHash('sha256').update(readFileSync(full)).digest('hex')
        result[path.relative(dir, full)] = `${stat.size} ${stat.mtimeMs} ${hash}`
      }
    }
  }
  walk(dir)
  return result
}

/** The tiny run, made once: its folder is copied for every damage. */
let tiny: Promise<string> | undefined
const tinyRun = () => {
  tiny ??= (async () => {
    const outDir = tempDir()
    const { code } = await run([...TINY, '--out-dir', outDir, '--run-name', 'tiny'])
    expect(code).toBe(0)
    return path.join(outDir, 'tiny')
  })()
  return tiny
}

const copyOf = (dir: string): string => {
  const copy = path.join(tempDir(), 'run')
  cpSync(dir, copy, { recursive: true })
  return copy
}

/** Damage counts of the last run of the suite, for docs/reliability.md. */
const figures: Record<string, number> = {}

describe('resume: a damaged checkpoint is refused with exit 2, naming the file, and nothing in the run changes', () => {
  it('every file of both checkpoints, truncated, emptied, grown, one byte flipped or 64 bytes of 0xFF', async () => {
    const source = await tinyRun()
    const files = ['learner', 'replay'].flatMap((part) => {
      const root = path.join(source, 'checkpoints', part)
      const step = readdirSync(root).find((name) => name.startsWith('step-')) as string
      return ['model.json', 'weights.bin', 'checksums.json'].map((file) =>
        path.relative(source, path.resolve(root, step, file)),
      )
    })
    const damages: Array<[string, (bytes: Buffer) => Buffer]> = [
      ['truncated', (b) => b.subarray(0, b.length - 1)],
      ['emptied', () => Buffer.alloc(0)],
      ['grown', (b) => Buffer.concat([b, Buffer.from('0')])],
      ['flipped', (b) => Buffer.from(b.map((x, i) => (i === b.length >> 1 ? x ^ 0x10 : x)))],
      ['0xFF', (b) => Buffer.from(b.map((x, i) => (i >= 8 && i < 72 ? 0xff : x)))],
    ]
    let cases = 0
    for (const file of files) {
      for (const [what, damage] of damages) {
        const dir = copyOf(source)
        const target = path.join(dir, file)
        writeFileSync(target, damage(readFileSync(target)))
        const before = listing(dir)
        const { code, err, out } = await run(['--resume', dir, '--steps', '600'])
        expect(code, `${file} ${what}`).toBe(2)
        expect(err.join('\n'), `${file} ${what}`).toContain(path.basename(file))
        expect(err.join('\n'), `${file} ${what}`).toContain(dir)
        expect(out.filter((line) => line.startsWith('step'))).toEqual([])
        expect(listing(dir), `${file} ${what}`).toEqual(before)
        cases += 1
      }
    }
    figures.damagedFiles = cases
    expect(cases).toBe(files.length * damages.length)
  })

  it('edited structure in a checkpoint without checksums (as written before them): names, shapes, counters', async () => {
    const source = await tinyRun()
    const edits: Array<[string, string, string, RegExp]> = [
      ['learner', 'actor/l0/kernel', 'actor/__proto__', /__proto__.*not allowed/],
      ['learner', 'actor/l0/kernel', 'actor/constructor', /constructor.*not allowed/],
      ['learner', '"targetActor/l0/bias"', '"targetActor/l9/bias"', /missing tensor 'targetActor\/l0\/bias'/],
      ['learner', '"learnerStep":', '"learnerStep":-', /learnerStep/],
      ['replay', '"size":200', '"size":999', /size 999 disagrees with stored 200/],
      ['replay', '"position":200', '"position":999', /position 999 disagrees/],
      ['replay', '"stored":200', '"stored":999', /stored 999/],
      ['replay', '"observationSize":3', '"observationSize":4', /observationSize|holds \d+ values/],
    ]
    let cases = 0
    for (const [part, from, to, message] of edits) {
      const dir = copyOf(source)
      const root = path.join(dir, 'checkpoints', part)
      const stepDir = path.join(root, readdirSync(root).find((name) => name.startsWith('step-')) as string)
      const modelJson = path.join(stepDir, 'model.json')
      const text = readFileSync(modelJson, 'utf8')
      expect(text, to).toContain(from)
      writeFileSync(modelJson, text.replace(from, to))
      rmSync(path.join(stepDir, 'checksums.json'))
      const before = listing(dir)
      const { code, err } = await run(['--resume', dir, '--steps', '600'])
      expect(code, to).toBe(2)
      expect(err.join('\n'), to).toMatch(message)
      expect(err.join('\n'), to).toContain(modelJson)
      expect(listing(dir), to).toEqual(before)
      cases += 1
    }
    figures.structuralEdits = cases
  })

  it('a checkpoint without checksums that is sound resumes, with a warning; leftovers of a killed save go', async () => {
    const dir = copyOf(await tinyRun())
    for (const part of ['learner', 'replay']) {
      const root = path.join(dir, 'checkpoints', part)
      const step = readdirSync(root).find((name) => name.startsWith('step-')) as string
      rmSync(path.join(root, step, 'checksums.json'))
    }
    const dead = 2 ** 22 + 777
    writeFileSync(path.join(dir, 'checkpoints', 'learner', `LATEST.tmp-${dead}-3`), '{"step"')
    writeFileSync(path.join(dir, `config.json.tmp-${dead}`), '{')
    const { code, err } = await run(['--resume', dir, '--steps', '400'])
    expect(code).toBe(0)
    expect(err.join('\n')).toMatch(/have no checksums\.json \(written by an older version\)/)
    expect(err.join('\n')).toContain(`LATEST.tmp-${dead}-3, left by an interrupted save`)
    expect(existsSync(path.join(dir, 'checkpoints', 'learner', `LATEST.tmp-${dead}-3`))).toBe(false)
    expect(existsSync(path.join(dir, `config.json.tmp-${dead}`))).toBe(false)
  })
})

describe('metrics.jsonl repair', () => {
  it('resume cuts a damaged metrics.jsonl back to its last good line and says so', async () => {
    const dir = copyOf(await tinyRun())
    const file = path.join(dir, 'metrics.jsonl')
    appendFileSync(file, '{oops\n{"step": 250, "late": true}\n')
    const { code, err } = await run(['--resume', dir, '--steps', '400'])
    expect(code).toBe(0)
    expect(err.join('\n')).toMatch(
      /metrics\.jsonl line \d+ is damaged \(not JSON\); cut the file back .* \(dropped 2\)/,
    )
    const records = readMetrics(file)
    expect(records.some((r) => r.late === true)).toBe(false)
    expect(records.filter((r) => r.event === 'resume')).toHaveLength(1)
  })

  it('repairMetrics keeps a sound file as it is and reports the first bad line', () => {
    const dir = tempDir()
    const file = path.join(dir, 'metrics.jsonl')
    expect(repairMetrics(file)).toEqual({ kept: 0, dropped: 0 })
    writeFileSync(file, '{"step":1}\n{"step":2}\n')
    expect(repairMetrics(file)).toEqual({ kept: 2, dropped: 0 })
    for (const [bad, reason] of [
      ['[1]', 'not a JSON object'],
      ['{"step":-1}', 'no whole step'],
      ['{"st', 'not JSON'],
      ['', 'empty'],
    ] as const) {
      writeFileSync(file, `{"step":1}\n${bad}\n{"step":3}\n`)
      expect(repairMetrics(file)).toEqual({ kept: 1, dropped: 2, firstBad: { line: 2, reason } })
      expect(readFileSync(file, 'utf8')).toBe('{"step":1}\n')
    }
  })
})

describe('string flags', () => {
  it('--run-name, --resume, --out-dir, --env and --config values stay strings as typed', () => {
    expect(
      parseArgs(['--run-name', '2024', '--resume', '42', '--out-dir=true', '--env', '1e3', '--steps', '1e3']),
    ).toEqual({ runName: '2024', resume: '42', outDir: 'true', env: '1e3', steps: 1000 })
    expect(parseArgs(['--run-name=007', '--out-dir', 'null'])).toEqual({ runName: '007', outDir: 'null' })
    expect(decodeTrainerConfig(parseArgs(['--run-name', '2024', '--out-dir', '1'])).runName).toBe('2024')
  })

  it('main takes --run-name 2024 and --out-dir 42 as names', async () => {
    const cwd = tempDir()
    const prepared = await prepareRun(['--run-name', '2024', '--out-dir', '42', ...TINY], { cwd })
    expect([prepared.config.runName, prepared.config.outDir]).toEqual(['2024', '42'])
    expect(readdirSync(cwd)).toEqual([])
  })
})

describe('messages', () => {
  it('--out-dir naming a file says so (exit 2)', async () => {
    const cwd = tempDir()
    writeFileSync(path.join(cwd, 'file'), 'x')
    const { code, err } = await run([...TINY, '--out-dir', 'file'], { cwd })
    expect(code).toBe(2)
    expect(err[0]).toBe(
      'Cannot make the run folder in file: outDir: file is a file, not a folder: pick another --out-dir',
    )
    expect(readdirSync(cwd)).toEqual(['file'])
  })

  it('a warm-up as long as the run is warned about; done counts the steps and lists only what exists', async () => {
    const outDir = tempDir()
    const { code, out, err } = await run([
      ...TINY,
      '--steps',
      '100',
      '--warmup-steps',
      '150',
      '--checkpoint-every',
      '0',
      '--out-dir',
      outDir,
    ])
    expect(code).toBe(0)
    expect(err[0]).toMatch(/^warning: the warm-up \(150 steps\) is as long as the run \(100 steps\)/)
    expect(out).toContainEqual(expect.stringMatching(/^done: 100 steps in /))
    expect(out.join('\n')).not.toContain('checkpoints/')
  })
})

describe('divergence guard', () => {
  it('stops at the first critic loss above --max-critic-loss, naming the step and loss, keeping the last good checkpoint', async () => {
    const outDir = tempDir()
    const { code, err } = await run([
      ...TINY,
      '--steps',
      '1000',
      '--warmup-steps',
      '250',
      '--max-critic-loss',
      '1e-9',
      '--out-dir',
      outDir,
      '--run-name',
      'diverged',
    ])
    const runDir = path.join(outDir, 'diverged')
    expect(code).toBe(1)
    expect(err[0]).toMatch(/^error: the critic loss is \d\.\d\de[+-]\d+ at step 250, above --max-critic-loss 1e-9$/)
    expect(err[1]).toBe(`the last good checkpoint is step 200 in ${path.join(runDir, 'checkpoints')}.`)
    expect(err.join('\n')).toContain('the run diverged')
    expect(JSON.parse(readFileSync(path.join(runDir, 'checkpoints', 'learner', 'LATEST'), 'utf8')).step).toBe(200)
    expect(existsSync(path.join(runDir, 'final'))).toBe(false)
  })

  it('--max-critic-loss must be a number >= 0 (exit 2, nothing written)', async () => {
    const cwd = tempDir()
    for (const bad of ['-1', '"x"', 'Infinity', '[1]']) {
      const { code, err } = await run([...TINY, '--max-critic-loss', bad], { cwd })
      expect(code).toBe(2)
      expect(err[0]).toMatch(/^max-critic-loss: expected a finite number >= 0/)
    }
    expect(readdirSync(cwd)).toEqual([])
  })
})

describe('resource bounds', () => {
  const machine = { totalMemory: 8 * 2 ** 30, cores: 2 }
  const sizes = { observationSize: 3, actionSize: 1 }
  const problems = (flags: Record<string, unknown>) =>
    resourceProblems(decodeTrainerConfig(flags), sizes, machine, 'wasm')

  it('the default job and CleanRL preset fit; hostile sizes are refused naming the field and what fits', () => {
    expect(problems({})).toEqual([])
    expect(problems({ preset: 'cleanrl' })).toEqual([])
    expect(problems({ bufferSize: 1e12 })).toEqual([
      expect.stringMatching(/^bufferSize: 1000000000000 rows of 40 bytes .* at most \d+ rows fit$/),
    ])
    expect(problems({ batchSize: 1e9 })).toEqual([expect.stringMatching(/^batchSize: .* at most \d+ fit in/)])
    expect(problems({ hiddenSizes: [1e9, 1e9] })).toEqual([expect.stringMatching(/^agent\.hiddenSizes: \[1000000000,/)])
    expect(problems({ actors: { kind: 'workers', count: 1000 } })).toEqual([
      'actors.count: 1000 worker threads exceed the bound of 8 (4 per core, 2 cores)',
    ])
    expect(problems({ actors: { kind: 'workers', count: 8 } })).toEqual([])
  })

  it('main refuses them with exit 2 before anything is written', async () => {
    const cwd = tempDir()
    for (const [flag, value] of [
      ['--buffer-size', '1e12'],
      ['--batch-size', '1e9'],
      ['--hidden-sizes', '[1e9,1e9]'],
      ['--actors', '{"kind":"workers","count":1000}'],
    ] as const) {
      const { code, err } = await run([...TINY, flag, value], { cwd })
      expect(code, flag).toBe(2)
      expect(err[0], flag).toMatch(/^Invalid trainer config \(it does not fit this machine\):/)
    }
    expect(readdirSync(cwd)).toEqual([])
  })
})

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

describe('secrets', () => {
  it('config.json never holds the Redis password; messages redact it', () => {
    const config = decodeTrainerConfig({
      actors: { kind: 'redis', url: 'redis://me:hunter2@db:6379/1', password: 'hunter3', count: 1 },
    })
    const disk = JSON.stringify(configForDisk(config))
    expect(disk).not.toContain('hunter')
    expect(disk).toContain('"url":"redis://me@db:6379/1"')
    expect(redactSecrets(config, 'failed at redis://me:hunter2@db:6379/1 with hunter3')).toBe(
      'failed at redis://me:***@db:6379/1 with ***',
    )
  })

  it.skipIf(!existsSync('/usr/bin/redis-server'))(
    'a wrong Redis password is exit 2 with nothing written and no password printed',
    async () => {
      const port = await freePort()
      const server = spawn('redis-server', ['--port', String(port), '--requirepass', 'right-one', '--save', ''], {
        stdio: 'ignore',
      })
      try {
        await new Promise((resolve) => setTimeout(resolve, 300)) // the server's start, not a timed assertion
        const cwd = tempDir()
        const actors = JSON.stringify({
          kind: 'redis',
          url: `redis://127.0.0.1:${port}`,
          password: 'wrong-one',
          count: 1,
          spawn: true,
        })
        const { code, err } = await run([...TINY, '--actors', actors], { cwd })
        expect(code).toBe(2)
        expect(err.join('\n')).toMatch(/^actors: Redis authentication failed/)
        expect(err.join('\n')).not.toContain('wrong-one')
        expect(readdirSync(cwd)).toEqual([])
      } finally {
        server.kill()
      }
    },
  )
})

/** One field and a hostile value for it. */
const FIELDS: Record<string, fc.Arbitrary<unknown>> = {
  steps: fc.oneof(fc.integer({ max: 0 }), fc.double(), fc.string(), fc.constant(1e300)),
  seed: fc.oneof(fc.double({ noInteger: true }), fc.string(), fc.constant(null)),
  warmupSteps: fc.oneof(fc.integer({ max: -1 }), fc.string(), fc.constant([1])),
  batchSize: fc.oneof(fc.integer({ max: 0 }), fc.constant(1e9), fc.constant(1e15), fc.string()),
  bufferSize: fc.oneof(fc.integer({ max: 0 }), fc.constant(1e12), fc.constant(2 ** 53), fc.double({ noInteger: true })),
  hiddenSizes: fc.oneof(
    fc.array(fc.integer({ max: 0 }), { minLength: 1, maxLength: 3 }),
    fc.constant([1e9, 1e9]),
    fc.constant([2 ** 31, 2]),
    fc.string(),
  ),
  actors: fc.oneof(
    fc.record({ kind: fc.constant('workers'), count: fc.integer({ min: 9, max: 100_000 }) }),
    fc.record({ kind: fc.string() }),
    fc.constant({ kind: 'workers', count: -1 }),
  ),
  env: fc.oneof(fc.string(), fc.constant('__proto__'), fc.constant('constructor')),
  runName: fc.oneof(fc.constant('..'), fc.constant('a/b'), fc.constant(''), fc.constant('x\u0000y')),
  criticLearningRate: fc.oneof(fc.double({ max: 0 }), fc.string()),
  logEvery: fc.oneof(fc.integer({ max: 0 }), fc.constant('-2s'), fc.constant('0s')),
  backend: fc.string(),
  agent: fc.oneof(fc.constant('{"__proto__":{"x":1}}'), fc.record({ gama: fc.double() }), fc.constant([1])),
  maxCriticLoss: fc.oneof(fc.double({ max: -1e-9 }), fc.constant('1e8x'), fc.constant(Number.NaN)),
}

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

describe('fuzz: hostile flags and config files', () => {
  it('every refused input is exit 2 (a Refusal) naming the field, and nothing is written', async () => {
    const cwd = tempDir()
    let refused = 0
    let accepted = 0
    const acceptedCases: string[] = []
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...Object.keys(FIELDS))
          .chain((field) => fc.tuple(fc.constant(field), FIELDS[field] as fc.Arbitrary<unknown>, fc.boolean())),
        async ([field, value, viaFile]) => {
          const text = typeof value === 'string' ? value : JSON.stringify(value)
          let argv: string[]
          if (viaFile && field !== 'maxCriticLoss') {
            writeFileSync(path.join(cwd, 'config.json'), JSON.stringify({ [field]: value }))
            const flag = `--${kebab(field)}`
            const rest = TINY.filter((arg, i) => arg !== flag && TINY[i - 1] !== flag)
            argv = [...rest, '--config', 'config.json']
          } else argv = [...TINY, `--${kebab(field)}`, text ?? 'null']
          const before = readdirSync(cwd).sort()
          try {
            const prepared = await prepareRun(argv, { cwd })
            if (prepared.snapshot !== undefined) disposeExperimentSnapshot(prepared.snapshot)
            accepted += 1
            acceptedCases.push(`${field}=${text}`)
          } catch (error) {
            const message = (error as Error).message
            expect(message, `${field}=${text}`).toMatch(
              new RegExp(`(^|[\\s.(-])(${field}|--${kebab(field)}|${kebab(field)})\\b`),
            )
            refused += 1
          }
          expect(readdirSync(cwd).sort()).toEqual(before)
        },
      ),
      { numRuns: 300, seed: 16 },
    )
    figures.fuzzRefused = refused
    figures.fuzzAccepted = accepted
    expect(acceptedCases).toEqual([])
    writeFileSync(path.join(os.tmpdir(), 'polyak-reliability-figures.json'), JSON.stringify(figures))
  })
})
