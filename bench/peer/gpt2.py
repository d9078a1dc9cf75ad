"""GPT-2 in PyTorch eager, written the way Hugging Face's modeling_gpt2 (transformers 4.x) runs it:
Conv1D projections as addmm with (in, out) weights, eager attention with a causal mask buffer,
a KV cache grown by torch.cat each step (what `generate` does), tied LM head.

Loads the `config.json` + `model.safetensors` that model-core's `Gpt.save` writes.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

import safetensors_lite


class Conv1D(nn.Module):
    """y = x W + b with W of shape (in, out), as GPT-2's checkpoints store it."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(n_in, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        shape = x.shape[:-1] + (self.weight.shape[1],)
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(shape)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head = c["n_head"]
        self.n_embd = c["n_embd"]
        n = c["n_positions"]
        self.register_buffer("bias", torch.tril(torch.ones(n, n, dtype=torch.bool)).view(1, 1, n, n), persistent=False)
        self.c_attn = Conv1D(self.n_embd, 3 * self.n_embd)
        self.c_proj = Conv1D(self.n_embd, self.n_embd)

    def split(self, x):  # (B, T, C) -> (B, H, T, D)
        b, t, _ = x.shape
        return x.view(b, t, self.n_head, self.n_embd // self.n_head).permute(0, 2, 1, 3)

    def forward(self, x, past=None, attn_mask=None):
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q, k, v = self.split(q), self.split(k), self.split(v)  # (B, H, T, D)
        if past is not None:
            k = torch.cat((past[0], k), dim=-2)
            v = torch.cat((past[1], v), dim=-2)
        present = (k, v)
        w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(v.size(-1))  # (B, H, Tq, Tk)
        tq, tk = q.size(-2), k.size(-2)
        causal = self.bias[:, :, tk - tq : tk, :tk]
        w = torch.where(causal, w, torch.tensor(torch.finfo(w.dtype).min, dtype=w.dtype))
        if attn_mask is not None:
            w = w + attn_mask
        w = F.softmax(w, dim=-1)
        a = torch.matmul(w, v)  # (B, H, Tq, D)
        b = a.size(0)
        a = a.permute(0, 2, 1, 3).contiguous().view(b, tq, self.n_embd)  # (B, T, C)
        return self.c_proj(a), present


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        inner = c.get("n_inner") or 4 * c["n_embd"]
        self.c_fc = Conv1D(c["n_embd"], inner)
        self.c_proj = Conv1D(inner, c["n_embd"])
        self.act = gelu_new if c.get("activation_function", "gelu_new") == "gelu_new" else F.gelu

    def forward(self, x):
        return self.c_proj(self.act(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        eps = c.get("layer_norm_epsilon", 1e-5)
        self.ln_1 = nn.LayerNorm(c["n_embd"], eps=eps)
        self.attn = Attention(c)
        self.ln_2 = nn.LayerNorm(c["n_embd"], eps=eps)
        self.mlp = Mlp(c)

    def forward(self, x, past=None, attn_mask=None):
        a, present = self.attn(self.ln_1(x), past, attn_mask)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, present


class Gpt2(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.wte = nn.Embedding(c["vocab_size"], c["n_embd"])
        self.wpe = nn.Embedding(c["n_positions"], c["n_embd"])
        self.h = nn.ModuleList([Block(c) for _ in range(c["n_layer"])])
        self.ln_f = nn.LayerNorm(c["n_embd"], eps=c.get("layer_norm_epsilon", 1e-5))

    def hidden(self, ids, past=None):
        """ids (B, T) -> hidden (B, T, C), new cache (one (k, v) per layer)."""
        start = 0 if past is None else past[0][0].size(-2)
        pos = torch.arange(start, start + ids.size(1), dtype=torch.long).unsqueeze(0)
        x = self.wte(ids) + self.wpe(pos)
        presents = []
        for i, block in enumerate(self.h):
            x, p = block(x, None if past is None else past[i])
            presents.append(p)
        return self.ln_f(x), presents

    def logits(self, hidden):
        return F.linear(hidden, self.wte.weight)  # tied LM head, (B, T, V)

    def forward(self, ids, past=None):
        h, presents = self.hidden(ids, past)
        return self.logits(h), presents


def load(directory):
    with open(os.path.join(directory, "config.json")) as f:
        c = json.load(f)
    model = Gpt2(c)
    _, tensors = safetensors_lite.read(os.path.join(directory, "model.safetensors"))
    state = {}
    for name, entry in tensors.items():
        key = name[len("transformer.") :] if name.startswith("transformer.") else name
        if key == "lm_head.weight" or key.endswith(".attn.bias") or key.endswith(".attn.masked_bias"):
            continue
        state[key] = safetensors_lite.to_torch(entry).float()
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ValueError("checkpoint mismatch: missing %s, unexpected %s" % (missing, unexpected))
    return model
