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
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: '.test-results.json' }]],
    setupFiles: [fileURLToPath(new URL('./vitest.setup.ts', import.meta.url))],
  },
})
