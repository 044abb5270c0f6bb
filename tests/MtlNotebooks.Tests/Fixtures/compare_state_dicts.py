#!/usr/bin/env python3
"""PyTorch's reading of files the tests write (SurveyFileTests): does a state dict load strictly where a reference one
does, and with which values?

    /usr/bin/python3 compare_state_dicts.py REFERENCE.pth FILE...

For each FILE (torch.save or .safetensors), prints one JSON line {FILE: {missing, unexpected, shape, largest}}: keys of
REFERENCE it lacks, keys REFERENCE lacks, keys whose shapes differ (load_state_dict(strict=True) refuses all three),
and the largest |FILE - REFERENCE| over the rest.
"""
import json
import sys

import torch


def read(path):
    if not path.endswith('.safetensors'):
        return torch.load(path)
    types = {'F32': torch.float32, 'F64': torch.float64, 'I64': torch.int64, 'I32': torch.int32}
    data = open(path, 'rb').read()
    length = int.from_bytes(data[:8], 'little')
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    return {k: torch.frombuffer(bytearray(body[e['data_offsets'][0]:e['data_offsets'][1]]), dtype=types[e['dtype']]).reshape(e['shape'])
            for k, e in header.items() if k != '__metadata__'}


def main():
    reference = torch.load(sys.argv[1])
    result = {}
    for path in sys.argv[2:]:
        state = read(path)
        common = [k for k in reference if k in state]
        same = [k for k in common if tuple(state[k].shape) == tuple(reference[k].shape)]
        result[path] = {
            'missing': [k for k in reference if k not in state],
            'unexpected': [k for k in state if k not in reference],
            'shape': [k for k in common if k not in same],
            'largest': max([(state[k].double() - reference[k].double()).abs().max().item() for k in same if reference[k].numel()] or [0.0]),
        }
    print(json.dumps(result))


if __name__ == '__main__':
    main()
