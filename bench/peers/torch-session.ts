// A long-lived PyTorch process (`pytorch_peer.py serve`) driven one JSON line at a time, so its
// blocks of work can take turns with wasmgrad's without paying python's and torch's start-up per
// block. Its thread count is fixed for its life (OpenBLAS reads OPENBLAS_NUM_THREADS once, at load);
// each request also passes it to torch.set_num_threads.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SCRIPT, pythonPath, threadEnv } from './torch.js';

type Reply = Record<string, unknown> & { error?: string };

export class TorchSession {
  /** torch.__version__ as the process reports it. */
  version = '';
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly replies: ((line: string | null) => void)[] = [];
  private readonly queued: string[] = [];
  private stderr = '';

  private constructor(readonly threads: number) {
    this.proc = spawn(pythonPath(), [SCRIPT, 'serve'], { env: threadEnv(threads), stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-4000); });
    const lines = createInterface({ input: this.proc.stdout });
    lines.on('line', (line) => { const take = this.replies.shift(); if (take) take(line); else this.queued.push(line); });
    // A dead process answers every waiting request with null (the request reports stderr's tail).
    lines.on('close', () => { for (const take of this.replies.splice(0)) take(null); });
    this.proc.on('error', (e) => { this.stderr += `\n${e.message}`; });
  }

  /** Starts `pytorch_peer.py serve` on `threads` threads and waits for it to report its version. */
  static async start(threads: number): Promise<TorchSession> {
    const session = new TorchSession(threads);
    const hello = await session.nextReply('start');
    session.version = String(hello.version);
    return session;
  }

  private nextReply(what: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const take = (line: string | null) => {
        if (line === null) {
          const tail = this.stderr.trim().split('\n').slice(-3).join(' / ');
          reject(new Error(`PyTorch peer (${pythonPath()} ${SCRIPT} serve) exited during ${what}${tail ? `: ${tail}` : ''}`));
          return;
        }
        const reply = JSON.parse(line) as Reply;
        if (reply.error) reject(new Error(`PyTorch peer, ${what}: ${reply.error}`));
        else resolve(reply);
      };
      const line = this.queued.shift();
      if (line !== undefined) take(line); else this.replies.push(take);
    });
  }

  private request(msg: Record<string, unknown>, what: string): Promise<Reply> {
    this.proc.stdin.write(JSON.stringify(msg) + '\n');
    return this.nextReply(what);
  }

  /** Builds the blocks of pytorch_peer.py's `workload` with `params`; returns the case names it made. */
  async setup(workload: string, params: Record<string, unknown>): Promise<string[]> {
    return (await this.request({ op: 'setup', workload, params }, `setup of ${workload}`)).cases as string[];
  }

  /** Runs the case's blocks, untimed, for at least `seconds` (at least one block). */
  async warm(c: string, seconds: number): Promise<void> {
    await this.request({ op: 'warm', case: c, threads: this.threads, seconds }, `warm-up of '${c}'`);
  }

  /** One block of the case: its figure (samples/s, or ms per call), timed inside python. */
  async block(c: string): Promise<number> {
    return (await this.request({ op: 'block', case: c, threads: this.threads }, `block of '${c}'`)).value as number;
  }

  close(): void {
    this.proc.stdin.end();
  }
}
