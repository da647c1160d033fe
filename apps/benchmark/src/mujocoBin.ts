/**
 * `npm run mujoco-report --workspace @polyak/benchmark -- --runs <dir> [--out <dir>] [--commit <rev>] [--previous <json>]`:
 * reads every trainer run under
 * `--runs` (one subfolder per run tag, e.g. `td3-HalfCheetah-v5-s1/`, each holding one trainer run folder), skipping
 * folders without a `metrics.jsonl` (saying so), and writes `mujoco.md`, `mujoco.json` and `mujoco.svg` into `--out`
 * (default `docs/results`), each through a temporary file and a rename. `--previous` carries over the runs of an
 * earlier report's `mujoco.json` (with the commits they were made with) that no run folder replaces: long runs made
 * in earlier sessions stay in the report after their folders are gone. Relative paths start from the folder the
 * command was run in. Exit codes: 0 written, 1 a run folder could not be read (the report is written without it) or
 * there was no run at all (nothing written), 2 a bad flag.
 *
 * @module mujocoBin
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import {
  findTrainerRunDir,
  mujocoJson,
  mujocoMarkdown,
  mujocoSummary,
  mujocoSvg,
  previousRuns,
  readTrainerRun,
  type TrainerRun,
  withEarlierRuns,
} from './mujoco.js'
import { formatJson, writeAtomically } from './report.js'
import { gitCommit, thisMachine } from './runs.js'

const USAGE =
  'usage: npm run mujoco-report --workspace @polyak/benchmark -- --runs <dir> [--out <dir>] [--commit <rev>] [--previous <json>]\n' +
  '  --runs  a folder with one subfolder per run (each holding one trainer run folder)\n' +
  '  --out   where mujoco.md, mujoco.json and mujoco.svg go (default docs/results)\n' +
  "  --commit the commit the runs were made with (default: this checkout's)\n" +
  '  --previous an earlier mujoco.json whose runs are kept where no run folder replaces them (same env, algo, seed)'

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** `--runs` and `--out` from the arguments, or a message saying what is wrong. */
const parseFlags = (
  argv: readonly string[],
): { runs: string; out: string; commit?: string; previous?: string } | string => {
  let runs: string | undefined
  let out = 'docs/results'
  let commit: string | undefined
  let previous: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[i + 1]
    if (flag !== '--runs' && flag !== '--out' && flag !== '--commit' && flag !== '--previous')
      return `unknown argument ${JSON.stringify(flag)}`
    if (value === undefined || value.startsWith('--'))
      return `${flag} needs ${flag === '--commit' ? 'a commit' : flag === '--previous' ? 'a file' : 'a folder'}`
    if (flag === '--runs') runs = value
    else if (flag === '--commit') commit = value
    else if (flag === '--previous') previous = value
    else out = value
    i++
  }
  return runs === undefined
    ? '--runs is required'
    : { runs, out, ...(commit !== undefined && { commit }), ...(previous !== undefined && { previous }) }
}

const main = (argv: readonly string[]): number => {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE)
    return 0
  }
  const flags = parseFlags(argv)
  if (typeof flags === 'string') {
    console.error(`${flags}\n${USAGE}`)
    return 2
  }
  const cwd = process.env.INIT_CWD ?? process.cwd()
  const runsDir = path.resolve(cwd, flags.runs)
  const outDir = path.resolve(cwd, flags.out)
  if (!(statSync(runsDir, { throwIfNoEntry: false })?.isDirectory() ?? false)) {
    console.error(`--runs: ${runsDir} is not a folder`)
    return 2
  }

  const runs: TrainerRun[] = []
  let failed = 0
  for (const name of readdirSync(runsDir).sort()) {
    const dir = path.join(runsDir, name)
    if (!(statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false)) continue
    try {
      const runDir = findTrainerRunDir(dir)
      if (runDir === undefined) {
        console.log(`skipping ${name}: no trainer run folder in it`)
        continue
      }
      if (!(statSync(path.join(runDir, 'metrics.jsonl'), { throwIfNoEntry: false })?.isFile() ?? false)) {
        console.log(`skipping ${name}: no metrics.jsonl (not started yet?)`)
        continue
      }
      const run = readTrainerRun(runDir)
      runs.push(run)
      console.log(
        `${name}: ${run.env} ${run.algo} seed ${run.seed}, ${run.finished ? 'finished' : `at step ${run.lastStep} of ${run.steps}`}, ` +
          `${run.evaluations.length} evaluation${run.evaluations.length === 1 ? '' : 's'}`,
      )
    } catch (error) {
      failed++
      console.error(`cannot read ${name}, left out: ${messageOf(error)}`)
    }
  }
  let earlier: TrainerRun[] = []
  if (flags.previous !== undefined) {
    const file = path.resolve(cwd, flags.previous)
    try {
      earlier = previousRuns(JSON.parse(readFileSync(file, 'utf8')))
    } catch (error) {
      console.error(`--previous: ${file}: ${messageOf(error)}; nothing written`)
      return 2
    }
    const kept = withEarlierRuns(runs, earlier).slice(runs.length)
    console.log(`--previous: ${kept.length} of ${earlier.length} earlier run${earlier.length === 1 ? '' : 's'} kept`)
  }
  const all = withEarlierRuns(runs, earlier)
  if (all.length === 0) {
    console.error(`no run to report in ${runsDir}; nothing written`)
    return 1
  }

  const machine = thisMachine()
  const meta = {
    cpu: machine.cpu,
    cores: machine.cores,
    date: new Date().toISOString().slice(0, 10),
    commit: flags.commit ?? gitCommit(),
  }
  const summary = mujocoSummary(all)
  mkdirSync(outDir, { recursive: true })
  const files = {
    md: path.join(outDir, 'mujoco.md'),
    json: path.join(outDir, 'mujoco.json'),
    svg: path.join(outDir, 'mujoco.svg'),
  }
  writeAtomically(files.json, formatJson(mujocoJson(all, summary, meta)))
  writeAtomically(files.svg, mujocoSvg(all))
  writeAtomically(files.md, mujocoMarkdown(summary, meta))
  console.log(`${all.length} run${all.length === 1 ? '' : 's'}: wrote ${files.md}, ${files.json} and ${files.svg}`)
  if (failed > 0) console.error(`${failed} run folder${failed === 1 ? '' : 's'} could not be read (above)`)
  return failed > 0 ? 1 : 0
}

process.exitCode = main(process.argv.slice(2))
