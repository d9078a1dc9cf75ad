#!/usr/bin/env python3
"""Writes tokenizer-svc's built-in corpus (src/main/resources/corpus/builtin-corpus.txt).

Deterministic (fixed seed): two-digit arithmetic like the demo task, and short chat-like English lines.
Run from the module directory: python3 scripts/gen_corpus.py
"""
import random

rng = random.Random(1234)
lines = []
for _ in range(8000):
    a, b = rng.randint(0, 99), rng.randint(0, 99)
    lines.append(f"{a}+{b}={a + b}")

subjects = ["I", "You", "We", "They", "The model", "The assistant", "My friend", "The user", "She", "He"]
verbs = ["like", "need", "want", "read", "write", "check", "explain", "learn", "answer", "train"]
objects = ["the answer", "a short story", "this question", "the numbers", "a new tokenizer", "the reward",
           "a good reply", "the sum", "every message", "the weather today", "some coffee", "the report"]
endings = [".", "!", "?", " please.", " now.", " again.", " today.", " for me."]
questions = ["What is {a} plus {b}?", "Can you add {a} and {b}?", "How much is {a}+{b}?",
             "Please tell me the sum of {a} and {b}.", "Could you help me with {a}+{b}?"]
answers = ["The answer is {s}.", "{a} plus {b} equals {s}.", "It is {s}.", "Sure! {a}+{b}={s}.",
           "That makes {s}."]
greetings = ["Hello!", "Hi there.", "Good morning.", "Thanks a lot!", "You are welcome.", "Goodbye.",
             "How are you?", "I am fine, thank you.", "Nice to meet you.", "Let me think about it."]
for _ in range(4000):
    lines.append(f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}{rng.choice(endings)}")
for _ in range(2000):
    a, b = rng.randint(0, 99), rng.randint(0, 99)
    q = rng.choice(questions).format(a=a, b=b)
    r = rng.choice(answers).format(a=a, b=b, s=a + b)
    lines.append(f"User: {q} Assistant: {r}")
for _ in range(1000):
    lines.append(rng.choice(greetings) + " " + rng.choice(greetings))
rng.shuffle(lines)
with open("src/main/resources/corpus/builtin-corpus.txt", "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
