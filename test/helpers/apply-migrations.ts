import { applyD1Migrations, env } from 'cloudflare:test';

// Runs before each test file: the plugin gives every file fresh storage.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
