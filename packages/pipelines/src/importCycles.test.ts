/**
 * No import cycles among the modules of `packages/*\/src` (relative imports, type-only ones included: a cycle of
 * types is still two modules that cannot be read apart), nor among the packages themselves (`@polyak/*`
 * dependencies in their package.json).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const packagesDir = fileURLToPath(new URL('../../', import.meta.url))

/** The `.ts` files under `dir`, recursively (tests and declaration files included). */
const tsFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name)
    if (statSync(file).isDirectory()) return name === 'node_modules' ? [] : tsFiles(file)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [file] : []
  })

/** Static and dynamic import/export specifiers of a module's source (comments removed first). */
const specifiers = (source: string): string[] => {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
  const found: string[] = []
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ]
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.push(match[1] as string)
  return found
}

/** The module file a relative specifier of `from` names (`./x.js` → `./x.ts`, `./dir` → `./dir/index.ts`). */
const resolveRelative = (from: string, specifier: string): string | undefined => {
  const base = path.resolve(path.dirname(from), specifier)
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    base,
    `${base}.ts`,
    path.join(base, 'index.ts'),
  ]
  return candidates.find((file) => file.endsWith('.ts') && existsSync(file) && statSync(file).isFile())
}

/** A cycle of `graph` (as its nodes, the first repeated at the end), or undefined; depth-first with three colours. */
const findCycle = (graph: ReadonlyMap<string, readonly string[]>): string[] | undefined => {
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open')
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      const seen = state.get(next)
      if (seen === 'open') return [...stack.slice(stack.indexOf(next)), next]
      if (seen === undefined) {
        const cycle = visit(next)
        if (cycle !== undefined) return cycle
      }
    }
    stack.pop()
    state.set(node, 'done')
    return undefined
  }
  for (const node of graph.keys()) {
    if (state.has(node)) continue
    const cycle = visit(node)
    if (cycle !== undefined) return cycle
  }
  return undefined
}

const packages = readdirSync(packagesDir).filter((name) => existsSync(path.join(packagesDir, name, 'package.json')))

describe('import cycles', () => {
  it('the checker finds a cycle and its members, and none in a DAG', () => {
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual(['a', 'b', 'c', 'a'])
    expect(
      findCycle(
        new Map([
          ['a', ['b', 'c']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toBeUndefined()
    expect(
      specifiers(`import type { A } from './a.js'\nexport * from "./b.js"\n// import './c.js'\nawait import('./d.js')`),
    ).toEqual(['./a.js', './b.js', './d.js'])
  })

  it.each(packages)('none among the modules of packages/%s/src', (name) => {
    const src = path.join(packagesDir, name, 'src')
    const graph = new Map<string, string[]>()
    for (const file of tsFiles(src)) {
      const imports = specifiers(readFileSync(file, 'utf8'))
        .filter((s) => s.startsWith('.'))
        .flatMap((s) => resolveRelative(file, s) ?? [])
      graph.set(file, imports)
    }
    expect(graph.size).toBeGreaterThan(0)
    const cycle = findCycle(graph)
    expect(cycle?.map((file) => path.relative(src, file)).join(' → ')).toBeUndefined()
  })

  it('none among the packages (their @polyak dependencies)', () => {
    const graph = new Map<string, string[]>()
    for (const name of packages) {
      const manifest = JSON.parse(readFileSync(path.join(packagesDir, name, 'package.json'), 'utf8'))
      graph.set(
        manifest.name,
        Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter((d) => d.startsWith('@polyak/')),
      )
    }
    expect(graph.size).toBeGreaterThan(1)
    expect(findCycle(graph)?.join(' → ')).toBeUndefined()
  })

  it('the actor transport: ioredis only in the Redis modules, and from outside actors/ only the acting operators', () => {
    const src = path.join(packagesDir, 'pipelines', 'src')
    const importers = tsFiles(src)
      .filter((file) => !file.endsWith('.test.ts') && !file.includes(`${path.sep}test-utils${path.sep}`))
      .filter((file) => specifiers(readFileSync(file, 'utf8')).includes('ioredis'))
      .map((file) => path.relative(src, file))
    expect(importers).toEqual(['actors/redisProtocol.ts'])
    const actors = path.join(src, 'actors')
    const outside = new Set(
      tsFiles(actors).flatMap((file) =>
        specifiers(readFileSync(file, 'utf8'))
          .filter((s) => s.startsWith('.'))
          .flatMap((s) => resolveRelative(file, s) ?? [])
          .filter((target) => !target.startsWith(`${actors}${path.sep}`))
          .map((target) => path.relative(src, target)),
      ),
    )
    expect([...outside].sort()).toEqual(['EnvStep.ts', 'explore.ts', 'rollout.ts'])
  })
})
