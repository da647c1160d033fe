import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { fakeRun, xmlProblems } from '../test/fixtures.js'
import { decodeBenchmarkConfig } from './config.js'
import {
  clock,
  formatJson,
  groupedInt,
  type ReportContext,
  reportJson,
  reportMarkdown,
  reportSvg,
  summarizeAlgo,
  writeReport,
} from './report.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const dir = mkdtempSync(path.join(tmpdir(), 'polyak-benchmark-report-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const context = (flags: Record<string, unknown> = {}): ReportContext => ({
  config: decodeBenchmarkConfig({ seeds: 3, ...flags }),
  command: 'npm run benchmark --',
  date: '2026-12-05',
  commit: 'abc1234',
  machine: { cpu: 'AMD EPYC', cores: 2 },
})

// DDPG learns early, TD3 later, D4PG's seed 3 never within 20 000 steps
const runs = [1, 2, 3].flatMap((seed) => [
  fakeRun('ddpg', seed, 6_000 + 500 * seed),
  fakeRun('td3', seed, 8_000 + 500 * seed),
  fakeRun('d4pg', seed, seed === 3 ? 60_000 : 12_000),
])

/** The cells of the Markdown table row that starts with `first`. */
const row = (md: string, section: string, first: string): string[] => {
  const part = md.slice(md.indexOf(section))
  const line = part.split('\n').find((l) => l.startsWith(`| ${first} `))
  if (line === undefined) throw new Error(`no row ${first} in ${section}`)
  return line
    .split('|')
    .slice(1, -1)
    .map((cell) => cell.trim())
}

/** A number as the report writes it: `−1 234.5` → −1234.5. */
const parse = (text: string): number => Number(text.replace(/−/g, '-').replace(/ /g, ''))

describe('summarizeAlgo', () => {
  it('counts a seed that never reaches −200 as later than any step', () => {
    const d4pg = summarizeAlgo('d4pg', runs)
    expect(d4pg.never).toBe(1)
    expect(d4pg.stepsMedian).toBeDefined() // 2 of 3 reached: the median is the later of those two
    expect(d4pg.stepsMedian).toBe(d4pg.stepsRange?.max)
    const twoNever = summarizeAlgo('d4pg', [...runs.filter((r) => r.algo !== 'd4pg'), fakeRun('d4pg', 1, 9e4)])
    expect(twoNever.stepsMedian).toBeUndefined()
    expect(twoNever.stepsRange).toBeUndefined()
    const td3 = summarizeAlgo('td3', runs)
    expect(td3.never).toBe(0)
    expect(td3.seeds).toEqual([1, 2, 3])
    expect(td3.final10?.n).toBe(3)
    expect(td3.final10?.halfWidth).toBeGreaterThan(0)
    expect(td3.stepsPerSecond).toBe(72)
  })
})

describe('pendulum.md', () => {
  const md = reportMarkdown(runs, context())

  it('has a row per algorithm with its figures, one per run, and the reference', () => {
    for (const name of ['DDPG', 'TD3', 'D4PG']) {
      const [, seeds, steps, never, final, evaluation, wall, sps] = row(md, '## Results', name) as string[]
      expect(seeds).toBe('3')
      expect(steps).toMatch(/^[\d ]+ \([\d ]+–[\d ]+\)$/)
      expect(never).toMatch(/^[01] of 3$/)
      const [mean, ci] = (final as string).split(' ± ').map(parse) as [number, number]
      expect(mean).toBeLessThan(-100)
      expect(ci).toBeGreaterThan(0)
      expect(parse(evaluation as string)).toBeCloseTo(-152, 0)
      expect(wall).toMatch(/^\d+:\d\d$/)
      expect(parse(sps as string)).toBe(72)
    }
    expect(row(md, '## Results', 'D4PG')[3]).toBe('1 of 3')
    const runRows = md
      .slice(md.indexOf('## Every run'), md.indexOf('## Reference'))
      .split('\n')
      .filter((l) => /^\| (DDPG|TD3|D4PG) /.test(l))
    expect(runRows).toHaveLength(9)
    expect(runRows.filter((l) => l.includes('not reached'))).toHaveLength(1)
    expect(row(md, '## Reference', 'TD3')).toEqual(['TD3', 'CleanRL', '1 / 2', '7 799 / 7 399', '−200 / −210'])
    expect(md).toContain('Debian')
    expect(md).toContain('Machine: AMD EPYC, 2 cores')
    expect(md).toContain('Commit: abc1234')
    expect(md).toContain('seeds 1, 2, 3')
    expect(md).toContain('--preset cleanrl --algo <algo> --seed <s> --steps 20000 --warmup-steps 1000')
  })

  it('says when one seed gives no interval', () => {
    const one = reportMarkdown(
      runs.filter((r) => r.seed === 1),
      context({ seeds: 1 }),
    )
    expect(row(one, '## Results', 'TD3')[4]).toMatch(/^−\d+\.\d \(1 seed: no CI\)$/)
  })
})

describe('pendulum.svg', () => {
  it('is well-formed, with a curve and a band per algorithm, the −200 line and CleanRL’s markers', () => {
    const svg = reportSvg(runs, context())
    expect(xmlProblems(svg)).toEqual([])
    expect(svg.match(/<polyline class="curve"/g)).toHaveLength(3)
    expect(svg.match(/<polygon class="band"/g)).toHaveLength(3)
    expect(svg.match(/<line class="threshold"/g)).toHaveLength(1)
    expect(svg.match(/<path class="marker"/g)).toHaveLength(4) // TD3 and DDPG, seeds 1 and 2
    expect(svg).toContain('min–max over seeds')
    expect(svg).toContain('environment step')
    const only = reportSvg(
      runs.filter((r) => r.algo === 'd4pg'),
      context({ algos: 'd4pg' }),
    )
    expect(only.match(/<polyline class="curve"/g)).toHaveLength(1)
    expect(only).not.toContain('class="marker"') // CleanRL has no D4PG
    const short = reportSvg(runs, context({ steps: 5_000 }))
    expect(short).not.toContain('class="marker"') // CleanRL reached −200 after 5 000 steps only
  })

  it('checks itself: the well-formedness check finds broken SVG', () => {
    expect(xmlProblems('<svg><g></svg>')).not.toEqual([])
    expect(xmlProblems('<svg><text>a < b</text></svg>')).not.toEqual([])
    expect(xmlProblems('<svg><text>a & b</text></svg>')).not.toEqual([])
    expect(xmlProblems('<svg/><svg/>')).not.toEqual([])
    expect(xmlProblems('<svg x=1/>')).not.toEqual([])
    expect(xmlProblems('<svg a="1"><t>x &amp; y</t></svg>')).toEqual([])
  })
})

describe('pendulum.json', () => {
  it('holds every run with its returns, timing, machine and commit, laid out as biome formats it', () => {
    const files = writeReport(dir, runs, context())
    const text = readFileSync(files.json, 'utf8')
    const json = JSON.parse(text)
    expect(json.runs).toHaveLength(9)
    expect(json.runs[0]).toMatchObject({ algo: 'ddpg', seed: 1, machine: { cpu: 'AMD EPYC', cores: 2 } })
    expect(json.runs[0].returns).toHaveLength(100)
    expect(json.runs[0].returns[0][0]).toBe(200)
    expect(json.summary.d4pg.stepsToThreshold.neverReached).toBe(1)
    expect(json).toMatchObject({ commit: 'abc1234', date: '2026-12-05', settings: { steps: 20_000 } })
    expect(reportJson(runs, context()).reference.cleanrl.runs).toHaveLength(4)
    const biome = path.join(root, 'node_modules', '.bin', 'biome')
    const formatted = execFileSync(biome, ['format', '--stdin-file-path=docs/results/pendulum.json'], {
      cwd: root,
      input: text,
      encoding: 'utf8',
    })
    expect(formatted).toBe(text)
  })

  it('formatJson round-trips any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(formatJson(value))).toEqual(JSON.parse(JSON.stringify(value)))
      }),
    )
  })
})

describe('number formats', () => {
  it('group thousands and write clocks', () => {
    expect(groupedInt(20_000)).toBe('20 000')
    expect(groupedInt(999)).toBe('999')
    expect(groupedInt(-1_234_567)).toBe('−1 234 567')
    expect(clock(297)).toBe('4:57')
    expect(clock(3_725)).toBe('1:02:05')
  })
})
