/* The attention of a cached pass (cached_attention.c), shared with the whole-step kernel. */
#ifndef RLHF_CACHED_ATTENTION_H
#define RLHF_CACHED_ATTENTION_H
#include <stdint.h>

/*
 * Writes each row's key and value into its cache slot, then replaces each row's q with its
 * attention over the slot's positions [0, position]. scores: max_len floats; y: d floats.
 */
void rlhf_attend(float *qkv, float *cache, int rows, int heads, int d, int slots, int max_len,
                 const int32_t *slot_of, const int32_t *position_of, float scale, float *scores,
                 float *y);

#endif
