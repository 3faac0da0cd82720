#!/usr/bin/python3
"""Loads a safetensors state dict into a PyTorch model and prints the model's outputs.

Used both ways of the PyTorch <-> wasmgrad interop proof:
  - scripts/fixtures/io.py imports the model builders and the safetensors reader/writer from here;
  - tests/io/io.test.ts runs it once on all the files it saved (one torch start-up):
      /usr/bin/python3 scripts/check_safetensors_in_torch.py  < jobs.json
    where jobs.json is [{"model": "mlp", "file": "x.safetensors", "input": {"shape": [...], "data": [...]}}, ...];
    it prints [{"outputs": [{"shape", "data"}, ...]}, ...], one entry per job.

The `safetensors` Python package is not needed: the format is an 8-byte little-endian header length,
a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {...}} and the raw little-endian
tensor bytes (https://github.com/huggingface/safetensors#format).
"""
import json
import struct
import sys

import torch
from torch import nn

DTYPES = {'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16,
          'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8,
          'BOOL': torch.bool}
NAMES = {v: k for k, v in DTYPES.items()}


def write_safetensors(path, state, metadata=None):
    header, chunks, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for name, t in state.items():
        raw = t.detach().contiguous().cpu().numpy().tobytes()  # native order: little-endian here
        header[name] = {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(',', ':')).encode()
    head += b' ' * (-len(head) % 8)  # the reference writer pads the header to 8 bytes with spaces
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(head)) + head + b''.join(chunks))


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop('__metadata__', {})
    body = data[8 + n:]
    state = {}
    for name, info in header.items():
        start, end = info['data_offsets']
        dtype = DTYPES[info['dtype']]
        if end == start:
            state[name] = torch.empty(info['shape'], dtype=dtype)
        else:
            state[name] = torch.frombuffer(bytearray(body[start:end]), dtype=dtype).reshape(info['shape'])
    return state, metadata


class LSTMHead(nn.Module):
    """A sequence classifier: a 2-layer bidirectional LSTM, then a Linear head on the last time step."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 5, num_layers=2, batch_first=True, bidirectional=True)
        self.head = nn.Linear(10, 2)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


class GRUModel(nn.Module):
    """A 2-layer GRU in [seq, batch, feature] layout; returns (output, h_n)."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 4, num_layers=2)

    def forward(self, x):
        return self.gru(x)


# name -> (builder, input shape). tests/io/io.test.ts builds the same architectures with wasmgrad.
MODELS = {
    'mlp': (lambda: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)), [5, 4]),
    'cnn': (lambda: nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Flatten(), nn.Linear(36, 5)), [2, 2, 6, 6]),
    'bn_mlp': (lambda: nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 2)), [4, 6]),
    'lstm': (LSTMHead, [2, 4, 3]),
    'gru': (GRUModel, [5, 2, 3]),
}


def outputs_of(model, x):
    with torch.no_grad():
        y = model(x)
    return list(y) if isinstance(y, tuple) else [y]


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {'shape': list(t.shape), 'data': [float(f'{v:.7g}') for v in t.reshape(-1).tolist()]}


def run_job(job):
    model = MODELS[job['model']][0]()
    state, _ = read_safetensors(job['file'])
    model.load_state_dict(state, strict=True)
    model.eval()
    spec = job['input']
    x = torch.tensor(spec['data'], dtype=torch.float32).reshape(spec['shape'])
    return {'outputs': [enc(y) for y in outputs_of(model, x)]}


def main():
    print(json.dumps([run_job(job) for job in json.load(sys.stdin)]))


if __name__ == '__main__':
    main()
