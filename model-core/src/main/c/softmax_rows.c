/*
 * The softmax numerators of rows of logits, for model-core's samplers (SoftmaxRows.java): per row,
 * w[i] = e^(l[i] - max), the row's max, Z = sum w[i] and sum w[i] (l[i] - max) — everything a
 * sampler needs for the draw, the chosen token's logprob (l - max - log Z) and the entropy (log Z -
 * sum w (l - max) / Z). In Java the exponentials are a Math.exp call each, ~4.7 ns per logit: 2.4
 * us of a 3.2 us sampling call at a 512-token vocabulary, and 12-16% of model-svc's decode thread
 * at 16 clients (profiled).
 */
#include <jni.h>
#include <stdint.h>

#include "vec8.h"

/* One row: w = e^(l - max); stats = {max, Z, sum w (l - max)}. A logit of -inf has weight 0. */
static inline __attribute__((always_inline)) void softmax_row(const float *l, int v, float *w,
                                                              double *stats) {
  float max = -__builtin_inff();
  int i = 0;
  if (v >= 8) {
    v8 m = load8(l);
    for (i = 8; i + 8 <= v; i += 8) {
      m = max8(load8(l + i), m);
    }
    for (int k = 0; k < 8; k++) {
      max = m[k] > max ? m[k] : max;
    }
  }
  for (; i < v; i++) {
    max = l[i] > max ? l[i] : max;
  }
  /* sums in doubles: a float sum of 512 weights could drift by ~4e-6 of Z (64 adds a lane, bound)
   */
  typedef double v4d __attribute__((vector_size(32)));
  v4d sums = {0};
  v4d dots = {0};
  const v8 floor = (v8){0} - 87.0f; /* below it the weight is 0: keeps 0 * -inf out of the dot */
  for (i = 0; i + 8 <= v; i += 8) {
    v8 x = load8(l + i) - max;
    v8 e = exp8_nonpositive(x);
    *(v8u *)(w + i) = e;
    v8 ex = e * max8(x, floor);
    sums += __builtin_convertvector(__builtin_shufflevector(e, e, 0, 1, 2, 3), v4d) +
            __builtin_convertvector(__builtin_shufflevector(e, e, 4, 5, 6, 7), v4d);
    dots += __builtin_convertvector(__builtin_shufflevector(ex, ex, 0, 1, 2, 3), v4d) +
            __builtin_convertvector(__builtin_shufflevector(ex, ex, 4, 5, 6, 7), v4d);
  }
  double z = (sums[0] + sums[2]) + (sums[1] + sums[3]);
  double dot = (dots[0] + dots[2]) + (dots[1] + dots[3]);
  for (; i < v; i++) {
    float x = l[i] - max;
    float e = exp_nonpositive(x);
    w[i] = e;
    z += e;
    dot += x < -87.0f ? 0.0 : (double)e * x;
  }
  stats[0] = max;
  stats[1] = z;
  stats[2] = dot;
}

/* Clones for x86-64-v3 (AVX2 + FMA) and the baseline, as in cached_attention.c. */
__attribute__((target_clones("arch=x86-64-v3", "default"))) static void softmax_rows(
    const float *logits, int rows, int v, float *weights, double *stats) {
  for (int r = 0; r < rows; r++) {
    softmax_row(logits + (int64_t)r * v, v, weights + (int64_t)r * v, stats + 3 * (int64_t)r);
  }
}

/* logits and weights: rows x vocab floats at least; stats: 3 x rows doubles at least. */
JNIEXPORT void JNICALL Java_dev_rlhfmesh_model_sampling_SoftmaxRows_fillRows(
    JNIEnv *env, jclass cls, jfloatArray logits, jint rows, jint vocab, jfloatArray weights,
    jdoubleArray stats) {
  (void)cls;
  if (logits == NULL || weights == NULL || stats == NULL || rows < 1 || vocab < 1 ||
      (*env)->GetArrayLength(env, logits) < (int64_t)rows * vocab ||
      (*env)->GetArrayLength(env, weights) < (int64_t)rows * vocab ||
      (*env)->GetArrayLength(env, stats) < 3 * (int64_t)rows) {
    jclass iae = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
    if (iae != NULL) {
      (*env)->ThrowNew(env, iae, "softmax rows: arrays smaller than rows x vocab");
    }
    return;
  }
  /* critical sections: no copies, no JNI calls until released (a few microseconds) */
  float *l = (*env)->GetPrimitiveArrayCritical(env, logits, NULL);
  float *w = (*env)->GetPrimitiveArrayCritical(env, weights, NULL);
  double *s = (*env)->GetPrimitiveArrayCritical(env, stats, NULL);
  if (l != NULL && w != NULL && s != NULL) {
    softmax_rows(l, rows, vocab, w, s);
  }
  if (s != NULL) {
    (*env)->ReleasePrimitiveArrayCritical(env, stats, s, 0);
  }
  if (w != NULL) {
    (*env)->ReleasePrimitiveArrayCritical(env, weights, w, 0);
  }
  if (l != NULL) {
    (*env)->ReleasePrimitiveArrayCritical(env, logits, l, JNI_ABORT);
  }
}
