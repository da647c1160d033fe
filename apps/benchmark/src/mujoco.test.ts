import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { xmlProblems } from '../test/fixtures.js'
import {
  evaluationAt,
  findTrainerRunDir,
  type MujocoMeta,
  mujocoJson,
  mujocoMarkdown,
  mujocoSummary,
  mujocoSvg,
  previousRuns,
  readTrainerRun,
  type TrainerRun,
  withEarlierRuns,
} from './mujoco.js'
import { formatJson } from './report.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = mkdtempSync(path.join(tmpdir(), 'polyak-benchmark-mujoco-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const meta: MujocoMeta = { cpu: 'AMD EPYC Test', cores: 2, date: '2026-12-04', commit: 'abc1234' }

interface FakeRun {
  readonly algo: string
  readonly env: string
  readonly seed: number
  readonly steps: number
  /** The last step the run reached (its episodes end every 1 000 steps up to it). */
  readonly reached: number
  /** `[step, mean return]` of its evaluations. */
  readonly evaluations: ReadonlyArray<readonly [number, number]>
  /** An episode's return from its end step. */
  readonly episodeReturn: (step: number) => number
}

/** The lines of a trainer's metrics.jsonl: start, episodes every 1 000 steps, losses and sps between, evaluations. */
const metricsText = (run: FakeRun): string => {
  const lines: object[] = [{ step: 0, event: 'start', backend: 'native' }]
  for (let step = 1000; step <= run.reached; step += 1000) {
    lines.push({ step: step - 500, learner_step: step, updates: 100, 'losses/critic': 0.4, 'losses/actor': -0.3 })
    lines.push({ step: step - 10, 'charts/sps': 120.5 })
    lines.push({
      step,
      episode: step / 1000 - 1,
      'charts/episodic_return': run.episodeReturn(step),
      'charts/episodic_length': 1000,
    })
    for (const [at, value] of run.evaluations) {
      if (at === step) lines.push({ step, 'eval/mean_return': value, 'eval/returns': [value - 1, value + 1] })
    }
  }
  return lines.map((line) => `${JSON.stringify(line)}\n`).join('')
}

const configOf = (run: FakeRun) => ({
  algo: run.algo,
  env: run.env,
  envOptions: {},
  steps: run.steps,
  seed: run.seed,
  warmupSteps: 10_000,
  batchSize: 256,
  evalEvery: 10_000,
  evalEpisodes: 10,
  checkpointEvery: 50_000,
  preset: 'cleanrl',
  agent: { gamma: 0.99, hiddenSizes: [256, 256], policyDelay: 2 },
})

/** Writes `<parent>/<tag>/<Env>__<algo>__<seed>__1796357250/` and returns the tag folder. */
const writeRun = (parent: string, tag: string, run: FakeRun, edit: (config: object) => object = (c) => c): string => {
  const dir = path.join(parent, tag, `${run.env}__${run.algo}__${run.seed}__1796357250`)
  mkdirSync(path.join(dir, 'checkpoints'), { recursive: true })
  writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(edit(configOf(run)), null, 2)}\n`)
  writeFileSync(path.join(dir, 'metrics.jsonl'), metricsText(run))
  return path.join(parent, tag)
}

// HalfCheetah TD3: seeds 1 and 2 finished 300k steps, seed 3 stopped at 150k. Seed 2 has no evaluation at 100k but
// one at 105k (it counts), and its returns are 100 above seed 1's. Hopper DDPG: one seed, stopped at 120k.
const cheetah = (seed: number, reached: number, evaluations: FakeRun['evaluations'], offset = 0): FakeRun => ({
  algo: 'td3',
  env: 'HalfCheetah-v5',
  seed,
  steps: 300_000,
  reached,
  evaluations,
  episodeReturn: (step) => step / 100 + offset,
})
const td3s1 = cheetah(1, 300_000, [
  [10_000, -1],
  [100_000, 1000],
  [200_000, 2000],
  [300_000, 3000],
])
const td3s2 = cheetah(
  2,
  300_000,
  [
    [10_000, -2],
    [105_000, 1500],
    [200_000, 2500],
    [300_000, 3500],
  ],
  100,
)
const td3s3 = cheetah(3, 150_000, [
  [10_000, -3],
  [100_000, 500],
  [150_000, 900],
])
const ddpgHopper: FakeRun = {
  algo: 'ddpg',
  env: 'Hopper-v5',
  seed: 1,
  steps: 300_000,
  reached: 120_000,
  evaluations: [
    [10_000, 20],
    [100_000, 800.25],
  ],
  episodeReturn: () => 700,
}

const runsDir = path.join(root, 'runs')
const tags = {
  td3s1: writeRun(runsDir, 'td3-HalfCheetah-v5-s1', td3s1),
  td3s2: writeRun(runsDir, 'td3-HalfCheetah-v5-s2', td3s2),
  td3s3: writeRun(runsDir, 'td3-HalfCheetah-v5-s3', td3s3),
  ddpg: writeRun(runsDir, 'ddpg-Hopper-v5-s1', ddpgHopper),
}
const runs: TrainerRun[] = Object.values(tags).map(readTrainerRun)

/** The cells of the first Markdown table row after `section` whose first cells are `first`. */
const row = (md: string, section: string, ...first: string[]): string[] => {
  const found = md
    .slice(md.indexOf(section))
    .split('\n')
    .filter((line) => line.startsWith('| '))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .find((cells) => first.every((cell, i) => cells[i] === cell))
  if (found === undefined) throw new Error(`no row ${first.join(' ')} after ${section}`)
  return found
}

describe('readTrainerRun', () => {
  it('reads a run folder: settings, backend, episodes and evaluations, skipping loss and sps lines', () => {
    const runDir = findTrainerRunDir(tags.td3s1) as string
    expect(path.basename(runDir)).toBe('HalfCheetah-v5__td3__1__1796357250')
    const run = readTrainerRun(runDir)
    expect(run).toMatchObject({
      algo: 'td3',
      env: 'HalfCheetah-v5',
      seed: 1,
      steps: 300_000,
      warmupSteps: 10_000,
      evalEvery: 10_000,
      evalEpisodes: 10,
      preset: 'cleanrl',
      backend: 'native',
      lastStep: 300_000,
      finished: true,
    })
    expect(run.returns).toHaveLength(300)
    expect(run.returns[0]).toEqual([1000, 10])
    expect(run.returns.at(-1)).toEqual([300_000, 3000])
    expect(run.evaluations).toEqual([
      [10_000, -1],
      [100_000, 1000],
      [200_000, 2000],
      [300_000, 3000],
    ])
  })

  it('finds the one run folder inside a tag folder, with the same result', () => {
    expect(readTrainerRun(tags.td3s1)).toEqual(readTrainerRun(findTrainerRunDir(tags.td3s1) as string))
  })

  it('counts a run without an evaluation at its last step as unfinished, and gives the last step it reached', () => {
    const run = readTrainerRun(tags.td3s3)
    expect(run.finished).toBe(false)
    expect(run.lastStep).toBe(150_000)
  })

  it('refuses a tag folder that holds two run folders, naming both', () => {
    const tag = writeRun(path.join(root, 'two'), 'tag', td3s1)
    writeRun(path.join(root, 'two'), 'tag', { ...td3s1, seed: 7 })
    expect(() => readTrainerRun(tag)).toThrow(/holds 2 trainer run folders.*__1__.*__7__/)
  })

  it('says when a folder holds no run', () => {
    const empty = path.join(root, 'empty', 'tag')
    mkdirSync(empty, { recursive: true })
    expect(findTrainerRunDir(empty)).toBeUndefined()
    expect(() => readTrainerRun(empty)).toThrow(/no trainer run folder/)
  })

  it('names config.json and the field when a config field has the wrong type or is missing', () => {
    const bad = writeRun(path.join(root, 'bad-seed'), 'tag', td3s1, (c) => ({ ...c, seed: 'one' }))
    const configFile = path.join(findTrainerRunDir(bad) as string, 'config.json')
    expect(() => readTrainerRun(bad)).toThrow(`${configFile}: field "seed" is "one" (expected a whole number ≥ 0)`)
    const missing = writeRun(
      path.join(root, 'no-env'),
      'tag',
      td3s1,
      ({ env: _env, ...rest }: { env?: unknown }) => rest,
    )
    expect(() => readTrainerRun(missing)).toThrow(/config\.json: field "env" is missing/)
  })

  it('names metrics.jsonl, the line and the field when a metrics field has the wrong type', () => {
    const bad = writeRun(path.join(root, 'bad-eval'), 'tag', td3s1)
    const file = path.join(findTrainerRunDir(bad) as string, 'metrics.jsonl')
    const lines = readFileSync(file, 'utf8').split('\n')
    const at = lines.findIndex((line) => line.includes('eval/mean_return'))
    lines[at] = JSON.stringify({ step: 10_000, 'eval/mean_return': 'high' })
    writeFileSync(file, lines.join('\n'))
    expect(() => readTrainerRun(bad)).toThrow(`${file} line ${at + 1}: field "eval/mean_return" is "high"`)
  })

  it('skips a last line the trainer is still writing, but refuses a broken line before it', () => {
    const partial = writeRun(path.join(root, 'partial'), 'tag', td3s3)
    const file = path.join(findTrainerRunDir(partial) as string, 'metrics.jsonl')
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"step":151000,"charts/episodic_ret`)
    expect(readTrainerRun(partial).returns).toHaveLength(150)
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n{"step":152000}\n`)
    expect(() => readTrainerRun(partial)).toThrow(/metrics\.jsonl line \d+: not JSON/)
  })
})

describe('evaluationAt', () => {
  it('takes the first evaluation at or after the checkpoint, within 10 000 steps', () => {
    const evaluations = [
      [90_000, 1],
      [105_000, 2],
      [106_000, 3],
    ] as const
    expect(evaluationAt(evaluations, 100_000)).toEqual([105_000, 2])
    expect(evaluationAt([[110_000, 4]], 100_000)).toBeUndefined()
    expect(evaluationAt([[100_000, 5]], 100_000)).toEqual([100_000, 5])
  })
})

describe('mujocoSummary', () => {
  const summary = mujocoSummary(runs)
  const cheetahTd3 = summary.groups.find((g) => g.env === 'HalfCheetah-v5' && g.algo === 'td3')
  const hopperDdpg = summary.groups.find((g) => g.env === 'Hopper-v5' && g.algo === 'ddpg')

  it('groups by environment and algorithm, HalfCheetah before Hopper', () => {
    expect(summary.groups.map((g) => `${g.env} ${g.algo}`)).toEqual(['HalfCheetah-v5 td3', 'Hopper-v5 ddpg'])
    expect(cheetahTd3?.seeds).toEqual([1, 2, 3])
  })

  it('gives the evaluation per seed at 100k, 200k and 300k with the mean and range over the seeds that got there', () => {
    const [at100, at200, at300] = cheetahTd3?.checkpoints ?? []
    // 100k: seed 1 1000, seed 2 1500 (at 105k), seed 3 500
    expect(at100?.values).toEqual([
      { seed: 1, step: 100_000, value: 1000 },
      { seed: 2, step: 105_000, value: 1500 },
      { seed: 3, step: 100_000, value: 500 },
    ])
    expect(at100?.spread).toEqual({ n: 3, mean: 1000, min: 500, max: 1500 })
    // 200k and 300k: seed 3 stopped at 150k
    expect(at200?.spread).toEqual({ n: 2, mean: 2250, min: 2000, max: 2500 })
    expect(at300?.spread).toEqual({ n: 2, mean: 3250, min: 3000, max: 3500 })
    expect(hopperDdpg?.checkpoints.map((c) => c.spread?.mean)).toEqual([800.25, undefined, undefined])
  })

  it("gives each run's last-10-episode mean at its end, and their spread over the finished runs only", () => {
    // seed 1: episodes 291k..300k return 2910..3000 → 2955; seed 2: 100 more → 3055; seed 3 (150k): 1455
    expect(cheetahTd3?.runs.map((r) => [r.seed, r.finished, r.lastStep, r.final10])).toEqual([
      [1, true, 300_000, 2955],
      [2, true, 300_000, 3055],
      [3, false, 150_000, 1455],
    ])
    expect(cheetahTd3?.final10).toEqual({ n: 2, mean: 3005, min: 2955, max: 3055 })
    expect(hopperDdpg?.final10).toBeUndefined()
  })

  it('collects the settings the runs were made with', () => {
    expect(summary.settings).toEqual({
      presets: ['cleanrl'],
      steps: [300_000],
      warmupSteps: [10_000],
      evalEvery: [10_000],
      evalEpisodes: [10],
      backends: ['native'],
    })
  })
})

describe('mujocoMarkdown', () => {
  const md = mujocoMarkdown(mujocoSummary(runs), meta)

  it('has a row per environment and algorithm with the evaluations at 100k, 200k, 300k and the final mean', () => {
    expect(row(md, '## Results', 'HalfCheetah-v5', 'TD3')).toEqual([
      'HalfCheetah-v5',
      'TD3',
      '1, 2, 3',
      '1 000 (500–1 500)',
      '2 250 (2 000–2 500), 2 of 3 seeds',
      '3 250 (3 000–3 500), 2 of 3 seeds',
      '3 005 (2 955–3 055), 2 of 3 seeds',
    ])
    expect(row(md, '## Results', 'Hopper-v5', 'DDPG')).toEqual([
      'Hopper-v5',
      'DDPG',
      '1',
      '800',
      '–',
      '–',
      '– (none finished)',
    ])
  })

  it('lists the unfinished runs with the last step they reached', () => {
    expect(md).toContain('Unfinished: HalfCheetah-v5 TD3 seed 3 (at step 150 000 of 300 000); Hopper-v5 DDPG seed 1')
    expect(row(md, '## Every run', 'HalfCheetah-v5', 'TD3', '3')).toEqual([
      'HalfCheetah-v5',
      'TD3',
      '3',
      'no: at step 150 000 of 300 000',
      '500',
      '–',
      '–',
      '1 455',
    ])
  })

  it('states the trainer command, the machine, date and commit', () => {
    expect(md).toContain(
      'npm start -- --preset cleanrl --algo <algo> --env <env> --seed <seed> --steps 300000 --warmup-steps 10000 --checkpoint-every 50000',
    )
    expect(md).toContain('Runs made with commit abc1234; report written 2026-12-04 on AMD EPYC Test (2 cores)')
    expect(md).toContain('10 greedy episodes every 10 000 steps')
  })

  it('says at which steps the finished runs ended when the runs were asked for different steps', () => {
    const short: TrainerRun = { ...(runs[1] as TrainerRun), seed: 4, steps: 100_000 } // seed 2's figures, 100k asked
    const mixed = mujocoMarkdown(mujocoSummary([...runs, short]), meta)
    // (2955 + 3055 + 3055) / 3 = 3021.7
    expect(row(mixed, '## Results', 'HalfCheetah-v5', 'TD3')[6]).toBe(
      '3 022 (2 955–3 055) at 100k and 300k, 3 of 4 seeds',
    )
    expect(mixed).toContain('--steps 100000 or 300000')
  })

  it('gives the published figures and says they are at 1M steps', () => {
    expect(row(md, '## Reference', 'HalfCheetah', 'TD3')).toEqual([
      'HalfCheetah',
      'TD3',
      '9583.22 ± 126.09',
      '9636.95 ± 859.065',
    ])
    expect(row(md, '## Reference', 'Walker2d', 'DDPG')).toEqual(['Walker2d', 'DDPG', '1240.16 ± 390.1', '3098.11'])
    expect(row(md, '## Reference', 'Hopper', 'DDPG')).toEqual(['Hopper', 'DDPG', '1576.78 ± 818.98', '1860.02'])
    expect(md).toContain('These are figures at **1M steps**')
    expect(md).toContain('no source at hand gives figures at 300k steps')
  })
})

describe('mujocoSvg', () => {
  const svg = mujocoSvg(runs)

  it('is well-formed SVG with one panel per environment and one line per run', () => {
    expect(svg.startsWith('<svg')).toBe(true)
    expect(xmlProblems(svg)).toEqual([])
    expect(svg.match(/<g class="panel"/g)).toHaveLength(2)
    expect(svg.match(/<polyline class="run"/g)).toHaveLength(runs.length)
  })

  it('colours the lines by algorithm, dashes the unfinished ones and has a legend entry per algorithm', () => {
    const stroke = (algo: string, seed: number) =>
      new RegExp(`<polyline class="run" data-algo="${algo}" data-seed="${seed}"[^>]*stroke="(#[0-9a-f]+)"`).exec(
        svg,
      )?.[1]
    expect(stroke('td3', 1)).toBeDefined()
    expect(stroke('td3', 1)).toBe(stroke('td3', 3))
    expect(stroke('td3', 1)).not.toBe(stroke('ddpg', 1))
    expect(svg.match(/<polyline class="run"[^>]*stroke-dasharray/g)).toHaveLength(2) // td3 seed 3, ddpg seed 1
    expect(svg).toContain('>TD3 (3 runs)</text>')
    expect(svg).toContain('>DDPG (1 run)</text>')
  })
})

describe('mujocoJson', () => {
  it("holds every run's evaluations and returns, the summary with nulls for what is missing, meta and references", () => {
    const json = JSON.parse(formatJson(mujocoJson(runs, mujocoSummary(runs), meta)))
    expect(json.meta).toEqual(meta)
    expect(json.runs).toHaveLength(4)
    expect(json.runs[3]).toMatchObject({ env: 'Hopper-v5', algo: 'ddpg', finished: false, lastStep: 120_000 })
    expect(json.runs[3].evaluations).toEqual([
      [10_000, 20],
      [100_000, 800.25],
    ])
    expect(json.runs[0].returns).toHaveLength(300)
    expect(json.summary.groups[1].checkpoints[1]).toEqual({ step: 200_000, values: [], spread: null })
    expect(json.summary.groups[1].final10).toBeNull()
    expect(json.references.map((s: { name: string }) => s.name)).toEqual(['CleanRL', 'TD3 paper'])
  })
})

describe('carrying runs over from an earlier report', () => {
  const earlierJson = () => JSON.parse(JSON.stringify(mujocoJson(runs, mujocoSummary(runs), meta)))

  it('reads back every run of a written mujoco.json, with its commit, and summarizes it alike', () => {
    const back = previousRuns(earlierJson())
    expect(back).toHaveLength(runs.length)
    expect(back.every((r) => r.commit === 'abc1234')).toBe(true)
    const strip = (r: TrainerRun) => ({ ...r, commit: undefined, returns: r.returns.length })
    expect(back.map(strip)).toEqual(runs.map((r) => ({ ...strip(r), returns: r.returns.length })))
    expect(mujocoSummary(back).groups.map((g) => g.checkpoints.map((c) => c.spread?.n))).toEqual(
      mujocoSummary(runs).groups.map((g) => g.checkpoints.map((c) => c.spread?.n)),
    )
  })

  it('names the field of a damaged report', () => {
    const damaged = earlierJson()
    damaged.runs[1].seed = 'one'
    expect(() => previousRuns(damaged)).toThrow(/not a mujoco\.json report: .*seed/)
    expect(() => previousRuns({ runs: [] })).toThrow(/meta/)
  })

  it('lets a fresh run replace the earlier one of the same environment, algorithm and seed, and keeps the rest', () => {
    const earlier = previousRuns(earlierJson())
    const fresh = { ...(runs[0] as TrainerRun), lastStep: 1 }
    const all = withEarlierRuns([fresh], earlier)
    expect(all).toHaveLength(runs.length)
    expect(all.filter((r) => r.env === fresh.env && r.algo === fresh.algo && r.seed === fresh.seed)).toEqual([fresh])
  })

  it("names every commit, and each run's in the table of every run, when the runs come from several", () => {
    const earlier = previousRuns(earlierJson()).map((r) => (r.algo === 'ddpg' ? { ...r, commit: '9bb743b' } : r))
    const md = mujocoMarkdown(mujocoSummary(earlier), meta)
    expect(md).toContain('Runs made with commits ')
    expect(md).toMatch(/commits (abc1234, 9bb743b|9bb743b, abc1234)/)
    expect(row(md, '## Every run', '9bb743b')[1]).toBe('Hopper-v5')
    expect(row(md, '## Every run', 'abc1234')[1]).toBe('HalfCheetah-v5')
    const single = mujocoMarkdown(mujocoSummary(runs), meta)
    expect(single).toContain('Runs made with commit abc1234;')
  })
})

describe('mujoco-report (the command)', () => {
  const require = createRequire(import.meta.url)
  const command = (args: string[]) =>
    spawnSync(
      process.execPath,
      [
        '--conditions=@polyak/source',
        '--import',
        pathToFileURL(require.resolve('tsx')).href,
        path.join(here, 'mujocoBin.ts'),
        ...args,
      ],
      { encoding: 'utf8', env: { ...process.env, INIT_CWD: root } },
    )

  it('writes the three files, skipping folders without metrics.jsonl and leaving out unreadable ones', () => {
    const dir = path.join(root, 'cli-runs')
    for (const [name, run] of [
      ['td3-HalfCheetah-v5-s1', td3s1],
      ['ddpg-Hopper-v5-s1', ddpgHopper],
    ] as const) {
      writeRun(dir, name, run)
    }
    // a queued run: its folder made, no metrics.jsonl yet; a tag with nothing in it; a damaged config
    const queued = writeRun(dir, 'td3-Walker2d-v5-s1', { ...td3s1, env: 'Walker2d-v5' })
    rmSync(path.join(findTrainerRunDir(queued) as string, 'metrics.jsonl'))
    mkdirSync(path.join(dir, 'td3-Hopper-v5-s9'))
    writeRun(dir, 'td3-Hopper-v5-s2', { ...ddpgHopper, algo: 'td3', seed: 2 }, (c) => ({ ...c, steps: -1 }))
    writeFileSync(path.join(dir, 'queue.log'), 'not a folder\n')

    const result = command(['--runs', 'cli-runs', '--out', 'cli-out', '--commit', 'fedcba9'])
    expect(result.stdout).toContain('skipping td3-Walker2d-v5-s1: no metrics.jsonl')
    expect(result.stdout).toContain('skipping td3-Hopper-v5-s9: no trainer run folder')
    expect(result.stderr).toMatch(/cannot read td3-Hopper-v5-s2, left out: .*config\.json: field "steps" is -1/)
    expect(result.status).toBe(1)
    const out = path.join(root, 'cli-out')
    for (const name of ['mujoco.md', 'mujoco.json', 'mujoco.svg']) expect(existsSync(path.join(out, name))).toBe(true)
    const md = readFileSync(path.join(out, 'mujoco.md'), 'utf8')
    expect(row(md, '## Results', 'HalfCheetah-v5', 'TD3')[3]).toBe('1 000')
    expect(md).not.toContain('Walker2d-v5')
    expect(md).toContain('Runs made with commit fedcba9;') // --commit names the commit the runs were made with
    expect(JSON.parse(readFileSync(path.join(out, 'mujoco.json'), 'utf8')).runs).toHaveLength(2)
    expect(readdirSync(out).sort()).toEqual(['mujoco.json', 'mujoco.md', 'mujoco.svg']) // no temporary files left
  })

  it('--previous keeps the earlier runs no run folder replaces, with their commits', () => {
    const dir = path.join(root, 'cli-prev-runs')
    writeRun(dir, 'ddpg-Hopper-v5-s1', { ...ddpgHopper, evaluations: [[10_000, 5]] })
    const earlierFile = path.join(root, 'earlier.json')
    writeFileSync(earlierFile, JSON.stringify(mujocoJson(runs, mujocoSummary(runs), { ...meta, commit: '9bb743b' })))
    const result = command([
      '--runs',
      'cli-prev-runs',
      '--out',
      'cli-prev-out',
      '--commit',
      'fedcba9',
      '--previous',
      'earlier.json',
    ])
    expect(result.status).toBe(0)
    expect(result.stdout).toContain(`--previous: ${runs.length - 1} of ${runs.length} earlier runs kept`)
    const json = JSON.parse(readFileSync(path.join(root, 'cli-prev-out', 'mujoco.json'), 'utf8'))
    expect(json.runs).toHaveLength(runs.length)
    const hopper = json.runs.filter((r: { env: string }) => r.env === 'Hopper-v5')
    expect(hopper).toHaveLength(1)
    expect(hopper[0]).toMatchObject({ commit: 'fedcba9', evaluations: [[10_000, 5]] })
    expect(json.runs.filter((r: { commit: string }) => r.commit === '9bb743b')).toHaveLength(runs.length - 1)
    const bad = command(['--runs', 'cli-prev-runs', '--out', 'cli-prev-out', '--previous', 'missing.json'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('--previous:')
  })

  it('refuses a missing --runs with exit code 2', () => {
    const result = command([])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('--runs is required')
  })

  it('refuses a flag without its value, naming it', () => {
    const result = command(['--runs', 'cli-runs', '--commit'])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('--commit needs a commit')
  })
})
