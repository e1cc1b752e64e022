#include "lak_losses.h"

#include <stdint.h>
#include <string.h>

#include "lak_vector_math.h"

/* Compiled per instruction set (LAK_CLONES); every clone performs the same IEEE operations. */
LAK_CLONES
int lak_sigmoid_log_sigmoid(const float *x, int64_t n, float *sig, float *logsig) {
    uint32_t flagged = 0;
    for (int64_t i = 0; i < n; i++) {
        float v = x[i];
        uint32_t bits;
        memcpy(&bits, &v, sizeof bits);
        flagged |= (bits & 0x7f800000u) == 0x7f800000u;   /* NaN or infinity */
        float av = v < 0.0f ? -v : v;
        float z = lak_exp(-av);
        float one_plus = 1.0f + z;
        sig[i] = (v >= 0.0f ? 1.0f : z) / one_plus;
        logsig[i] = (v < 0.0f ? v : 0.0f) - lak_log1p_unit(z);
    }
    return flagged != 0;
}
