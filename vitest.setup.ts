import { setBackend } from '@polyak/core'
import fc from 'fast-check'

// Every test file runs on the backend users get by default (wasm), or on POLYAK_BACKEND when set.
const requested = (process.env.POLYAK_BACKEND ?? 'wasm') as Parameters<typeof setBackend>[0]
await setBackend(requested)

// Property tests explore new cases on every local run; in CI they replay a fixed seed (FC_SEED overrides), so a
// red build can be reproduced exactly. fast-check prints the seed of any failure either way.
if (process.env.CI !== undefined || process.env.FC_SEED !== undefined) {
  fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261124) })
}
