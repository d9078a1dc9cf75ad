/*
 * 8-float vector helpers and the exponential of a non-positive float, shared by the native step's
 * attention (cached_attention.c) and the samplers' softmax (softmax_rows.c). Everything here is
 * static inline and always_inline, so that each target_clones clone compiles its own copy.
 */
#ifndef RLHF_VEC8_H
#define RLHF_VEC8_H
#include <stdint.h>

/*
 * e^x for x <= 0 (values minus their maximum): range reduction x = n ln2 + r, |r| <= ln2/2, Cephes'
 * degree-6 polynomial, 2^n by exponent bits; about 1 ulp, 0 below -87 (as expf underflows).
 */
static inline __attribute__((always_inline)) float exp_nonpositive(float x) {
  if (x < -87.0f) {
    return 0.0f;
  }
  float n = __builtin_rintf(x * 1.44269504088896341f);
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float y = p * r * r + r + 1.0f;
  union {
    int32_t i;
    float f;
  } scale = {.i = ((int32_t)n + 127) << 23};
  return y * scale.f;
}

/*
 * 8-float vectors (GCC's vector extension: one AVX register, two SSE ones; AVX-512's 16 floats gain
 * nothing on AMD's Zen 4, which splits them in two, and 16-float vectors spill on AVX2).
 */
typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4))); /* unaligned access */
typedef int32_t v8i __attribute__((vector_size(32)));

static inline __attribute__((always_inline)) v8 load8(const float *p) { return *(const v8u *)p; }

static inline __attribute__((always_inline)) float sum8(v8 v) {
  typedef float v4 __attribute__((vector_size(16)));
  v4 a = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
  return (a[0] + a[2]) + (a[1] + a[3]);
}

/* Lane by lane, a where a > b, else b (so b where a is NaN). */
static inline __attribute__((always_inline)) v8 max8(v8 a, v8 b) {
  v8i greater = a > b;
  return (v8)(((v8i)a & greater) | ((v8i)b & ~greater));
}

/* exp_nonpositive on 8 lanes, the same steps (rounding by adding and taking away 1.5 * 2^23). */
static inline __attribute__((always_inline)) v8 exp8_nonpositive(v8 x) {
  v8i under = x < -87.0f;
  x = (v8)((v8i)x & ~under) + (v8)((v8i)((v8){0} - 87.0f) & under); /* clamp: no overflow below */
  v8 n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  v8 r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  v8 p = r * 1.9875691500e-4f + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  v8 y = p * r * r + r + 1.0f;
  v8i bits = (__builtin_convertvector(n, v8i) + 127) << 23;
  return (v8)((v8i)(y * (v8)bits) & ~under);
}

#endif
