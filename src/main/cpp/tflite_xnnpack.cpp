// JNI helpers for dev.compresso.tflite.TfliteNative: the XNNPACK delegate factory with explicit flags
// (the bytedeco presets do not map TfLiteXNNPackDelegateCreate) and an ErrorReporter that keeps
// TFLite's messages for our exceptions instead of printing them to stderr.
//
// Nothing here links against TFLite: the XNNPACK symbols are looked up with dlsym in the bytedeco
// library that Java has already loaded (its path is passed in), so no TFLite headers are needed.
// The declarations below follow tensorflow/lite/delegates/xnnpack/xnnpack_delegate.h and
// tensorflow/lite/core/api/error_reporter.h of TFLite 2.19.
// g++-flags: -ldl
#include <jni.h>
#include <dlfcn.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

namespace tflite {
class ErrorReporter {
 public:
  virtual ~ErrorReporter() = default;
  virtual int Report(const char* format, va_list args) = 0;
};
}  // namespace tflite

namespace {

// TfLiteXNNPackDelegateOptions starts with num_threads and flags in every release since 2.3; the rest
// (32 bytes in 2.19) is filled by TfLiteXNNPackDelegateOptionsDefault. The padding keeps room for
// fields a later release may append; the struct is returned through a hidden pointer either way.
struct XnnpackOptions {
  int32_t num_threads;
  uint32_t flags;
  unsigned char rest[248];
};

using OptionsDefaultFn = XnnpackOptions (*)();
using CreateFn = void* (*)(const XnnpackOptions*);
using DeleteFn = void (*)(void*);
using GetFlagsFn = uint32_t (*)(void*);

struct XnnpackApi {
  OptionsDefaultFn options_default = nullptr;
  CreateFn create = nullptr;
  DeleteFn destroy = nullptr;
  GetFlagsFn get_flags = nullptr;
};

std::mutex api_mutex;
XnnpackApi api;

void throw_java(JNIEnv* env, const std::string& message) {
  jclass cls = env->FindClass("java/lang/IllegalStateException");
  if (cls != nullptr) env->ThrowNew(cls, message.c_str());
}

// Resolves the XNNPACK entry points once, from the already-loaded library at lib_path.
bool resolve(JNIEnv* env, jstring lib_path) {
  std::lock_guard<std::mutex> lock(api_mutex);
  if (api.create != nullptr) return true;
  const char* path = env->GetStringUTFChars(lib_path, nullptr);
  void* handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
  std::string path_copy(path);
  env->ReleaseStringUTFChars(lib_path, path);
  if (handle == nullptr) {
    throw_java(env, "TFLite library is not loaded: " + path_copy);
    return false;
  }
  XnnpackApi found;
  found.options_default = reinterpret_cast<OptionsDefaultFn>(dlsym(handle, "TfLiteXNNPackDelegateOptionsDefault"));
  found.create = reinterpret_cast<CreateFn>(dlsym(handle, "TfLiteXNNPackDelegateCreate"));
  found.destroy = reinterpret_cast<DeleteFn>(dlsym(handle, "TfLiteXNNPackDelegateDelete"));
  found.get_flags = reinterpret_cast<GetFlagsFn>(dlsym(handle, "TfLiteXNNPackDelegateGetFlags"));
  if (!found.options_default || !found.create || !found.destroy || !found.get_flags) {
    throw_java(env, "TfLiteXNNPackDelegate* symbols not exported by " + path_copy);
    return false;
  }
  api = found;
  return true;
}

class CapturingReporter : public tflite::ErrorReporter {
 public:
  int Report(const char* format, va_list args) override {
    char buffer[1024];
    int n = std::vsnprintf(buffer, sizeof buffer, format, args);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!messages_.empty()) messages_ += "; ";
    if (messages_.size() < 8192) messages_ += buffer;
    return n;
  }
  std::string take() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out;
    out.swap(messages_);
    return out;
  }

 private:
  std::mutex mutex_;
  std::string messages_;
};

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_dev_compresso_tflite_TfliteNative_xnnpackCreate(
    JNIEnv* env, jclass, jstring lib_path, jint num_threads, jint flags) {
  if (!resolve(env, lib_path)) return 0;
  XnnpackOptions options;
  std::memset(&options, 0, sizeof options);
  options = api.options_default();
  options.num_threads = num_threads;
  options.flags |= static_cast<uint32_t>(flags);
  return reinterpret_cast<jlong>(api.create(&options));
}

JNIEXPORT jint JNICALL Java_dev_compresso_tflite_TfliteNative_xnnpackFlags(JNIEnv*, jclass, jlong delegate) {
  if (api.get_flags == nullptr || delegate == 0) return 0;
  return static_cast<jint>(api.get_flags(reinterpret_cast<void*>(delegate)));
}

JNIEXPORT void JNICALL Java_dev_compresso_tflite_TfliteNative_xnnpackDelete(JNIEnv*, jclass, jlong delegate) {
  if (api.destroy != nullptr && delegate != 0) api.destroy(reinterpret_cast<void*>(delegate));
}

JNIEXPORT jlong JNICALL Java_dev_compresso_tflite_TfliteNative_reporterCreate(JNIEnv*, jclass) {
  tflite::ErrorReporter* reporter = new CapturingReporter();
  return reinterpret_cast<jlong>(reporter);
}

JNIEXPORT jstring JNICALL Java_dev_compresso_tflite_TfliteNative_reporterTake(JNIEnv* env, jclass, jlong reporter) {
  if (reporter == 0) return env->NewStringUTF("");
  auto* r = static_cast<CapturingReporter*>(reinterpret_cast<tflite::ErrorReporter*>(reporter));
  std::string text = r->take();
  // Modified UTF-8 would reject some byte sequences; keep printable ASCII only.
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return env->NewStringUTF(text.c_str());
}

JNIEXPORT void JNICALL Java_dev_compresso_tflite_TfliteNative_reporterDelete(JNIEnv*, jclass, jlong reporter) {
  delete reinterpret_cast<tflite::ErrorReporter*>(reporter);
}

}  // extern "C"
