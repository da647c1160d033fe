import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'

const root = new URL('../', import.meta.url)

describe('the README’s own pipeline', () => {
  it('is the example file, verbatim', async () => {
    const readme = await readFile(new URL('README.md', root), 'utf8')
    const example = await readFile(new URL('examples/td3Pipeline.ts', root), 'utf8')
    const section = readme.slice(readme.indexOf('## Your own pipeline'))
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
    expect(block).toBe(example)
  })

  it('runs: one learner step per env step after the warm-up, with finite losses', { timeout: 300_000 }, async () => {
    const { last } = await import('../examples/td3Pipeline.js')
    expect(last.kind).toBe('update')
    expect(last.state.step).toBe(2_000 - 500)
    expect(Number.isFinite(last.metrics['losses/critic'])).toBe(true)
    expect(Number.isFinite(last.metrics['losses/actor'])).toBe(true)
  })
})
