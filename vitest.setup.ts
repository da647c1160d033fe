import { setBackend } from '@polyak/core'
import fc from 'fast-check'

// Every test file runs on the backend users get by default (`auto`: native when its addon was built by
// `npm install`, as in CI, else wasm), or on POLYAK_BACKEND when set (e.g. POLYAK_BACKEND=wasm npm test).
const requested = (process.env.POLYAK_BACKEND ?? 'auto') as Parameters<typeof setBackend>[0]
await setBackend(requested)

// Property tests explore new cases on every local run; in CI they replay a fixed seed (FC_SEED overrides), so a
// red build can be reproduced exactly. fast-check prints the seed of any failure either way.
if (process.env.CI !== undefined || process.env.FC_SEED !== undefined) {
  fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261124) })
}
