/**
 * `@polyak/envs`: gymnasium-shaped environments.
 *
 * This package is scaffolded (build, types, tests wiring) and its contents are being written; see the roadmap in the
 * repository README. It exports nothing yet.
 *
 * @packageDocumentation
 */
export {}
