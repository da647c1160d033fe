/**
 * Module-level mutable state in `packages/*\/src` is the short list ADR 0011 gives reasons for (process-wide caches
 * of one native addon, one wasm path, one MuJoCo runtime; a temp-file counter; the env registry). Anything else —
 * a top-level `let`/`var`, or a top-level `Map`/`Set` not typed `ReadonlyMap`/`ReadonlySet` — fails here until it is removed or added to the ADR and below.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const packagesDir = fileURLToPath(new URL('../../', import.meta.url))

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name)
    if (statSync(file).isDirectory()) return name === 'node_modules' || name === 'test-utils' ? [] : sources(file)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.includes('.test.') ? [file] : []
  })

/** `package/path:name` of every top-level `let`/`var` binding and top-level `new Map`/`new Set` constant. */
const moduleState = (): string[] =>
  readdirSync(packagesDir).flatMap((pkg) => {
    const src = path.join(packagesDir, pkg, 'src')
    try {
      statSync(src)
    } catch {
      return []
    }
    return sources(src).flatMap((file) => {
      const where = `${pkg}/${path.relative(src, file)}`
      const code = readFileSync(file, 'utf8')
      return [
        ...[...code.matchAll(/^(?:export\s+)?(?:let|var)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => `${where}:${m[1]}`),
        ...[
          ...code.matchAll(
            /^(?:export\s+)?const\s+([A-Za-z_$][\w$]*)\s*(?::(?![^=]*Readonly)[^=]+)?=\s*new\s+(?:Map|Set|WeakMap)\b/gm,
          ),
        ].map((m) => `${where}:${m[1]}`),
      ]
    })
  })

describe('module-level mutable state', () => {
  it('is only what ADR 0011 lists', () => {
    expect(moduleState().sort()).toEqual(
      [
        'core/backend.ts:wasmPathSet', // tfjs' wasm path is set once per process
        'core/checkpoint.ts:DIRECTORY_SYNC_UNSUPPORTED', // a constant Set of error codes (never written)
        'core/checkpoint.ts:uniqueCounter', // unique temp-file names within a process
        'core/native.ts:cached', // one native addon per process
        'core/native.ts:installed', // its kernels are registered once per process
        'envs/mujoco/runtime.ts:loaded', // one MuJoCo WebAssembly runtime per process
        'envs/mujoco/runtime.ts:loading',
        'envs/registry.ts:registry', // the env registry, global by design (Gymnasium's register/make)
      ].sort(),
    )
  })
})
