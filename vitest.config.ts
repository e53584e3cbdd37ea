import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Stores opened in the test processes seal audit entries with a key kept here, not in the home directory.
    env: { HINDSIGHT_AUDIT_KEY_FILE: join(tmpdir(), 'hindsight-vitest', 'audit.key') },
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
