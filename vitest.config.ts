import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEYS } from './test/helpers/secrets.ts';

export default defineConfig({
  test: {
    // Request logs are noise when a test passes and evidence when it fails.
    silent: 'passed-only',
    projects: [
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations('./migrations'),
                ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
                ADMIN_TOKEN: TEST_ADMIN_TOKEN,
                // Cascade deletes run several chunks with a handful of connections.
                CASCADE_CHUNK_SIZE: '2',
              },
              // A second database that plays a read replica lagging behind DB (test/lib/d1-session.test.ts).
              d1Databases: ['TEST_REPLICA'],
            },
          })),
        ],
        test: {
          name: 'worker',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          setupFiles: ['./test/helpers/apply-migrations.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
