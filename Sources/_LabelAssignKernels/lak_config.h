/*
 * Build policy of the C kernels. Every .c file of this target includes this header first, and
 * so does every public header that defines inline functions (lak_pair_geometry.h), so the policy
 * holds for the whole target and for the copies of the inline functions that Swift compiles.
 *
 * Why C at all: the kernels exist for determinism and vectorisation control. A reference
 * formula is reproduced operation for operation in float32, and each loop is compiled so that
 * its vector and scalar paths, and every instruction-set clone, give the same bits.
 *
 * - Contraction off: `a * b + c` is always a rounded multiplication followed by a rounded
 *   addition, as the PyTorch references compute it. Clang's default (-ffp-contract=on) would
 *   fuse such expressions into FMA instructions wherever the target has them (aarch64, the
 *   AVX2 / AVX-512 clones), and the results would then depend on the CPU.
 * - LAK_CLONES: a hot function compiled for AVX-512 (x86-64-v4), AVX2 and the baseline, chosen
 *   once at load time; only where target_clones exists (x86-64 ELF with clang or GCC),
 *   elsewhere the function is compiled once, plainly.
 * - LAK_INLINE: small helpers and the single-pair formulas, always inlined so that the loops
 *   calling them vectorise as if the formula were written out in place.
 */
#ifndef LAK_CONFIG_H
#define LAK_CONFIG_H

/* Same results on every code path: never fuse a multiply and an add. This stays in force
 * for the rest of each translation unit that includes this header. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#else
#pragma STDC FP_CONTRACT OFF
#endif

#if defined(__x86_64__) && defined(__linux__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define LAK_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#endif
#endif
#ifndef LAK_CLONES
#define LAK_CLONES
#endif

#define LAK_INLINE static inline __attribute__((always_inline))

#endif
