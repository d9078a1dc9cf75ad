"""One PPO learn step the way TRL's PPOTrainer (and the DEMO-NOTES reference) runs it on a batch of
rollouts: a no-grad pass for old logprobs and values, per-token KL-shaped rewards, GAE, whitened
advantages, then epochs x minibatches of clipped policy loss + clipped value loss, global-norm
clipping and AdamW. Value head on the policy's final hidden states.

Same settings as trainer-svc's PpoSettings.demoDefaults(): beta 0.3, gamma 1, lambda 0.95, clip 0.2,
value clip 0.2, value coefficient 0.1, lr 5e-5, AdamW(0.9, 0.95), no weight decay, grad clip 1.0,
4 epochs x minibatches of 64, scores normalised, no-EOS penalty -1, reward clip 10.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

SETTINGS = dict(beta=0.3, gamma=1.0, lam=0.95, clip=0.2, vclip=0.2, vcoef=0.1, lr=5e-5,
                epochs=4, minibatch=64, grad_clip=1.0, no_eos_penalty=-1.0, reward_clip=10.0)


class PolicyWithValue(nn.Module):
    def __init__(self, gpt):
        super().__init__()
        self.gpt = gpt
        self.value_head = nn.Linear(gpt.config["n_embd"], 1)
        torch.manual_seed(0)
        nn.init.normal_(self.value_head.weight, std=0.02)
        nn.init.zeros_(self.value_head.bias)

    def forward(self, ids):
        """ids (B, L) -> response-coordinate logprobs (B, L-1), values (B, L-1), logits (B, L-1, V)."""
        h, _ = self.gpt.hidden(ids)
        logits = self.gpt.logits(h)[:, :-1]
        lp = torch.gather(F.log_softmax(logits, dim=-1), 2, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
        values = self.value_head(h).squeeze(-1)[:, :-1]
        return lp, values, logits


def masked_mean(x, mask):
    return (x * mask).sum() / mask.sum()


class Learner:
    def __init__(self, gpt, settings=None):
        self.s = dict(SETTINGS, **(settings or {}))
        self.model = PolicyWithValue(gpt)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=self.s["lr"], betas=(0.9, 0.95),
                                     eps=1e-8, weight_decay=0.0)
        self.generator = torch.Generator().manual_seed(1)

    def learn(self, batch):
        """batch: dict of prompts (list of lists), responses, ref_logprobs, scores, eos. Returns metrics."""
        s = self.s
        n = len(batch["prompts"])
        seqs = [p + r for p, r in zip(batch["prompts"], batch["responses"])]
        length = max(len(x) for x in seqs)
        ids = torch.zeros(n, length, dtype=torch.long)
        mask = torch.zeros(n, length - 1)
        ref = torch.zeros(n, length - 1)
        for i, (p, r) in enumerate(zip(batch["prompts"], batch["responses"])):
            ids[i, : len(p) + len(r)] = torch.tensor(p + r)
            mask[i, len(p) - 1 : len(p) - 1 + len(r)] = 1.0
            ref[i, len(p) - 1 : len(p) - 1 + len(r)] = torch.tensor(batch["ref_logprobs"][i])
        scores = torch.tensor(batch["scores"], dtype=torch.float32)
        scores = (scores - scores.mean()) / (scores.std() + 1e-8)
        eos = torch.tensor(batch["eos"], dtype=torch.bool)
        scores = torch.where(eos, scores, scores + s["no_eos_penalty"]).clamp(-s["reward_clip"], s["reward_clip"])

        with torch.no_grad():
            old_lp, old_v = [], []
            for a in range(0, n, s["minibatch"]):
                lp, v, _ = self.model(ids[a : a + s["minibatch"]])
                old_lp.append(lp)
                old_v.append(v)
            old_lp = torch.cat(old_lp)
            old_v = torch.cat(old_v) * mask
            rewards = -s["beta"] * (old_lp - ref) * mask
            last = (mask.cumsum(1) == mask.sum(1, keepdim=True)) & (mask > 0)
            rewards = rewards + last.float() * scores.unsqueeze(1)
            adv = torch.zeros_like(rewards)
            running = torch.zeros(n)
            for t in reversed(range(length - 1)):
                next_v = old_v[:, t + 1] if t + 1 < length - 1 else torch.zeros(n)
                delta = rewards[:, t] + s["gamma"] * next_v - old_v[:, t]
                running = delta + s["gamma"] * s["lam"] * running
                running = running * mask[:, t]
                adv[:, t] = running
            returns = adv + old_v
            mean = masked_mean(adv, mask)
            var = masked_mean((adv - mean) ** 2, mask)
            adv = (adv - mean) * torch.rsqrt(var + 1e-8) * mask

        stats = []
        for _ in range(s["epochs"]):
            order = torch.randperm(n, generator=self.generator)
            for a in range(0, n, s["minibatch"]):
                rows = order[a : a + s["minibatch"]]
                m = mask[rows]
                lp, v, _ = self.model(ids[rows])
                ratio = torch.exp(lp - old_lp[rows])
                pg = torch.max(-adv[rows] * ratio, -adv[rows] * ratio.clamp(1 - s["clip"], 1 + s["clip"]))
                pg_loss = masked_mean(pg, m)
                v_clipped = old_v[rows] + (v - old_v[rows]).clamp(-s["vclip"], s["vclip"])
                vf = torch.max((v - returns[rows]) ** 2, (v_clipped - returns[rows]) ** 2)
                vf_loss = 0.5 * masked_mean(vf, m)
                loss = pg_loss + s["vcoef"] * vf_loss
                self.opt.zero_grad(set_to_none=True)
                loss.backward()
                norm = nn.utils.clip_grad_norm_(self.model.parameters(), s["grad_clip"])
                self.opt.step()
                with torch.no_grad():
                    clipfrac = masked_mean(((ratio - 1).abs() > s["clip"]).float(), m)
                    approx_kl = masked_mean(0.5 * (lp - old_lp[rows]) ** 2, m)
                stats.append((pg_loss.item(), vf_loss.item(), clipfrac.item(), approx_kl.item(), norm.item()))
        k = len(stats)
        return {"policy_loss": sum(x[0] for x in stats) / k, "value_loss": sum(x[1] for x in stats) / k,
                "updates": k}
