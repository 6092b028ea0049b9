// JNI helper for dev.compresso.nativelogs.NativeLogs: sets the minimum severity that TensorFlow's
// absl logging (TF 2.18 inside TF Java: "I0000 ... mlir_graph_optimization_pass.cc] ...") and TFLite's
// MinimalLogger ("INFO: Created TensorFlow Lite XNNPACK delegate for CPU.") write to stderr.
//
// Nothing here links against TensorFlow or TFLite: the already-loaded libraries are found by a part of
// their file name (dl_iterate_phdr) and the functions looked up with dlsym. Declarations follow
// absl/log/globals.h (absl lts_20230802: SetMinLogLevel, SetStderrThreshold take absl::LogSeverityAtLeast,
// an enum class of int: kInfo 0, kWarning 1, kError 2, kFatal 3, kInfinity 1000) and
// tensorflow/lite/logger.h (tflite::LoggerOptions::SetMinimumLogSeverity(tflite::LogSeverity), an enum of
// int: VERBOSE 0, INFO 1, WARNING 2, ERROR 3, SILENT 4).
// g++-flags: -ldl
#include <jni.h>
#include <dlfcn.h>
#include <link.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

struct Search {
  const char* part;
  std::string path;
};

int find_library(struct dl_phdr_info* info, size_t, void* data) {
  Search* search = static_cast<Search*>(data);
  if (info->dlpi_name != nullptr && std::strstr(info->dlpi_name, search->part) != nullptr) {
    search->path = info->dlpi_name;
    return 1;
  }
  return 0;
}

// The handle of a loaded library whose path contains part, or null when none is loaded.
void* loaded(const char* part) {
  Search search{part, std::string()};
  dl_iterate_phdr(find_library, &search);
  if (search.path.empty()) return nullptr;
  return dlopen(search.path.c_str(), RTLD_NOW | RTLD_NOLOAD);
}

using AbslSetFn = void (*)(int);
using TfliteSetFn = int (*)(int);

}  // namespace

extern "C" {

// Returns a bit set: 1 when TensorFlow's absl level was set, 2 when TFLite's was.
JNIEXPORT jint JNICALL Java_dev_compresso_nativelogs_NativeLogs_setLevels(JNIEnv*, jclass, jint absl_level,
                                                                          jint tflite_level) {
  jint done = 0;
  if (void* tf = loaded("libtensorflow_framework")) {
    auto min_level = reinterpret_cast<AbslSetFn>(
        dlsym(tf, "_ZN4absl12lts_2023080214SetMinLogLevelENS0_18LogSeverityAtLeastE"));
    auto stderr_threshold = reinterpret_cast<AbslSetFn>(
        dlsym(tf, "_ZN4absl12lts_2023080218SetStderrThresholdENS0_18LogSeverityAtLeastE"));
    if (min_level != nullptr && stderr_threshold != nullptr) {
      min_level(absl_level);
      stderr_threshold(absl_level);
      done |= 1;
    }
    dlclose(tf);
  }
  if (void* lite = loaded("libjnitensorflowlite")) {
    auto set = reinterpret_cast<TfliteSetFn>(
        dlsym(lite, "_ZN6tflite13LoggerOptions21SetMinimumLogSeverityENS_11LogSeverityE"));
    if (set != nullptr) {
      set(tflite_level);
      done |= 2;
    }
    dlclose(lite);
  }
  return done;
}

// Points file descriptor 2 at /dev/null; returns a duplicate of the old one for restoreStderr, or -1.
JNIEXPORT jint JNICALL Java_dev_compresso_nativelogs_NativeLogs_muteStderr(JNIEnv*, jclass) {
  std::fflush(stderr);
  int saved = dup(2);
  if (saved < 0) return -1;
  int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_fd < 0 || dup2(null_fd, 2) < 0) {
    if (null_fd >= 0) close(null_fd);
    close(saved);
    return -1;
  }
  close(null_fd);
  return saved;
}

// Points file descriptor 2 back at what muteStderr saved.
JNIEXPORT void JNICALL Java_dev_compresso_nativelogs_NativeLogs_restoreStderr(JNIEnv*, jclass, jint saved) {
  if (saved < 0) return;
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
}

}  // extern "C"
