import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * Test settings shared by every workspace. Packages resolve each other through the
 * `@polyak/source` export condition, so tests run against `src/` without a build.
 */
export default defineConfig({
  resolve: { conditions: ['@polyak/source'] },
  ssr: { resolve: { conditions: ['@polyak/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    // a guard against hangs, not a speed check: CI runs every package's tests at once on 2 cores, where the
    // longest env soak tests (10k physics steps) take about a minute
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: '.test-results.json' }]],
    setupFiles: [fileURLToPath(new URL('./vitest.setup.ts', import.meta.url))],
  },
})
