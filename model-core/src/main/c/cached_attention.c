/*
 * The attention of a cached inference pass, for cached_step.c (model-core's NativeStep).
 *
 * Through DJL, a decode step's attention is ten or more tensor ops per layer (split, cache write,
 * mask, two batched matmuls, scale, softmax, reshapes), each a JNI call with a fixed cost of 1-25
 * us, and a batched matmul over (slot, head) pairs costs ~0.35 us per pair in libtorch however
 * small the pair. Here every packed row of the pass writes its key and value into its cache slot,
 * then each (row, head) attends to its slot's positions [0, position] — the causal mask needs no
 * tensor, and decode rows and prompt rows are the same thing: a row with a slot and a position.
 *
 * Layouts (float32, contiguous): qkv (rows, 3, heads, head_dim) — GPT-2's fused projection, q then
 * k then v; cache (2, slots, heads, max_len, head_dim) — keys then values (one layer of KvCache).
 * Each row's attention output overwrites its own q (once read), so the caller reads y as qkv[:,
 * 0:C].
 */
#include "cached_attention.h"

#include <stdint.h>
#include <string.h>

#include "vec8.h"

/* scores[j] = e^(scores[j] - max), in place; returns their sum. */
static inline __attribute__((always_inline)) float softmax_numerators(float *scores, int length,
                                                                      float max) {
  v8 sums = {0};
  int j = 0;
  for (; j + 8 <= length; j += 8) {
    v8 e = exp8_nonpositive(load8(scores + j) - max);
    *(v8u *)(scores + j) = e;
    sums += e;
  }
  float sum = sum8(sums);
  for (; j < length; j++) {
    float e = exp_nonpositive(scores[j] - max);
    scores[j] = e;
    sum += e;
  }
  return sum;
}

/* One (row, head): q (D) against keys/values (positions, D) of its slot; y (D) out. */
static inline __attribute__((always_inline)) void attend_head(const float *q, const float *keys,
                                                              const float *values, int length,
                                                              int d, float scale, float *scores,
                                                              float *y) {
  float max = -3.0e38f;
  for (int j = 0; j < length; j++) {
    const float *k = keys + (int64_t)j * d;
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int i = 0; i < d; i++) {
      s += q[i] * k[i];
    }
    s *= scale;
    scores[j] = s;
    max = s > max ? s : max;
  }
  float inv = 1.0f / softmax_numerators(scores, length, max);
  for (int i = 0; i < d; i++) {
    y[i] = 0.0f;
  }
  for (int j = 0; j < length; j++) {
    const float *v = values + (int64_t)j * d;
    float w = scores[j] * inv;
#pragma omp simd
    for (int i = 0; i < d; i++) {
      y[i] += w * v[i];
    }
  }
}

/*
 * attend_head for head sizes that are a multiple of 8, in 8-float vectors: a key's dot product is a
 * few FMAs and one tree sum, and the output stays in registers across all keys, 32 values at a time
 * in eight accumulators (four 8-wide slices, even and odd keys apart), so that no FMA waits on the
 * one before it, instead of a load and a store per key.
 */
static inline __attribute__((always_inline)) void attend_head8(const float *q, const float *keys,
                                                               const float *values, int length,
                                                               int d, float scale, float *scores,
                                                               float *y) {
  int chunks = d / 8;
  float max = -3.0e38f;
  for (int j = 0; j < length; j++) {
    const float *k = keys + (int64_t)j * d;
    v8 acc = load8(q) * load8(k);
    for (int c = 1; c < chunks; c++) {
      acc += load8(q + 8 * c) * load8(k + 8 * c);
    }
    float s = sum8(acc) * scale;
    scores[j] = s;
    max = s > max ? s : max;
  }
  float inv = 1.0f / softmax_numerators(scores, length, max);
  int c = 0;
  for (; c + 4 <= chunks; c += 4) { /* 32 outputs at a time: 8 independent sums (4 x even/odd) */
    const float *v = values + 8 * c;
    v8 e0 = {0}, e1 = {0}, e2 = {0}, e3 = {0}, o0 = {0}, o1 = {0}, o2 = {0}, o3 = {0};
    int j = 0;
    for (; j + 1 < length; j += 2) {
      const float *ve = v + (int64_t)j * d;
      const float *vo = ve + d;
      float we = scores[j];
      float wo = scores[j + 1];
      e0 += we * load8(ve);
      e1 += we * load8(ve + 8);
      e2 += we * load8(ve + 16);
      e3 += we * load8(ve + 24);
      o0 += wo * load8(vo);
      o1 += wo * load8(vo + 8);
      o2 += wo * load8(vo + 16);
      o3 += wo * load8(vo + 24);
    }
    if (j < length) {
      const float *ve = v + (int64_t)j * d;
      float we = scores[j];
      e0 += we * load8(ve);
      e1 += we * load8(ve + 8);
      e2 += we * load8(ve + 16);
      e3 += we * load8(ve + 24);
    }
    *(v8u *)(y + 8 * c) = (e0 + o0) * inv;
    *(v8u *)(y + 8 * c + 8) = (e1 + o1) * inv;
    *(v8u *)(y + 8 * c + 16) = (e2 + o2) * inv;
    *(v8u *)(y + 8 * c + 24) = (e3 + o3) * inv;
  }
  for (; c < chunks; c++) { /* the rest, 8 outputs at a time */
    const float *v = values + 8 * c;
    v8 even = {0};
    v8 odd = {0};
    int j = 0;
    for (; j + 1 < length; j += 2) {
      even += scores[j] * load8(v + (int64_t)j * d);
      odd += scores[j + 1] * load8(v + (int64_t)(j + 1) * d);
    }
    if (j < length) {
      even += scores[j] * load8(v + (int64_t)j * d);
    }
    *(v8u *)(y + 8 * c) = (even + odd) * inv;
  }
}

/* Clones for x86-64-v3 (AVX2 + FMA) and the baseline, picked at load time; every helper above is
 * always_inline so that it is compiled into each clone (a helper left out of line would be
 * compiled for the baseline only: measured 19 ns per (row, head, key) instead of 3.7). */
__attribute__((target_clones("arch=x86-64-v3", "default"))) void rlhf_attend(
    float *qkv, float *cache, int rows, int heads, int d, int slots, int max_len,
    const int32_t *slot_of, const int32_t *position_of, float scale, float *scores, float *y) {
  int64_t c = (int64_t)heads * d;
  int64_t head_stride = (int64_t)max_len * d;
  int64_t slot_stride = heads * head_stride;
  float *keys = cache;
  float *values = cache + (int64_t)slots * slot_stride;
  for (int n = 0; n < rows; n++) { /* every key and value first: a prompt row reads earlier ones */
    const float *row = qkv + n * 3 * c;
    int64_t at = slot_of[n] * slot_stride + (int64_t)position_of[n] * d;
    for (int h = 0; h < heads; h++) {
      memcpy(keys + at + h * head_stride, row + c + h * d, sizeof(float) * d);
      memcpy(values + at + h * head_stride, row + 2 * c + h * d, sizeof(float) * d);
    }
  }
  for (int n = 0; n < rows; n++) {
    float *row = qkv + n * 3 * c;
    int64_t base = slot_of[n] * slot_stride;
    for (int h = 0; h < heads; h++) {
      int64_t at = base + h * head_stride;
      int length = position_of[n] + 1;
      if (d % 8 == 0) {
        attend_head8(row + h * d, keys + at, values + at, length, d, scale, scores, y);
      } else {
        attend_head(row + h * d, keys + at, values + at, length, d, scale, scores, y);
      }
      memcpy(row + h * d, y, sizeof(float) * d); /* q of this head is no longer needed */
    }
  }
}
