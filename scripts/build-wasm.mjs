// Compiles assembly/ into the three builds: plain SIMD, relaxed SIMD, and threads (shared memory),
// after generating assembly/protocol.generated.ts from src/runtime/protocol.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { writeProtocol } from './protocol.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
const targets = process.argv.slice(2).length ? process.argv.slice(2) : ['simd', 'relaxed', 'threads'];
mkdirSync(join(root, 'build'), { recursive: true });
await writeProtocol(root);
for (const target of targets) {
  execFileSync(process.execPath, [asc, '--config', 'asconfig.json', '--target', target], { cwd: root, stdio: 'inherit' });
}
