import { configDefaults, defineConfig } from 'vitest/config';
import { BUILDS, PER_BUILD_FILES } from './tests/builds.js';

// One project runs every test once; then one project per wasm build (tests/builds.ts) runs the
// per-build suites, each file in its own process (pool 'forks'), since init() loads one build per process.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'once', include: ['tests/**/*.test.ts'], exclude: [...configDefaults.exclude, PER_BUILD_FILES] } },
      ...BUILDS.map((b) => ({ extends: true as const, test: { name: b.name, include: [PER_BUILD_FILES], provide: { wasmBuild: b.name } } })),
    ],
  },
});
