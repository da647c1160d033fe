import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { xmlProblems } from '../test/fixtures.js'
import { main } from './main.js'
import { readRunState } from './runs.js'

const dir = mkdtempSync(path.join(tmpdir(), 'polyak-benchmark-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** `main` in the temporary folder, its output collected. */
const run = async (argv: readonly string[]) => {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, {
    cwd: dir,
    log: (line) => out.push(line),
    error: (line) => err.push(line),
    commit: 'test123',
    now: () => new Date('2026-12-05T12:00:00Z'),
  })
  return { code, out, err }
}

/** The quick benchmark with one seed: three trainer runs of 1 500 steps. */
const QUICK = ['--quick', '--seeds', '1', '--runs-dir', 'runs', '--out', 'results']
const ALGOS = ['ddpg', 'td3', 'd4pg'] as const
const resultFile = (algo: string) => path.join(dir, 'runs', `${algo}-seed1`, 'result.json')

describe('npm run benchmark -- --quick (1 seed, the real trainer)', () => {
  it('runs DDPG, TD3 and D4PG and writes pendulum.md, pendulum.svg and pendulum.json', async () => {
    const { code, out, err } = await run(QUICK)
    expect(err).toEqual([])
    expect(code).toBe(0)
    expect(out.filter((line) => line.startsWith('[start]'))).toHaveLength(3)
    expect(out.filter((line) => line.startsWith('[done]'))).toHaveLength(3)
    expect(out).toContain('3/3 runs done')
    for (const line of out.filter((l) => l.startsWith('[done]'))) {
      expect(line).toMatch(
        /^\[done\] \w+ seed 1: \d+:\d\d wall clock, \d+ steps\/s, steps to −200: (not reached|[\d ]+)/,
      )
    }

    // the md: a row per algorithm with parsable figures
    const md = readFileSync(path.join(dir, 'results', 'pendulum.md'), 'utf8')
    for (const name of ['DDPG', 'TD3', 'D4PG']) {
      const line = md.split('\n').find((l) => l.startsWith(`| ${name} `))
      const cells = line?.split('|').map((cell) => cell.trim()) ?? []
      expect(cells[2], name).toBe('1') // seeds
      expect(cells[3]).toMatch(/^(not reached|[\d ]+ \([\d ]+–[\d ]+\))$/)
      expect(cells[4]).toMatch(/^[01] of 1$/)
      const final = Number(cells[5]?.replace('−', '-').replace(/ \(1 seed: no CI\)$/, ''))
      expect(final).toBeLessThan(0) // a mean return of Pendulum: negative
      expect(final).toBeGreaterThan(-2000)
      expect(cells[7]).toMatch(/^\d+:\d\d$/)
      expect(Number(cells[8])).toBeGreaterThan(0)
    }
    expect(md).toContain('--steps 1500 --warmup-steps 300')
    expect(md).toContain('Commit: test123')

    // the svg: well-formed, one curve per algorithm
    const svg = readFileSync(path.join(dir, 'results', 'pendulum.svg'), 'utf8')
    expect(xmlProblems(svg)).toEqual([])
    expect(svg.match(/<polyline class="curve"/g)).toHaveLength(3)

    // the json: every run with its returns (an episode every 200 steps), evaluations and timing
    const json = JSON.parse(readFileSync(path.join(dir, 'results', 'pendulum.json'), 'utf8'))
    expect(json.runs.map((r: { algo: string }) => r.algo)).toEqual([...ALGOS])
    for (const r of json.runs) {
      expect(r.returns.map(([step]: [number]) => step)).toEqual([200, 400, 600, 800, 1000, 1200, 1400])
      expect(r.evaluations.at(-1)[0]).toBe(1500)
      expect(r.stepsPerSecond).toBeGreaterThan(0)
      expect(r.wallClockSeconds).toBeGreaterThan(0)
      expect(['native', 'wasm', 'cpu', 'tensorflow']).toContain(r.backend)
      expect(r.machine.cores).toBeGreaterThan(0)
      expect(r.commit).toBe('test123')
    }
    expect(json.date).toBe('2026-12-05')

    // the run folders keep the trainer's metrics and actor, not its 40 MB end state
    const trainer = path.join(dir, 'runs', 'td3-seed1', 'trainer')
    expect(readdirSync(trainer).sort()).toEqual(['actor', 'config.json', 'metrics.jsonl', 'returns.svg'])
  }, 240_000)

  it('a second invocation keeps the finished runs and only writes the report again', async () => {
    const before = ALGOS.map((algo) => statSync(resultFile(algo)).mtimeMs)
    const { code, out } = await run(QUICK)
    expect(code).toBe(0)
    expect(out.filter((line) => line.startsWith('[start]'))).toEqual([])
    expect(out.filter((line) => line.includes('finished before, kept'))).toHaveLength(3)
    expect(out).toContain('3/3 runs done, 0 to run')
    expect(ALGOS.map((algo) => statSync(resultFile(algo)).mtimeMs)).toEqual(before)
  })

  it('starts an unfinished run folder again from scratch, and only that one', async () => {
    const td3 = path.dirname(resultFile('td3'))
    rmSync(resultFile('td3')) // as if the run had been interrupted before it finished
    writeFileSync(path.join(td3, 'leftover'), 'from the interrupted run')
    const before = statSync(resultFile('ddpg')).mtimeMs
    const { code, out } = await run(QUICK)
    expect(code).toBe(0)
    expect(out.filter((line) => line.startsWith('[start]'))).toEqual([`[start] td3 seed 1 (runs/td3-seed1)`])
    expect(out.some((line) => line.startsWith('td3 seed 1: removing the unfinished run folder'))).toBe(true)
    expect(existsSync(path.join(td3, 'leftover'))).toBe(false)
    expect(readRunState(td3).kind).toBe('finished')
    expect(statSync(resultFile('ddpg')).mtimeMs).toBe(before)
  }, 120_000)

  it('refuses runs made with other settings, before starting anything', async () => {
    const { code, out, err } = await run([...QUICK, '--steps', '1600'])
    expect(code).toBe(2)
    expect(err[0]).toMatch(/^runs\/ddpg-seed1 holds a finished run of .*--steps 1500/)
    expect(err.at(-1)).toMatch(/--steps 1600 .*use another --runs-dir, or remove those folders$/)
    expect(out).toEqual([])
  })
})

describe('npm run benchmark: bad flags', () => {
  it('exit with 2 and a message naming the flag, making nothing', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'polyak-benchmark-flags-'))
    try {
      const out: string[] = []
      const err: string[] = []
      const code = await main(['--algos', 'td3,sac', '--out', 'x'], {
        cwd: empty,
        log: (line) => out.push(line),
        error: (line) => err.push(line),
      })
      expect(code).toBe(2)
      expect(err.join('\n')).toMatch(/--algos: expected a comma-separated list of ddpg, td3, d4pg, got "sac"/)
      expect(readdirSync(empty)).toEqual([])
      const help: string[] = []
      expect(await main(['--help'], { log: (line) => help.push(line) })).toBe(0)
      expect(help.join('\n')).toContain('--seed-list')
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })
})
