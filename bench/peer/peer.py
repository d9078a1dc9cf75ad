"""The benchmark's Python peer: PyTorch eager doing what a user of Hugging Face `generate` and TRL
would do with the same GPT-2 weights — batched greedy generation with a KV cache, teacher-forced
scoring, one PPO learn step — plus a 1024^3 matmul. Prints one JSON object (raw samples; the Java
harness takes medians) to --out.

Run by dev.rlhfmesh.bench.BenchMain, e.g.
  OPENBLAS_NUM_THREADS=1 LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread \
    /usr/bin/python3 bench/peer/peer.py --model DIR --rollouts FILE --out FILE
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--rollouts", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompt-len", type=int, default=8)
    ap.add_argument("--batches", default="1,8,32,64")
    ap.add_argument("--score-rows", type=int, default=256)
    ap.add_argument("--score-micro", type=int, default=64)
    a = ap.parse_args()

    torch.set_num_interop_threads(1)
    model = gpt2.load(a.model).eval()
    c = model.config
    res = {"torch": torch.__version__, "openblas": openblas_core(),
           "env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "LD_LIBRARY_PATH")}}

    # Parity: last-position logits of a fixed prompt and 16 greedy tokens.
    prompt = torch.arange(1, 9).unsqueeze(0) % c["vocab_size"]
    with torch.no_grad():
        res["parity_logits"] = model(prompt)[0][0, -1].tolist()
    res["parity_greedy"] = generate(model, prompt, 16)[0].tolist()

    torch.set_num_threads(a.threads)
    err, gflops = matmul_check_and_time(a.warmup, a.repeats)
    res["matmul_max_abs_err"] = err
    res["matmul_gflops"] = gflops

    new_tokens = c["n_positions"] - a.prompt_len
    g = torch.Generator().manual_seed(3)
    decode = {}
    for b in [int(x) for x in a.batches.split(",")]:
        torch.set_num_threads(1 if b == 1 else a.threads)
        p = torch.randint(0, c["vocab_size"], (b, a.prompt_len), generator=g)
        secs = timed(lambda: generate(model, p, new_tokens), a.warmup, a.repeats)
        decode[str(b)] = [b * new_tokens / s for s in secs]
    res["decode_tokens_per_s"] = decode
    res["decode_new_tokens"] = new_tokens

    torch.set_num_threads(a.threads)
    ids = torch.randint(0, c["vocab_size"], (a.score_rows, c["n_positions"]), generator=g)
    secs = timed(lambda: score(model, ids, a.score_micro), a.warmup, a.repeats)
    res["score_tokens_per_s"] = [ids.numel() / s for s in secs]

    with open(a.rollouts) as f:
        batch = json.load(f)
    learner = ppo.Learner(model.train())
    secs = timed(lambda: learner.learn(batch), a.warmup, a.repeats)
    res["ppo_learn_ms"] = [s * 1000 for s in secs]

    # The in-process PPO iteration around it: generate the responses, reference logprobs, learn.
    prompts = torch.tensor(batch["prompts"])
    seqs = torch.tensor([p + r for p, r in zip(batch["prompts"], batch["responses"])])
    new = len(batch["responses"][0])

    def iteration():
        generate(model, prompts, new)
        score(model, seqs, 64)
        learner.learn(batch)

    secs = timed(iteration, a.warmup, a.repeats)
    res["ppo_iteration_ms"] = [s * 1000 for s in secs]

    with open(a.out, "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
