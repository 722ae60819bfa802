"""Reference for tools/bench: Cohen et al.'s CERTIFY loop in PyTorch on the CPU, the way the
Python libraries run it (ART's PyTorchRandomizedSmoothing and Cohen et al.'s code both draw
torch.randn noise for a batch of repeated copies, run the model, and count argmaxes).

Written for this project (not copied): it interprets the ONNX graph with torch.nn.functional for the
ops of the fixture CNN (Conv, Relu, MaxPool, Flatten/Reshape, Gemm), so PyTorch runs the very same
weights as ONNX Runtime. Prints one JSON object: timing, peak RSS and the counts (the radii are
computed by the Node side with the same Clopper-Pearson bound, so only the sampling is timed here).

Usage: /usr/bin/python3 torch_certify.py MODEL.onnx X.npy --n 10000 --n0 100 --batch 1000 --sigma 0.25 --threads 2 --images 20
Needs Debian's python3-torch and python3-onnx.
"""
import argparse
import json
import resource
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def onnx_to_torch(path):
    model = onnx.load(path)
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    nodes = list(model.graph.node)
    inp = model.graph.input[0].name
    out = model.graph.output[0].name

    def forward(x):
        env = {inp: x, **weights}
        for node in nodes:
            a = attrs(node)
            args = [env[i] for i in node.input if i]
            op = node.op_type
            if op == 'Conv':
                pads = a.get('pads', [0, 0, 0, 0])
                y = F.conv2d(args[0], args[1], args[2] if len(args) > 2 else None, stride=a.get('strides', [1, 1]),
                             padding=(pads[0], pads[1]), dilation=a.get('dilations', [1, 1]), groups=a.get('group', 1))
            elif op == 'Relu':
                y = F.relu(args[0])
            elif op == 'MaxPool':
                pads = a.get('pads', [0, 0, 0, 0])
                y = F.max_pool2d(args[0], a['kernel_shape'], stride=a.get('strides', a['kernel_shape']), padding=(pads[0], pads[1]))
            elif op == 'Flatten':
                y = torch.flatten(args[0], a.get('axis', 1))
            elif op == 'Reshape':
                y = args[0].reshape(args[0].shape[0], -1)
            elif op == 'Gemm':
                w = args[1].t() if a.get('transB', 0) else args[1]
                y = args[0] @ w * a.get('alpha', 1.0)
                if len(args) > 2:
                    y = y + a.get('beta', 1.0) * args[2]
            elif op in ('Shape', 'Gather', 'Unsqueeze', 'Concat', 'Constant'):
                continue  # shape arithmetic of the exporter; Reshape above flattens
            else:
                raise SystemExit(f'reference: op {op} not supported by this small interpreter')
            env[node.output[0]] = y
        return env[out]

    return forward


def sample_counts(forward, x, num, batch, sigma, num_classes):
    counts = np.zeros(num_classes, dtype=np.int64)
    with torch.no_grad():
        remaining = num
        while remaining > 0:
            b = min(batch, remaining)
            remaining -= b
            copies = x.repeat((b, 1, 1, 1))
            noise = torch.randn_like(copies) * sigma
            pred = forward(copies + noise).argmax(1)
            counts += np.bincount(pred.numpy(), minlength=num_classes)
    return counts


def main():
    p = argparse.ArgumentParser()
    p.add_argument('model')
    p.add_argument('x')
    p.add_argument('--n', type=int, default=10000)
    p.add_argument('--n0', type=int, default=100)
    p.add_argument('--batch', type=int, default=1000)
    p.add_argument('--sigma', type=float, default=0.25)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--images', type=int, default=20)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    forward = onnx_to_torch(a.model)
    x = torch.from_numpy(np.load(a.x)[: a.images].astype(np.float32))
    num_classes = forward(x[:1]).shape[1]
    # raw forward throughput at the same batch
    batch = x[:1].repeat((a.batch, 1, 1, 1)) + 0.25 * torch.randn(a.batch, *x.shape[1:])
    with torch.no_grad():
        for _ in range(2):
            forward(batch)
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            forward(batch)
            times.append(time.perf_counter() - t0)
        raw = a.batch / sorted(times)[len(times) // 2]
    selected, n_a = [], []
    t0 = time.perf_counter()
    for i in range(x.shape[0]):
        c0 = sample_counts(forward, x[i], a.n0, a.batch, a.sigma, num_classes)
        c_a = int(c0.argmax())
        c = sample_counts(forward, x[i], a.n, a.batch, a.sigma, num_classes)
        selected.append(c_a)
        n_a.append(int(c[c_a]))
    seconds = time.perf_counter() - t0
    print(json.dumps({
        'impl': f'PyTorch {torch.__version__} CPU, Cohen et al. CERTIFY loop',
        'raw_samples_per_s': raw,
        'samples_per_s': x.shape[0] * (a.n + a.n0) / seconds,
        'sec_per_image': seconds / x.shape[0],
        'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'selected': selected,
        'n_a': n_a,
    }))


if __name__ == '__main__':
    main()
