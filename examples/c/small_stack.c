/*
 * LabelAssign on a thread with a small stack, as a trainer's worker thread may have: deeply
 * nested JSON and hostile counts give error codes, never a crash. `make lib` builds and runs it.
 *
 * glibc takes a thread's static TLS from its stack, and OpenBLAS alone has 60 KiB of it, so the
 * thread gets 64 KiB of usable stack on top of that (STACK below).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labelassign.h"

static const char *scene =
    "{\"image\": [32, 32], \"strides\": [16, 32], \"num_classes\": 1,"
    " \"priors\": [[8, 8, 16, 16], [24, 8, 16, 16], [8, 24, 16, 16], [24, 24, 16, 16], [16, 16, 32, 32]],"
    " \"gt_bboxes\": [[2, 2, 20, 18]], \"gt_labels\": [0],"
    " \"pred_bboxes\": [[1, 1, 15, 15], [17, 1, 31, 15], [1, 17, 15, 31], [17, 17, 31, 31], [0, 0, 32, 32]],"
    " \"cls_logits\": [[-1], [-2], [-2], [-3], [-1]], \"obj_logits\": [0, -1, -1, -2, 0]";

enum { STACK = 64 * 1024 + 64 * 1024 };

struct job { const char *json; int32_t rc; char *result; char error[256]; };

static void *run(void *arg) {
    struct job *j = arg;
    j->result = (char *)1; /* must be reset by the call */
    j->rc = la_assign_json("simota", NULL, j->json, &j->result, j->error, sizeof j->error);
    return NULL;
}

/* The scene with `depth` levels of [] under an extra key (depth 0: the scene alone). */
static char *nested(int depth) {
    size_t n = strlen(scene) + 2 * (size_t)depth + 32;
    char *s = malloc(n), *p = s;
    p += sprintf(p, "%s", scene);
    if (depth > 0) {
        p += sprintf(p, ", \"extra\": ");
        memset(p, '[', depth); p += depth;
        memset(p, ']', depth); p += depth;
    }
    sprintf(p, "}");
    return s;
}

static int on_small_stack(struct job *j) {
    pthread_attr_t attr;
    pthread_t thread;
    pthread_attr_init(&attr);
    if (pthread_attr_setstacksize(&attr, STACK) != 0) return -1;
    if (pthread_create(&thread, &attr, run, j) != 0) return -1;
    pthread_join(thread, NULL);
    pthread_attr_destroy(&attr);
    return 0;
}

int main(void) {
    int depths[] = {0, 500, 5000, 1000000};
    int failures = 0;
    for (int k = 0; k < 4; k++) {
        struct job j = {nested(depths[k]), -1, NULL, ""};
        if (on_small_stack(&j) != 0) { fprintf(stderr, "cannot start a thread with a %d KiB stack\n", STACK / 1024); return 1; }
        int ok = depths[k] == 0 ? (j.rc == LA_OK && j.result != NULL) : (j.rc == LA_ERROR_INVALID_INPUT && j.result == NULL);
        printf("64 KiB usable stack, nesting %7d: rc %d%s%s\n", depths[k], j.rc, j.rc ? ", " : "", j.rc ? j.error : "");
        failures += !ok;
        if (j.rc == LA_OK) la_free(j.result);
        free((void *)j.json);
    }
    /* Hostile counts: x4 overflows and NULL out-pointers are argument errors. */
    char error[256];
    float box[4] = {0, 0, 1, 1}, out[1];
    int32_t assigned[1];
    failures += la_overlap_matrix(box, INT64_C(1) << 62, box, 1, "iou", "torchvision", out, error, sizeof error) != LA_ERROR_ARGUMENT;
    la_assigner *tal = NULL;
    failures += la_assigner_create("tal", NULL, &tal, error, sizeof error) != LA_OK;
    la_layout layout = {32, 32, NULL, 0, 1, box, INT64_C(1) << 62, NULL};
    la_image image = {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0};
    la_outputs outputs = {assigned, NULL, NULL, NULL};
    failures += la_assign(tal, &layout, &image, &outputs, error, sizeof error) != LA_ERROR_ARGUMENT;
    la_assigner_free(tal);
    char *result = (char *)1;
    failures += la_assign_json(NULL, NULL, scene, &result, error, sizeof error) != LA_ERROR_ARGUMENT || result != NULL;
    printf("hostile counts and pointers: %s\n", failures ? "FAILED" : "argument errors");
    return failures != 0;
}
