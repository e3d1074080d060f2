#!/usr/bin/env python3
"""PyTorch peer for `lam bench`: the same stacked LSTM + linear head, on the SAME weights, one thread, batch 1.

Reads a JSON file written by bench/dynamics.ts (Keras-layout weights exported from the tfjs model) and prints one
JSON object: the head output on a check sequence (so the bench can verify both sides compute the same thing),
per-step latencies, and training windows/s.

Weight mapping: Keras kernel [in, 4U] and recurrent kernel [U, 4U] transpose to PyTorch weight_ih [4U, in] and
weight_hh [4U, U]; the gate order (i, f, c, o) is PyTorch's (i, f, g, o). Keras has one bias, PyTorch two:
bias_ih = the Keras bias, bias_hh = 0.
"""
import json
import sys
import time

import torch


def build(spec):
    F = spec["features"]
    layers = spec["layers"]
    U = layers[0]["units"]
    if any(l["units"] != U for l in layers):
        raise SystemExit("peer: torch.nn.LSTM needs equal units in every layer")
    lstm = torch.nn.LSTM(input_size=F, hidden_size=U, num_layers=len(layers), batch_first=True)
    head = torch.nn.Linear(U, spec["head"]["outputs"])
    with torch.no_grad():
        for k, l in enumerate(layers):
            kin = torch.tensor(l["kernel"], dtype=torch.float32).reshape(l["inputSize"], 4 * U)
            rec = torch.tensor(l["recurrent"], dtype=torch.float32).reshape(U, 4 * U)
            getattr(lstm, f"weight_ih_l{k}").copy_(kin.t())
            getattr(lstm, f"weight_hh_l{k}").copy_(rec.t())
            getattr(lstm, f"bias_ih_l{k}").copy_(torch.tensor(l["bias"], dtype=torch.float32))
            getattr(lstm, f"bias_hh_l{k}").zero_()
        hk = torch.tensor(spec["head"]["kernel"], dtype=torch.float32).reshape(U, spec["head"]["outputs"])
        head.weight.copy_(hk.t())
        head.bias.copy_(torch.tensor(spec["head"]["bias"], dtype=torch.float32))
    return lstm, head


def percentiles(ns):
    ns = sorted(ns)
    n = len(ns)
    return {"p50_ms": ns[n // 2] / 1e6, "p99_ms": ns[min(n - 1, int(n * 0.99))] / 1e6, "mean_ms": sum(ns) / n / 1e6, "n": n}


def main():
    torch.set_num_threads(1)
    spec = json.load(open(sys.argv[1]))
    lstm, head = build(spec)
    F = spec["features"]
    L = len(spec["layers"])
    U = spec["layers"][0]["units"]
    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}

    with torch.no_grad():
        # Check: the head on the last hidden state after the check sequence, from zero state.
        T = spec["check"]["T"]
        x = torch.tensor(spec["check"]["inputs"], dtype=torch.float32).reshape(1, T, F)
        y, _ = lstm(x)
        out["check"] = head(y[:, -1, :]).reshape(-1).tolist()

        # Latency: one streaming step (batch 1, sequence 1, state carried) + the head — what one stream costs.
        def timed(batch, steps, warmup):
            h = torch.zeros(L, batch, U)
            c = torch.zeros(L, batch, U)
            xs = torch.randn(steps + warmup, batch, 1, F)
            ns = []
            for i in range(steps + warmup):
                t0 = time.perf_counter_ns()
                y, (h, c) = lstm(xs[i], (h, c))
                r = head(y[0, -1])
                t1 = time.perf_counter_ns()
                if i >= warmup:
                    ns.append(t1 - t0)
            return percentiles(ns)

        steps = spec["latency"]["steps"]
        out["step"] = timed(1, steps, spec["latency"]["warmup"])
        # A predictor tick: both staggered streams as a batch of 2, head on one.
        out["tick"] = timed(2, steps, spec["latency"]["warmup"])

    # Training windows/s: Adam on MSE of the head over full-length windows, same batch and sizes as the tfjs side.
    tr = spec["train"]
    B, H, nb = tr["batch"], tr["history"], tr["batches"]
    g = torch.Generator().manual_seed(1)
    xs = torch.randn(B, H, F, generator=g)
    ys = torch.randn(B, spec["head"]["outputs"], generator=g)
    opt = torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-3)
    loss_fn = torch.nn.MSELoss()

    def batch():
        opt.zero_grad()
        y, _ = lstm(xs)
        loss = loss_fn(head(y[:, -1, :]), ys)
        loss.backward()
        opt.step()
        return float(loss)

    for _ in range(tr["warmup"]):
        batch()
    # Repeated rounds (the machine is shared); the median is reported.
    rounds = []
    for _ in range(tr.get("rounds", 1)):
        t0 = time.perf_counter()
        for _ in range(nb):
            batch()
        rounds.append(B * nb / (time.perf_counter() - t0))
    out["train"] = {"windows_per_s": sorted(rounds)[len(rounds) // 2], "rounds": rounds, "batches": nb, "batch": B}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
