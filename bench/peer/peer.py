"""The benchmark's Python peer: PyTorch eager doing what a user of Hugging Face `generate` and TRL
would do with the same GPT-2 weights — batched greedy generation with a KV cache, teacher-forced
scoring, one PPO learn step — plus a 1024^3 matmul. Serves figures on demand over a JSON line
protocol on stdin/stdout (raw samples; the Java harness interleaves them with its own and takes
medians).

Run by dev.rlhfmesh.bench.BenchMain, e.g.
  OPENBLAS_NUM_THREADS=1 LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread \
    /usr/bin/python3 bench/peer/peer.py --model DIR --rollouts FILE  (then JSON lines on stdin)
"""
import argparse
import ctypes
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2  # noqa: E402
import ppo  # noqa: E402


def timed(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def openblas_core():
    for name in ("libopenblas.so.0", "libblas.so.3"):
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return name + ": " + lib.openblas_get_corename().decode()
        except (OSError, AttributeError):
            continue
    return "no OpenBLAS found"


def matmul_check_and_time(warmup, repeats):
    g = torch.Generator().manual_seed(0)
    a = torch.randn(1024, 1024, generator=g)
    b = torch.randn(1024, 1024, generator=g)
    exact = (a.double() @ b.double()).float()
    err = ((a @ b) - exact).abs().max().item()
    secs = timed(lambda: torch.mm(a, b), warmup, repeats)
    return err, [2 * 1024**3 / s / 1e9 for s in secs]


def generate(model, prompts, new_tokens):
    """Greedy batched generation with a KV cache (torch.cat per step, as HF generate)."""
    with torch.no_grad():
        logits, past = model(prompts)
        nxt = logits[:, -1].argmax(-1, keepdim=True)
        out = [nxt]
        for _ in range(new_tokens - 1):
            logits, past = model(nxt, past)
            nxt = logits[:, -1].argmax(-1, keepdim=True)
            out.append(nxt)
        return torch.cat(out, dim=1)


def score(model, ids, micro):
    """Teacher-forced per-token logprobs and entropies of whole sequences (no grad)."""
    lps, ents = [], []
    with torch.no_grad():
        for a in range(0, ids.size(0), micro):
            x = ids[a : a + micro]
            logits, _ = model(x)
            logp = F.log_softmax(logits[:, :-1], dim=-1)
            lps.append(torch.gather(logp, 2, x[:, 1:].unsqueeze(-1)).squeeze(-1))
            ents.append(-(logp.exp() * logp).sum(-1))
    return torch.cat(lps), torch.cat(ents)


class Peer:
    """The peer's figures, each run on demand: warm-up + repeats, raw samples back."""

    def __init__(self, a):
        torch.set_num_interop_threads(1)
        self.a = a
        self.model = gpt2.load(a.model).eval()
        c = self.model.config
        self.c = c
        self.new_tokens = c["n_positions"] - a.prompt_len
        g = torch.Generator().manual_seed(3)
        self.decode_prompts = {b: torch.randint(0, c["vocab_size"], (b, a.prompt_len), generator=g)
                               for b in [int(x) for x in a.batches.split(",")]}
        self.score_ids = torch.randint(0, c["vocab_size"], (a.score_rows, c["n_positions"]), generator=g)
        with open(a.rollouts) as f:
            self.batch = json.load(f)
        self.learner = None

    def info(self):
        prompt = torch.arange(1, 9).unsqueeze(0) % self.c["vocab_size"]
        with torch.no_grad():
            logits = self.model(prompt)[0][0, -1].tolist()
        torch.set_num_threads(self.a.threads)
        g = torch.Generator().manual_seed(0)
        x = torch.randn(1024, 1024, generator=g)
        y = torch.randn(1024, 1024, generator=g)
        err = ((x @ y) - (x.double() @ y.double()).float()).abs().max().item()
        return {"torch": torch.__version__, "openblas": openblas_core(),
                "env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "LD_LIBRARY_PATH")},
                "parity_logits": logits, "parity_greedy": generate(self.model, prompt, 16)[0].tolist(),
                "matmul_max_abs_err": err, "decode_new_tokens": self.new_tokens}

    def figure(self, name, warmup, repeats):
        a = self.a
        if name == "matmul":
            torch.set_num_threads(a.threads)
            return matmul_check_and_time(warmup, repeats)[1]
        if name.startswith("decode"):
            b = int(name[len("decode"):])
            torch.set_num_threads(1 if b == 1 else a.threads)
            p = self.decode_prompts[b]
            return [b * self.new_tokens / s for s in timed(lambda: generate(self.model, p, self.new_tokens), warmup, repeats)]
        torch.set_num_threads(a.threads)
        if name == "score":
            ids = self.score_ids
            return [ids.numel() / s for s in timed(lambda: score(self.model, ids, a.score_micro), warmup, repeats)]
        batch = self.batch
        if name in ("iter_generate", "iter_refscore"):  # the iteration's first two parts alone
            prompts = torch.tensor(batch["prompts"])
            seqs = torch.tensor([p + r for p, r in zip(batch["prompts"], batch["responses"])])
            new = len(batch["responses"][0])
            if name == "iter_generate":
                return [s * 1000 for s in timed(lambda: generate(self.model, prompts, new), warmup, repeats)]
            return [s * 1000 for s in timed(lambda: score(self.model, seqs, 64), warmup, repeats)]
        if self.learner is None:
            self.learner = ppo.Learner(self.model.train())
        if name == "learn":
            return [s * 1000 for s in timed(lambda: self.learner.learn(batch), warmup, repeats)]
        if name == "iteration":
            prompts = torch.tensor(batch["prompts"])
            seqs = torch.tensor([p + r for p, r in zip(batch["prompts"], batch["responses"])])
            new = len(batch["responses"][0])

            def iteration():
                generate(self.model, prompts, new)
                score(self.model, seqs, 64)
                self.learner.learn(batch)

            return [s * 1000 for s in timed(iteration, warmup, repeats)]
        raise ValueError("unknown figure " + name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--rollouts", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompt-len", type=int, default=8)
    ap.add_argument("--batches", default="1,8,32,64")
    ap.add_argument("--score-rows", type=int, default=256)
    ap.add_argument("--score-micro", type=int, default=64)
    a = ap.parse_args()
    peer = Peer(a)
    # Line protocol on stdin/stdout, so the harness can interleave our runs and the peer's:
    # {"cmd": "info"} or {"cmd": "figure", "name": ..., "warmup": n, "repeats": n} -> one JSON line.
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing else may write to the protocol stream
    for line in sys.stdin:
        req = json.loads(line)
        if req["cmd"] == "quit":
            break
        try:
            if req["cmd"] == "info":
                res = peer.info()
            else:
                res = {"samples": peer.figure(req["name"], req.get("warmup", 0), req.get("repeats", 1))}
        except Exception as e:  # reported to the harness, which prints it
            res = {"error": "%s: %s" % (type(e).__name__, e)}
        out.write(json.dumps(res) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
