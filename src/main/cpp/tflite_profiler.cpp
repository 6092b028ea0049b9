// JNI helper for dev.compresso.tflite.OpProfiler: a tflite::Profiler that sums the wall time of every
// OPERATOR_INVOKE_EVENT per node index, so Java can attach it with Interpreter::SetProfiler (the bytedeco
// presets map the Profiler class but cannot subclass it).
//
// The class below mirrors the virtual functions of tflite::Profiler in tensorflow/lite/core/api/profiler.h
// (TFLite 2.19), in declaration order: the destructor, BeginEvent(tag, type, metadata1, metadata2),
// EndEvent(handle, metadata1, metadata2), EndEvent(handle), AddEvent(...), AddEventWithData(...). Both
// EndEvent overloads do the same here, so their relative order does not matter; the interpreter calls
// BeginEvent(tag, OPERATOR_INVOKE_EVENT, node_index, subgraph_index) and EndEvent(handle) around each
// node (ScopedOperatorProfile). Nothing here links against TFLite.
#include <jni.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace tflite {
class Profiler {
 public:
  virtual ~Profiler() {}
  virtual uint32_t BeginEvent(const char* tag, int event_type, int64_t event_metadata1, int64_t event_metadata2) = 0;
  virtual void EndEvent(uint32_t handle, int64_t event_metadata1, int64_t event_metadata2) {}
  virtual void EndEvent(uint32_t handle) = 0;
  virtual void AddEvent(const char* tag, int event_type, uint64_t metric, int64_t m1, int64_t m2) {}
  virtual void AddEventWithData(const char* tag, int event_type, const void* data) {}
};
}  // namespace tflite

namespace {

constexpr int kOperatorInvokeEvent = 2;  // Profiler::EventType::OPERATOR_INVOKE_EVENT

class OpTimer : public tflite::Profiler {
 public:
  uint32_t BeginEvent(const char*, int event_type, int64_t node, int64_t subgraph) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Open open;
    open.node = (event_type == kOperatorInvokeEvent && subgraph == 0) ? node : -1;
    open.start = std::chrono::steady_clock::now();
    uint32_t handle = ++next_handle_;
    if (handle == 0) handle = ++next_handle_;
    open_[handle] = open;
    return handle;
  }
  void EndEvent(uint32_t handle, int64_t, int64_t) override { end(handle); }
  void EndEvent(uint32_t handle) override { end(handle); }

  // {node, total_ns, count} triples for every node seen, then clears.
  std::vector<int64_t> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<int64_t> out;
    for (size_t i = 0; i < total_ns_.size(); i++) {
      if (count_[i] > 0) {
        out.push_back(static_cast<int64_t>(i));
        out.push_back(total_ns_[i]);
        out.push_back(count_[i]);
      }
    }
    total_ns_.clear();
    count_.clear();
    open_.clear();
    return out;
  }

 private:
  struct Open {
    int64_t node;
    std::chrono::steady_clock::time_point start;
  };

  void end(uint32_t handle) {
    auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = open_.find(handle);
    if (it == open_.end()) return;
    int64_t node = it->second.node;
    if (node >= 0 && node < (1 << 24)) {
      if (static_cast<size_t>(node) >= total_ns_.size()) {
        total_ns_.resize(node + 1, 0);
        count_.resize(node + 1, 0);
      }
      total_ns_[node] += std::chrono::duration_cast<std::chrono::nanoseconds>(now - it->second.start).count();
      count_[node] += 1;
    }
    open_.erase(it);
  }

  std::mutex mutex_;
  std::unordered_map<uint32_t, Open> open_;
  uint32_t next_handle_ = 0;
  std::vector<int64_t> total_ns_;
  std::vector<int64_t> count_;
};

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_dev_compresso_tflite_OpProfiler_create(JNIEnv*, jclass) {
  tflite::Profiler* p = new OpTimer();
  return reinterpret_cast<jlong>(p);
}

JNIEXPORT jlongArray JNICALL Java_dev_compresso_tflite_OpProfiler_take(JNIEnv* env, jclass, jlong profiler) {
  std::vector<int64_t> data;
  if (profiler != 0) {
    data = static_cast<OpTimer*>(reinterpret_cast<tflite::Profiler*>(profiler))->take();
  }
  jlongArray out = env->NewLongArray(static_cast<jsize>(data.size()));
  if (out != nullptr && !data.empty()) {
    env->SetLongArrayRegion(out, 0, static_cast<jsize>(data.size()), reinterpret_cast<const jlong*>(data.data()));
  }
  return out;
}

JNIEXPORT void JNICALL Java_dev_compresso_tflite_OpProfiler_destroy(JNIEnv*, jclass, jlong profiler) {
  delete reinterpret_cast<tflite::Profiler*>(profiler);
}

}  // extern "C"
