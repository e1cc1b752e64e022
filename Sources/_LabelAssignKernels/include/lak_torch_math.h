/*
 * PyTorch's scalar-exponent power, defined once for the C kernels and for Swift (`torchPow`).
 */
#ifndef LAK_TORCH_MATH_H
#define LAK_TORCH_MATH_H

#include <math.h>

#include "../lak_config.h"

/**
 * One float32 element of `torch.pow(tensor, exponent)` / `tensor ** exponent` on the CPU, as
 * PyTorch 2.x dispatches it (aten/src/ATen/native/Pow.cpp, native/cpu/PowKernel.cpp):
 * exponent 0 fills 1 and exponent 1 copies; 0.5 is sqrt(x), -0.5 is 1 / sqrt(x), -1 is 1 / x;
 * 2, 3 and -2 are the products x * x, x * x * x and 1 / (x * x); any other exponent is
 * std::pow(float, double): pow in double, rounded to float32 (the kernel's scalar path; its
 * vector path calls Sleef's powf, within 1 ulp of that). Exponent 6 (the TAL / TOOD beta) is
 * computed as d2 * d2 * d2 with d2 = x * x in double, which rounds to the same float32 as pow in
 * double but needs no libm call.
 */
LAK_INLINE float lak_torch_pow(float x, double e) {
    if (e == 0.0) return 1.0f;
    if (e == 1.0) return x;
    if (e == 0.5) return __builtin_elementwise_sqrt(x);
    if (e == -0.5) return 1.0f / __builtin_elementwise_sqrt(x);
    if (e == -1.0) return 1.0f / x;
    if (e == 2.0) return x * x;
    if (e == 3.0) return x * x * x;
    if (e == -2.0) return 1.0f / (x * x);
    if (e == 6.0) {
        double d = (double)x, d2 = d * d;
        return (float)(d2 * d2 * d2);
    }
    return (float)pow((double)x, e);
}

#endif
