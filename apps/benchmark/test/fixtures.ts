/**
 * What the benchmark's tests share: a well-formedness check of the SVG it writes, and fake run results.
 */
import type { RunResult } from '../src/runs.js'

/**
 * The problems that make `text` not well-formed XML (empty when it is): unbalanced or crossed tags, text with a raw
 * `<` or an `&` that starts no entity, attributes without quoted values, more than one root element.
 */
export const xmlProblems = (text: string): string[] => {
  const problems: string[] = []
  const stack: string[] = []
  let roots = 0
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y
  const checkText = (chunk: string, at: number) => {
    if (chunk.includes('<')) problems.push(`a raw '<' or a broken tag at ${at}`)
    if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(chunk)) problems.push(`a raw '&' at ${at}`)
    if (stack.length === 0 && chunk.trim() !== '') problems.push(`text outside the root at ${at}`)
  }
  let i = 0
  while (i < text.length) {
    const next = text.indexOf('<', i)
    if (next < 0) {
      checkText(text.slice(i), i)
      break
    }
    checkText(text.slice(i, next), i)
    tag.lastIndex = next
    const match = tag.exec(text)
    if (match === null) {
      problems.push(`a malformed tag at ${next}: ${text.slice(next, next + 40)}`)
      break
    }
    const [whole, closing, name, , selfClosing] = match as unknown as [string, string, string, string, string]
    if (closing === '/') {
      const open = stack.pop()
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}> at ${next}`)
    } else {
      if (stack.length === 0) roots++
      if (selfClosing !== '/') stack.push(name)
    }
    i = next + whole.length
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`)
  if (roots !== 1) problems.push(`${roots} root elements`)
  return problems
}

/** A deterministic stand-in for noise: a linear congruential sequence in [0, 1). */
const sequence = (seed: number) => {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}

/**
 * A finished run whose 10-episode mean crosses from about −1300 to about −150 around step `midpoint` (episodes of
 * 200 steps, up to `steps`).
 */
export const fakeRun = (algo: RunResult['algo'], seed: number, midpoint: number, steps = 20_000): RunResult => {
  const noise = sequence(seed * 7919 + midpoint)
  const returns: Array<[number, number]> = []
  for (let t = 200; t <= steps; t += 200) {
    const learned = 1 / (1 + Math.exp(-(t - midpoint) / 800))
    returns.push([t, -1300 * (1 - learned) - 100 * learned - 100 * noise()])
  }
  return {
    algo,
    seed,
    settings: ['--preset', 'cleanrl', '--algo', algo, '--seed', String(seed)],
    backend: 'native',
    returns,
    evaluations: [
      [steps / 2, -600],
      [steps, -150 - seed],
    ],
    wallClockSeconds: 290 + seed,
    stepsPerSecond: 70 + seed,
    machine: { cpu: 'AMD EPYC', cores: 2 },
    commit: 'abc1234',
    finishedAt: '2026-12-05T10:00:00.000Z',
    jobs: 1,
  }
}
