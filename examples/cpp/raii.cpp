// A C++ wrapper of labelassign.h: the handle owned by a class (freed in its destructor), errors
// as exceptions, outputs as vectors. `make lib` builds it against the installed prefix and runs it:
//   c++ -std=c++17 raii.cpp $(pkg-config --cflags --libs labelassign)
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "labelassign.h"

namespace labelassign {

/// An error code of the library with its message.
struct Error : std::runtime_error {
    int32_t code;
    Error(int32_t c, const char *message) : std::runtime_error(message), code(c) {}
};

/// A configured assigner (an la_assigner handle): movable, not copyable.
class Assigner {
public:
    explicit Assigner(const std::string &name, const std::string &options_json = "{}") {
        char error[512];
        la_assigner *handle = nullptr;
        if (int32_t rc = la_assigner_create(name.c_str(), options_json.c_str(), &handle, error, sizeof error)) throw Error(rc, error);
        handle_.reset(handle);
    }

    /// The configuration as JSON (la_assigner_describe).
    std::string describe() const {
        char error[512], *json = nullptr;
        if (int32_t rc = la_assigner_describe(handle_.get(), &json, error, sizeof error)) throw Error(rc, error);
        std::string text(json);
        la_free(json);
        return text;
    }

    struct Result {
        std::vector<int32_t> assigned_gt, positives_per_gt;
        std::vector<float> matched_iou, quality;
    };

    /// One image: every output of the handle.
    Result assign(const la_layout &layout, const la_image &image) const {
        Result r;
        r.assigned_gt.resize(layout.num_priors);
        r.matched_iou.resize(layout.num_priors);
        r.quality.resize(layout.num_priors);
        r.positives_per_gt.resize(image.num_gt);
        la_outputs outputs = {r.assigned_gt.data(), r.matched_iou.data(), r.quality.data(), r.positives_per_gt.data()};
        char error[512];
        if (int32_t rc = la_assign(handle_.get(), &layout, &image, &outputs, error, sizeof error)) throw Error(rc, error);
        return r;
    }

    int32_t outputs() const { return la_assigner_outputs(handle_.get()); }

private:
    struct Free {
        void operator()(la_assigner *a) const { la_assigner_free(a); }
    };
    std::unique_ptr<la_assigner, Free> handle_;
};

}  // namespace labelassign

int main() {
    // One 32x32 level of stride 8: 16 priors, one object over the top-left quarter.
    std::vector<float> strides = {8}, priors, pred, cls;
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++) {
            float cx = x * 8 + 4.0f, cy = y * 8 + 4.0f;
            priors.insert(priors.end(), {cx, cy, 8, 8});
            pred.insert(pred.end(), {cx - 6, cy - 6, cx + 6, cy + 6});
            cls.push_back(x + y < 3 ? 1.0f : -2.0f);
        }
    std::vector<float> gt = {0, 0, 16, 16};
    std::vector<int32_t> labels = {0};
    la_layout layout = {32, 32, strides.data(), 1, 1, priors.data(), 16, nullptr};
    la_image image = {gt.data(), labels.data(), 1, pred.data(), cls.data(), nullptr, nullptr, 0};
    try {
        labelassign::Assigner tal("tal", R"({"topk": 4})");
        auto r = tal.assign(layout, image);
        std::printf("tal(topk=4): %d positives, outputs 0x%x\n", r.positives_per_gt[0], tal.outputs());
        if (r.positives_per_gt[0] < 1 || r.positives_per_gt[0] > 4 || !(tal.outputs() & LA_OUTPUT_TARGET_SCORES)) return 1;
        if (tal.describe().find("\"value\":4") == std::string::npos && tal.describe().find("\"value\": 4") == std::string::npos) {
            std::fprintf(stderr, "describe does not show topk 4: %s\n", tal.describe().c_str());
            return 1;
        }
        labelassign::Assigner bad("tal", R"({"top_k": 4})");  // throws: unknown option
        return 1;
    } catch (const labelassign::Error &e) {
        std::printf("error %d as expected: %s\n", e.code, e.what());
        return e.code == LA_ERROR_INVALID_OPTION ? 0 : 1;
    }
}
