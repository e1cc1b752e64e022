import _LabelAssignKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Scalar float32 functions written the way PyTorch's CPU kernels evaluate them, for the Swift
// ports of the references (TAL, TOOD, the task-aligned targets, the losses, the diagnostics).
//
// Sigmoid. `torchSigmoid` is 1 / (1 + e^{−x}) with libm's single-precision `expf`, torch's
// scalar formula. The C kernels use their own vectorisable sigmoid instead, `lak_sigmoid` and
// `lak_sigmoid_log_sigmoid` (a branch-free Cephes exp polynomial, about 1 ulp from expf), in
// three places: the SimOTA and dynamic-soft-label class costs (`dynamic_cost.c`), the
// classification losses' σ / ln σ pass (`Losses`, `losses.c`) and OTA's focal cost terms
// (`losses.c`). Those loops run over every prior and class (N × C values) and a libm call keeps a
// loop scalar; the polynomial gives the same bits in every vector and scalar clone. No scalar
// formula is bit-identical to torch on such tensors anyway: its vectorised sigmoid calls Sleef's
// expf (within 1 ulp), and the fixtures check the outputs built from it to 1e-4.
//
// Power. `torchPow` is `lak_torch_pow` (`lak_torch_math.h`), which the C focal terms also call:
// one definition of torch's scalar-exponent dispatch for both languages.

/// `torch.sigmoid` of one float32 value: 1 / (1 + e^{−x}) with `expf` (e^{−x} = ∞ gives 0, not NaN).
@inline(__always) package func torchSigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

/// `torch.pow(tensor, exponent)` / `tensor ** exponent` for a scalar exponent, one element:
/// 0 gives 1, 1 the base, 0.5 `sqrt`, −0.5 `1 / sqrt`, −1 the reciprocal, 2 / 3 / −2 products,
/// anything else `pow` in double rounded to float32 (`lak_torch_pow`).
@inline(__always) package func torchPow(_ base: Float, _ exponent: Double) -> Float { lak_torch_pow(base, exponent) }
