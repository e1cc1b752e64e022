/*
 * assign SCENE.json ASSIGNER [OPTIONS_JSON]: one scene file through la_assign; prints
 * {"assigned_gt": [...]}, the assigned_gt that `labelassign assign SCENE.json --assigner ASSIGNER`
 * prints. Build: cc -std=c99 assign.c $(pkg-config --cflags --libs labelassign)
 *
 * The scene reader below knows just enough JSON for the scene format: an object whose values
 * are numbers or (nested) arrays of numbers are read flat; strings, objects and other keys
 * ("expected", "name", ...) are skipped.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labelassign.h"

/** A flat array of numbers (a JSON number or nested arrays of numbers), or absent. */
typedef struct {
    double *values;
    int64_t count;
    int present;
} numbers;

typedef struct {
    const char *at;
    const char *error;
} reader;

static void skip_space(reader *r) {
    while (isspace((unsigned char)*r->at)) r->at++;
}

static void push(numbers *out, double v) {
    if ((out->count & (out->count - 1)) == 0) { /* grow at powers of two */
        double *grown = realloc(out->values, sizeof(double) * (size_t)(out->count ? 2 * out->count : 1));
        if (!grown) { fprintf(stderr, "out of memory\n"); exit(1); }
        out->values = grown;
    }
    out->values[out->count++] = v;
}

/* Skips one JSON string (r->at on its opening quote). */
static void skip_string(reader *r) {
    for (r->at++; *r->at && *r->at != '"'; r->at++)
        if (*r->at == '\\' && r->at[1]) r->at++;
    if (*r->at == '"') r->at++; else r->error = "unterminated string";
}

/* Reads one value: numbers into `out` (NULL: skip it), arrays flattened, anything else skipped. */
static void read_value(reader *r, numbers *out) {
    int depth = 0;
    do {
        skip_space(r);
        char c = *r->at;
        if (c == '[' || c == '{') { depth++; r->at++; continue; }
        if (c == ']' || c == '}') { depth--; r->at++; }
        else if (c == ',' || c == ':') r->at++;
        else if (c == '"') skip_string(r);
        else if (c == 't' || c == 'f' || c == 'n') { while (isalpha((unsigned char)*r->at)) r->at++; }
        else {
            char *end;
            double v = strtod(r->at, &end); /* also NaN / Infinity, which la_assign then rejects */
            if (end == r->at) { r->error = "unexpected character"; return; }
            if (out) push(out, v);
            r->at = end;
        }
    } while (depth > 0 && !r->error && *r->at);
    if (depth > 0 && !r->error) r->error = "unterminated array";
}

enum { IMAGE, STRIDES, NUM_CLASSES, PRIORS, ANCHORS, GT_BBOXES, GT_LABELS, PRED_BBOXES, CLS_LOGITS, OBJ_LOGITS, GT_IGNORE, KEYS };
static const char *const key_names[KEYS] = {"image", "strides", "num_classes", "priors", "anchors", "gt_bboxes",
                                            "gt_labels", "pred_bboxes", "cls_logits", "obj_logits", "gt_ignore"};

/* Reads the scene object at `text` into `fields`; returns an error message or NULL. */
static const char *read_scene(const char *text, numbers fields[KEYS]) {
    reader r = {text, NULL};
    skip_space(&r);
    if (*r.at != '{') return "a scene file holds one JSON object";
    r.at++;
    for (;;) {
        skip_space(&r);
        if (*r.at == '}') return NULL;
        if (*r.at == ',') { r.at++; continue; }
        if (*r.at != '"') return "expected a key";
        const char *key = r.at + 1;
        skip_string(&r);
        size_t length = (size_t)(r.at - key - 1);
        skip_space(&r);
        if (*r.at++ != ':') return "expected ':'";
        numbers *target = NULL;
        for (int k = 0; k < KEYS; k++)
            if (strlen(key_names[k]) == length && strncmp(key, key_names[k], length) == 0) target = &fields[k];
        if (target) target->present = 1;
        read_value(&r, target);
        if (r.error) return r.error;
    }
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t size = 0, capacity = 1 << 16;
    char *text = malloc(capacity);
    size_t got;
    while (text && (got = fread(text + size, 1, capacity - size - 1, f)) > 0) {
        size += got;
        if (capacity - size - 1 == 0) text = realloc(text, capacity *= 2);
    }
    fclose(f);
    if (text) text[size] = 0;
    return text;
}

static float *floats(const numbers *n) {
    if (!n->present) return NULL;
    float *out = malloc(sizeof(float) * (size_t)(n->count ? n->count : 1));
    for (int64_t i = 0; out && i < n->count; i++) out[i] = (float)n->values[i];
    return out;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s SCENE.json ASSIGNER [OPTIONS_JSON]\n", argv[0]);
        return 2;
    }
    char *text = read_file(argv[1]);
    if (!text) { fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
    numbers f[KEYS];
    memset(f, 0, sizeof f);
    const char *problem = read_scene(text, f);
    free(text);
    if (problem) { fprintf(stderr, "%s: %s\n", argv[1], problem); return 1; }
    if (f[IMAGE].count != 2 || f[NUM_CLASSES].count != 1) { fprintf(stderr, "%s: needs image and num_classes\n", argv[1]); return 1; }

    char error[512];
    la_assigner *assigner = NULL;
    int32_t rc = la_assigner_create(argv[2], argc > 3 ? argv[3] : NULL, &assigner, error, sizeof error);
    if (rc != LA_OK) { fprintf(stderr, "error %d: %s\n", rc, error); return 1; }

    /* Boxes are rows of 4; the counts come from the arrays' lengths (la_assign checks they agree). */
    int32_t classes = (int32_t)f[NUM_CLASSES].values[0];
    int64_t priors = f[PRIORS].count / 4, objects = f[GT_BBOXES].count / 4;
    float *arrays[KEYS];
    for (int k = 0; k < KEYS; k++) arrays[k] = floats(&f[k]);
    int32_t *labels = malloc(sizeof(int32_t) * (size_t)(objects ? objects : 1));
    for (int64_t i = 0; i < objects && i < f[GT_LABELS].count; i++) labels[i] = (int32_t)f[GT_LABELS].values[i];
    int32_t *assigned = malloc(sizeof(int32_t) * (size_t)(priors ? priors : 1));

    la_layout layout = {(int32_t)f[IMAGE].values[0], (int32_t)f[IMAGE].values[1], arrays[STRIDES],
                        (int32_t)f[STRIDES].count, classes, arrays[PRIORS], priors, arrays[ANCHORS]};
    la_image image = {arrays[GT_BBOXES], labels, objects, arrays[PRED_BBOXES], arrays[CLS_LOGITS],
                      arrays[OBJ_LOGITS], arrays[GT_IGNORE], f[GT_IGNORE].count / 4};
    la_outputs outputs = {assigned, NULL, NULL, NULL};
    rc = la_assign(assigner, &layout, &image, &outputs, error, sizeof error);
    la_assigner_free(assigner);
    if (rc == LA_OK) {
        printf("{\"assigned_gt\": [");
        for (int64_t i = 0; i < priors; i++) printf(i ? ", %d" : "%d", (int)assigned[i]);
        printf("]}\n");
    } else {
        fprintf(stderr, "error %d: %s\n", rc, error);
    }
    for (int k = 0; k < KEYS; k++) { free(arrays[k]); free(f[k].values); }
    free(labels);
    free(assigned);
    return rc == LA_OK ? 0 : 1;
}
