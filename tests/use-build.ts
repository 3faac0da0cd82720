// The one call a per-build suite (tests/**/*.builds.test.ts) makes: which build its vitest project
// selected, and a beforeAll that inits exactly that build and fails every test in the file when
// the engine ran something else (say the thread pool fell back to one thread). init() runs once per
// process and vitest's forks pool gives each file its own, so each file sees only its project's build.
import { availableParallelism } from 'node:os';
import { beforeAll, inject } from 'vitest';
import { backendInfo, init } from '../src/index.js';
import { BUILDS, type TestBuild } from './builds.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The name of a BUILDS entry; set by the build's project in vitest.config.ts. */
    wasmBuild: string;
  }
}

/** The build this file runs under; registers the beforeAll that inits and checks it. */
export function useBuild(): TestBuild {
  const name = inject('wasmBuild');
  const build = BUILDS.find((b) => b.name === name);
  if (!build) {
    throw new Error(`per-build suite: no build selected (inject('wasmBuild') is ${JSON.stringify(name)}, expected one of ` +
      `${BUILDS.map((b) => b.name).join(', ')}); run it through vitest.config.ts, e.g. \`npx vitest run <file>\``);
  }
  beforeAll(async () => {
    await init(build.threads === 'all' ? { simd: build.simd } : { simd: build.simd, threads: build.threads });
    const want = { simd: build.simd, threads: build.threads === 'all' ? availableParallelism() : build.threads };
    const info = backendInfo();
    if (info.simd !== want.simd || info.threads !== want.threads) {
      throw new Error(`build '${build.name}': expected ${want.simd} SIMD with ${want.threads} thread(s), ` +
        `init() gave ${info.simd} SIMD with ${info.threads} thread(s)`);
    }
  });
  return build;
}
