/*
 * A whole cached inference pass of GPT-2 in one native call (model-core's NativeStep): embeddings,
 * every block (LayerNorm, fused QKV projection, the attention of cached_attention.c, output
 * projection, residual, LayerNorm, MLP with GELU, residual), the final LayerNorm and the tied LM
 * head for each row's last token. Through DJL the same pass is ~18 tensor ops per layer, each a JNI
 * call with a fixed cost of 1-10 us; here the matmuls call the same MKL sgemm that libtorch's own
 * matmul uses (libtorch_cpu.so exports it, with MKL's vector math), and everything between them is
 * a loop over the rows.
 *
 * Layouts (float32, row-major, contiguous): weights in Hugging Face GPT-2's Conv1D layout (in,
 * out); wte (V, C), wpe (P, C); caches as in cached_attention.c, one (2, slots, H, max_len, D)
 * block per layer, layers back to back.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jni.h>
#include <link.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cached_attention.h"

typedef void (*sgemm_fn)(const char *, const char *, const int *, const int *, const int *,
                         const float *, const float *, const int *, const float *, const int *,
                         const float *, float *, const int *);
typedef void (*vs_fn)(const int, const float *, float *);

static sgemm_fn sgemm;
static vs_fn vs_erf;
static vs_fn vs_tanh;

/* dl_iterate_phdr callback: the path of the loaded libtorch_cpu.so */
static int find_torch(struct dl_phdr_info *info, size_t size, void *out) {
  (void)size;
  const char *name = info->dlpi_name;
  if (name != NULL && strstr(name, "libtorch_cpu.so") != NULL) {
    *(const char **)out = name;
    return 1;
  }
  return 0;
}

/* Resolves MKL's sgemm_, vsErf and vsTanh from the libtorch the JVM already loaded; 0 if absent. */
static int resolve_blas(void) {
  if (sgemm != NULL) {
    return 1;
  }
  const char *path = NULL;
  dl_iterate_phdr(find_torch, &path);
  if (path == NULL) {
    return 0;
  }
  void *lib = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
  if (lib == NULL) {
    return 0;
  }
  vs_erf = (vs_fn)dlsym(lib, "vsErf");
  vs_tanh = (vs_fn)dlsym(lib, "vsTanh");
  sgemm_fn g = (sgemm_fn)dlsym(lib, "sgemm_");
  if (vs_erf == NULL || vs_tanh == NULL || g == NULL) {
    return 0;
  }
  sgemm = g;
  return 1;
}

/* out (rows, m) = in (rows, k; row stride ld_in) x w (k, m) + bias (m), row-major. */
static inline __attribute__((always_inline)) void linear(const float *in, int ld_in, int rows,
                                                         int k, const float *w, const float *bias,
                                                         int m, float *out) {
  const float one = 1.0f;
  const float zero = 0.0f;
  /* column-major view: out^T (m, rows) = w^T (m, k) x in^T (k, rows) */
  sgemm("N", "N", &m, &rows, &k, &one, w, &m, in, &ld_in, &zero, out, &m);
  for (int r = 0; r < rows; r++) {
    float *o = out + (int64_t)r * m;
    for (int j = 0; j < m; j++) {
      o[j] += bias[j];
    }
  }
}

/* x = t + x over n values: a residual add, in the DJL path's order ((in x w + bias) + x). */
static inline __attribute__((always_inline)) void residual(float *x, const float *t, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    x[i] = t[i] + x[i];
  }
}

/* out = LayerNorm(x) * g + b over the last dimension (c), biased variance, as torch computes it. */
static inline __attribute__((always_inline)) void layer_norm(const float *x, int rows, int c,
                                                             const float *g, const float *b,
                                                             float eps, float *out) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + (int64_t)r * c;
    float *o = out + (int64_t)r * c;
    float mean = 0.0f;
#pragma omp simd reduction(+ : mean)
    for (int j = 0; j < c; j++) {
      mean += xr[j];
    }
    mean /= (float)c;
    float var = 0.0f;
#pragma omp simd reduction(+ : var)
    for (int j = 0; j < c; j++) {
      float d = xr[j] - mean;
      var += d * d;
    }
    var /= (float)c;
    float inv = 1.0f / sqrtf(var + eps);
    for (int j = 0; j < c; j++) {
      o[j] = (xr[j] - mean) * inv * g[j] + b[j];
    }
  }
}

/* GELU in place: exact x/2 (1 + erf(x / sqrt 2)), or GPT-2's tanh form (gelu_new). */
static inline __attribute__((always_inline)) void gelu(float *x, int64_t n, int exact,
                                                       float *scratch) {
  const int chunk = 1 << 14;
  for (int64_t at = 0; at < n; at += chunk) {
    int len = (int)(n - at < chunk ? n - at : chunk);
    float *v = x + at;
    if (exact) {
      for (int i = 0; i < len; i++) {
        scratch[i] = v[i] * 0.70710678118654752f;
      }
      vs_erf(len, scratch, scratch);
      for (int i = 0; i < len; i++) {
        v[i] = v[i] * 0.5f * (1.0f + scratch[i]);
      }
    } else {
      for (int i = 0; i < len; i++) {
        scratch[i] = 0.79788456080286536f * (v[i] + 0.044715f * v[i] * v[i] * v[i]);
      }
      vs_tanh(len, scratch, scratch);
      for (int i = 0; i < len; i++) {
        v[i] = 0.5f * v[i] * (1.0f + scratch[i]);
      }
    }
  }
}

/* Pointers into the model's tensors, in the order NativeStep.bind passes them. */
enum { GLOBALS = 4, PER_LAYER = 12 };

typedef struct {
  int layers, c, heads, inner, vocab, positions, exact_gelu;
  float eps;
  const float **w; /* wte, wpe, ln_f.w, ln_f.b, then per layer: ln_1.w, ln_1.b, c_attn.w, c_attn.b,
                      attn.c_proj.w, attn.c_proj.b, ln_2.w, ln_2.b, c_fc.w, c_fc.b, mlp.c_proj.w,
                      mlp.c_proj.b */
} model;

/* Clones as in cached_attention.c: the row loops above are inlined here, vectorised per target. */
__attribute__((target_clones("arch=x86-64-v3", "default"))) static void run(
    const model *m, float *cache, int slots, int max_len, int rows, const int32_t *ids,
    const int32_t *slot_of, const int32_t *position_of, int outputs, const int32_t *last,
    float *logits, float *mem) {
  int c = m->c;
  int d = c / m->heads;
  int inner = m->inner;
  float *x = mem;                         /* (rows, c) residual stream */
  float *h = x + (int64_t)rows * c;       /* (rows, c) normalised */
  float *qkv = h + (int64_t)rows * c;     /* (rows, 3c) */
  float *f = qkv + (int64_t)rows * 3 * c; /* (rows, inner) */
  float *t = f + (int64_t)rows * inner;   /* (rows, c) sublayer output */
  float *scratch = t + (int64_t)rows * c; /* max_len + d scores, then gelu's chunk */
  const float *wte = m->w[0];
  const float *wpe = m->w[1];
  for (int r = 0; r < rows; r++) {
    const float *tok = wte + (int64_t)ids[r] * c;
    const float *pos = wpe + (int64_t)position_of[r] * c;
    for (int j = 0; j < c; j++) {
      x[(int64_t)r * c + j] = tok[j] + pos[j];
    }
  }
  int64_t layer_cache = 2 * (int64_t)slots * c * max_len;
  float scale = 1.0f / sqrtf((float)d);
  for (int l = 0; l < m->layers; l++) {
    const float **p = m->w + GLOBALS + l * PER_LAYER;
    layer_norm(x, rows, c, p[0], p[1], m->eps, h);
    linear(h, c, rows, c, p[2], p[3], 3 * c, qkv);
    rlhf_attend(qkv, cache + l * layer_cache, rows, m->heads, d, slots, max_len, slot_of,
                position_of, scale, scratch, scratch + max_len);
    linear(qkv, 3 * c, rows, c, p[4], p[5], c, t); /* the outputs sit where the q were */
    residual(x, t, (int64_t)rows * c);
    layer_norm(x, rows, c, p[6], p[7], m->eps, h);
    linear(h, c, rows, c, p[8], p[9], inner, f);
    gelu(f, (int64_t)rows * inner, m->exact_gelu, scratch);
    linear(f, inner, rows, inner, p[10], p[11], c, t);
    residual(x, t, (int64_t)rows * c);
  }
  for (int b = 0; b < outputs; b++) { /* ln_f on each row's last token */
    layer_norm(x + (int64_t)last[b] * c, 1, c, m->w[2], m->w[3], m->eps, h + (int64_t)b * c);
  }
  const float one = 1.0f;
  const float zero = 0.0f;
  int v = m->vocab;
  /* logits (outputs, v) = h x wte^T; column-major: logits^T (v, outputs) = wte (v, c) x h^T */
  sgemm("T", "N", &v, &outputs, &c, &one, wte, &c, h, &c, &zero, logits, &v);
}

static void throw_iae(JNIEnv *env, const char *message) {
  jclass iae = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
  if (iae != NULL) {
    (*env)->ThrowNew(env, iae, message);
  }
}

/*
 * Binds a model: checks every tensor's byte size against the shape and keeps its address. Returns
 * 0 when libtorch's MKL functions cannot be found (the caller uses DJL's ops instead).
 */
JNIEXPORT jlong JNICALL Java_dev_rlhfmesh_model_gpt_NativeStep_bindAddresses(
    JNIEnv *env, jclass cls, jobjectArray tensors, jint layers, jint c, jint heads, jint inner,
    jint vocab, jint positions, jfloat eps, jboolean exact_gelu) {
  (void)cls;
  if (!resolve_blas()) {
    return 0;
  }
  int count = GLOBALS + layers * PER_LAYER;
  if (layers < 1 || c < 1 || heads < 1 || c % heads != 0 || inner < 1 || vocab < 1 ||
      positions < 1 || (*env)->GetArrayLength(env, tensors) != count) {
    throw_iae(env, "bad model shape");
    return 0;
  }
  int64_t sizes[PER_LAYER] = {c, c, (int64_t)c * 3 * c, 3 * c, (int64_t)c * c,     c,
                              c, c, (int64_t)c * inner, inner, (int64_t)inner * c, c};
  int64_t globals[GLOBALS] = {(int64_t)vocab * c, (int64_t)positions * c, c, c};
  model *m = calloc(1, sizeof(model));
  const float **w = calloc(count, sizeof(float *));
  if (m == NULL || w == NULL) {
    free(m);
    free(w);
    return 0;
  }
  for (int i = 0; i < count; i++) {
    jobject buffer = (*env)->GetObjectArrayElement(env, tensors, i);
    int64_t want = i < GLOBALS ? globals[i] : sizes[(i - GLOBALS) % PER_LAYER];
    w[i] = buffer == NULL ? NULL : (*env)->GetDirectBufferAddress(env, buffer);
    if (w[i] == NULL ||
        (*env)->GetDirectBufferCapacity(env, buffer) != want * (int64_t)sizeof(float)) {
      free(m);
      free(w);
      throw_iae(env, "a weight tensor does not match the model's shape");
      return 0;
    }
    (*env)->DeleteLocalRef(env, buffer);
  }
  *m = (model){layers, c, heads, inner, vocab, positions, exact_gelu, eps, w};
  return (jlong)(intptr_t)m;
}

JNIEXPORT void JNICALL Java_dev_rlhfmesh_model_gpt_NativeStep_release(JNIEnv *env, jclass cls,
                                                                      jlong handle) {
  (void)env;
  (void)cls;
  model *m = (model *)(intptr_t)handle;
  if (m != NULL) {
    free((void *)m->w);
    free(m);
  }
}

/*
 * One pass: rows[n] = (ids[n], slot_of[n], position_of[n]); logits of rows last[b] into logits
 * (outputs x V; the array may be longer, a buffer reused across passes). Every index is checked
 * here before memory is touched.
 */
JNIEXPORT void JNICALL Java_dev_rlhfmesh_model_gpt_NativeStep_run(
    JNIEnv *env, jclass cls, jlong handle, jobject cache_buffer, jint slots, jint max_len,
    jintArray id_array, jintArray slot_array, jintArray position_array, jintArray last_array,
    jfloatArray logits_array) {
  (void)cls;
  const model *m = (const model *)(intptr_t)handle;
  float *cache = cache_buffer == NULL ? NULL : (*env)->GetDirectBufferAddress(env, cache_buffer);
  if (m == NULL || cache == NULL) {
    throw_iae(env, "no model or no cache");
    return;
  }
  int rows = (*env)->GetArrayLength(env, id_array);
  int outputs = (*env)->GetArrayLength(env, last_array);
  int d = m->c / m->heads;
  if (rows < 1 || outputs < 1 || slots < 1 || max_len < 1 || max_len > m->positions ||
      (*env)->GetArrayLength(env, slot_array) != rows ||
      (*env)->GetArrayLength(env, position_array) != rows ||
      (*env)->GetArrayLength(env, logits_array) < (int64_t)outputs * m->vocab ||
      (*env)->GetDirectBufferCapacity(env, cache_buffer) !=
          (int64_t)m->layers * 2 * slots * m->c * max_len * (int64_t)sizeof(float)) {
    throw_iae(env, "pass shapes do not match the model and cache");
    return;
  }
  int64_t scratch = (int64_t)max_len + d > 16384 ? (int64_t)max_len + d : 16384;
  int64_t floats =
      (int64_t)rows * (6 * (int64_t)m->c + m->inner) + scratch + (int64_t)outputs * m->vocab;
  int32_t *index = malloc(sizeof(int32_t) * (4 * (size_t)rows + (size_t)outputs));
  float *mem = malloc(sizeof(float) * (size_t)floats);
  if (index == NULL || mem == NULL) {
    free(index);
    free(mem);
    jclass oom = (*env)->FindClass(env, "java/lang/OutOfMemoryError");
    if (oom != NULL) {
      (*env)->ThrowNew(env, oom, "native step scratch");
    }
    return;
  }
  int32_t *ids = index;
  int32_t *slot_of = ids + rows;
  int32_t *position_of = slot_of + rows;
  int32_t *last = position_of + rows;
  (*env)->GetIntArrayRegion(env, id_array, 0, rows, ids);
  (*env)->GetIntArrayRegion(env, slot_array, 0, rows, slot_of);
  (*env)->GetIntArrayRegion(env, position_array, 0, rows, position_of);
  (*env)->GetIntArrayRegion(env, last_array, 0, outputs, last);
  int ok = 1;
  for (int n = 0; ok && n < rows; n++) {
    ok = ids[n] >= 0 && ids[n] < m->vocab && slot_of[n] >= 0 && slot_of[n] < slots &&
         position_of[n] >= 0 && position_of[n] < max_len;
  }
  for (int b = 0; ok && b < outputs; b++) {
    ok = last[b] >= 0 && last[b] < rows;
  }
  if (ok) {
    float *logits = mem + (int64_t)rows * (6 * (int64_t)m->c + m->inner) + scratch;
    run(m, cache, slots, max_len, rows, ids, slot_of, position_of, outputs, last, logits, mem);
    (*env)->SetFloatArrayRegion(env, logits_array, 0, outputs * m->vocab, logits);
  } else {
    throw_iae(env, "token id, slot, position or output row outside its range");
  }
  free(index);
  free(mem);
}
