/* A C program linking LabelAssign: pairwise IoU, one assignment, exact optimal transport. `make lib` builds and runs it. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "labelassign.h"

int main(int argc, char **argv) {
    const char *assigner = argc > 1 ? argv[1] : "atss";
    char error[256];
    char names[1024];
    la_assigner_names(names, sizeof names);
    printf("labelassign %s, presets: %s\n", la_version(), names[0] ? names : "(none)");
    if (strcmp(la_version(), LA_VERSION_STRING) != 0) {
        fprintf(stderr, "library %s does not match header %s\n", la_version(), LA_VERSION_STRING);
        return 1;
    }

    float boxes1[] = {0, 0, 10, 10, 5, 5, 15, 15};
    float boxes2[] = {5, 0, 15, 10};
    float iou[2];
    if (la_overlap_matrix(boxes1, 2, boxes2, 1, "iou", "torchvision", iou, error, sizeof error) != LA_OK) {
        fprintf(stderr, "error: %s\n", error);
        return 1;
    }
    printf("IoU: %.4f %.4f\n", iou[0], iou[1]);

    /* A 64x64 image, strides 8/16/32: 64 + 16 + 4 point priors at cell centres. */
    enum { W = 64, H = 64, C = 2 };
    float strides[] = {8, 16, 32};
    int64_t n = 0;
    float priors[84 * 4], pred[84 * 4], cls[84 * C], obj[84];
    for (int l = 0; l < 3; l++) {
        int s = (int)strides[l];
        for (int y = 0; y < H / s; y++)
            for (int x = 0; x < W / s; x++, n++) {
                float cx = (x + 0.5f) * s, cy = (y + 0.5f) * s;
                priors[4 * n] = cx; priors[4 * n + 1] = cy; priors[4 * n + 2] = s; priors[4 * n + 3] = s;
                pred[4 * n] = cx - s; pred[4 * n + 1] = cy - s; pred[4 * n + 2] = cx + s; pred[4 * n + 3] = cy + s;
                cls[C * n] = -2.0f; cls[C * n + 1] = -3.0f; obj[n] = -1.0f;
            }
    }
    float gt[] = {8, 8, 40, 36};
    int32_t labels[] = {0};
    int32_t assigned[84], positives[1];
    float quality[84];
    la_assigner *handle = NULL;
    int32_t rc = la_assigner_create(assigner, NULL, &handle, error, sizeof error);
    if (rc != LA_OK) {
        fprintf(stderr, "error %d: %s\n", rc, error);
        return 1;
    }
    la_layout layout = {W, H, strides, 3, C, priors, n, NULL};
    la_image image = {gt, labels, 1, pred, cls, obj, NULL, 0};
    la_outputs outputs = {assigned, NULL, quality, positives};
    rc = la_assign(handle, &layout, &image, &outputs, error, sizeof error);
    la_assigner_free(handle);
    if (rc != LA_OK) {
        fprintf(stderr, "error %d: %s\n", rc, error);
        return 1;
    }
    printf("%s: %d of %lld priors assigned to the object\n", assigner, positives[0], (long long)n);

    /* Exact optimal transport (POT's ot.emd): masses 1/2, 1/2 onto 3 uniform columns (b = NULL). */
    double a[] = {0.5, 0.5}, M[] = {0, 1, 2, 2, 1, 0}, plan[6], cost = 0;
    if ((rc = la_emd(a, NULL, M, 2, 3, 100000, plan, &cost, NULL, NULL, error, sizeof error)) != LA_OK) {
        fprintf(stderr, "la_emd error %d: %s\n", rc, error);
        return 1;
    }
    printf("emd plan: %.4f %.4f %.4f / %.4f %.4f %.4f, cost %.6f\n", plan[0], plan[1], plan[2], plan[3], plan[4], plan[5], cost);
    if (cost < 1.0 / 3 - 1e-12 || cost > 1.0 / 3 + 1e-12) {
        fprintf(stderr, "la_emd: cost %.17g, expected 1/3\n", cost);
        return 1;
    }
    return 0;
}
