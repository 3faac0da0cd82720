// The wasm builds every per-build suite (tests/**/*.builds.test.ts) runs under. vitest.config.ts
// makes one project per entry and hands its name to the test files (provide/inject); add a build
// here and every per-build suite runs under it too. The other tests run once, on the default build.
// No vitest import: vitest.config.ts reads this list.

export interface TestBuild {
  /** The vitest project name (`npx vitest run --project plain`), also shown before each file. */
  name: string;
  /** The SIMD build init() is asked for and backendInfo().simd must report. */
  simd: 'relaxed' | 'plain';
  /** Worker threads asked of init(): 'all' is init's default, every core (threads need relaxed SIMD). */
  threads: number | 'all';
  /** Appended to suite names so a failure says which build it came from. */
  label: string;
}

export const BUILDS: readonly TestBuild[] = [
  // What users get on Node, Chromium, Deno and Bun: the shared-memory build on every core.
  { name: 'relaxed', simd: 'relaxed', threads: 'all', label: 'relaxed SIMD, all threads' },
  // The fallback for engines without relaxed SIMD, which always runs on one thread.
  { name: 'plain', simd: 'plain', threads: 1, label: 'plain SIMD, 1 thread' },
];

/** The glob of the files run once per build (vitest.config.ts runs all other tests once). */
export const PER_BUILD_FILES = 'tests/**/*.builds.test.ts';
