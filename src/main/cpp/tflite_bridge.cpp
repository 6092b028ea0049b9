// JNI bridge to the official MLIR TFLite converter that ships inside TF Java's libtensorflow_cc.so.2
// (TF 2.18.0). No TensorFlow headers: every entry point is looked up with dlsym in the libraries TF Java
// has already loaded (RTLD_NOLOAD), and called through a declared signature. See DESIGN.md,
// "Converter bridge", and shared/reference/tflite-converter-flags.md for the mangled names.
//
// ABI facts relied on (Itanium C++ ABI, x86-64, libstdc++ C++11 strings):
// - absl::lts_20230802::Status is one uintptr_t; OK is rep 0; a heap rep has bit 0 set. It has a
//   non-trivial destructor, so it is returned through a hidden pointer (like our Status below).
// - A member function returning a class by value takes the hidden return pointer first, then `this`.
// - Every protobuf message is polymorphic; vtable slot 1 is the deleting destructor.
//
// g++-flags: -ldl
#include <jni.h>
#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <string>

namespace {

// Stand-in for absl::Status: same size and layout, non-trivial destructor so it is returned in memory.
struct Status {
  uintptr_t rep;
  Status() : rep(0) {}
  Status(const Status&) = delete;
  ~Status();
};

using ConvertGraphDefFn = Status (*)(const void* model_flags, void* converter_flags, const void* debug_info,
                                     const void* graph_def, std::string* out);
using CreateMessageFn = void* (*)(void* arena);
using ParseFromArrayFn = bool (*)(void* message, const void* data, int size);
using StatusToStringFn = std::string (*)(const Status* self, int mode);
using StatusUnrefFn = void (*)(uintptr_t rep);
using GeneratedPoolFn = const void* (*)();
using FindByNameFn = const void* (*)(const void* pool, const std::string& name);
using DebugStringFn = std::string (*)(const void* descriptor);

struct Api {
  ConvertGraphDefFn convert_graph_def = nullptr;
  CreateMessageFn new_model_flags = nullptr;
  CreateMessageFn new_converter_flags = nullptr;
  CreateMessageFn new_graph_def = nullptr;
  CreateMessageFn new_debug_info = nullptr;
  ParseFromArrayFn parse_from_array = nullptr;
  StatusToStringFn status_to_string = nullptr;
  StatusUnrefFn status_unref = nullptr;
  GeneratedPoolFn generated_pool = nullptr;
  FindByNameFn find_message_type = nullptr;
  FindByNameFn find_enum_type = nullptr;
  DebugStringFn message_debug_string = nullptr;
  DebugStringFn enum_debug_string = nullptr;
};

Api g_api;
std::string g_load_error;
bool g_loaded = false;
std::mutex g_mutex;  // conversions are serialized: two first conversions at once abort the process

Status::~Status() {
  if (rep != 0 && (rep & 1) != 0 && g_api.status_unref != nullptr) g_api.status_unref(rep);
}

template <typename T>
bool Resolve(void* lib, const char* lib_name, const char* symbol, T* out, std::string* error) {
  void* p = dlsym(lib, symbol);
  if (p == nullptr) {
    *error = std::string("symbol ") + symbol + " not found in " + lib_name;
    return false;
  }
  *out = reinterpret_cast<T>(p);
  return true;
}

// Looks everything up once; returns false with g_load_error set when TF Java's libraries are not
// loaded or do not export what this bridge was written for.
bool LoadApi() {
  if (g_loaded) return true;
  if (!g_load_error.empty()) return false;
  void* cc = dlopen("libtensorflow_cc.so.2", RTLD_NOW | RTLD_NOLOAD);
  void* fw = dlopen("libtensorflow_framework.so.2", RTLD_NOW | RTLD_NOLOAD);
  if (cc == nullptr || fw == nullptr) {
    g_load_error = "libtensorflow_cc.so.2 / libtensorflow_framework.so.2 are not loaded: load TF Java "
                   "(TensorFlow.version()) before the converter bridge";
    return false;
  }
  std::string e;
  const char* ccn = "libtensorflow_cc.so.2";
  const char* fwn = "libtensorflow_framework.so.2";
  bool ok =
      Resolve(cc, ccn,
              "_ZN10tensorflow33ConvertGraphDefToTFLiteFlatBufferERKN6tflite10ModelFlagsERNS0_14ConverterFlagsE"
              "RKNS_14GraphDebugInfoERKNS_8GraphDefEPNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE",
              &g_api.convert_graph_def, &e) &&
      Resolve(fw, fwn, "_ZN6google8protobuf5Arena18CreateMaybeMessageIN6tflite10ModelFlagsEJEEEPT_PS1_DpOT0_",
              &g_api.new_model_flags, &e) &&
      Resolve(fw, fwn, "_ZN6google8protobuf5Arena18CreateMaybeMessageIN6tflite14ConverterFlagsEJEEEPT_PS1_DpOT0_",
              &g_api.new_converter_flags, &e) &&
      Resolve(fw, fwn, "_ZN6google8protobuf5Arena18CreateMaybeMessageIN10tensorflow8GraphDefEJEEEPT_PS1_DpOT0_",
              &g_api.new_graph_def, &e) &&
      Resolve(fw, fwn,
              "_ZN6google8protobuf5Arena18CreateMaybeMessageIN10tensorflow14GraphDebugInfoEJEEEPT_PS1_DpOT0_",
              &g_api.new_debug_info, &e) &&
      Resolve(fw, fwn, "_ZN6google8protobuf11MessageLite14ParseFromArrayEPKvi", &g_api.parse_from_array, &e) &&
      Resolve(fw, fwn, "_ZNK4absl12lts_202308026Status12ToStringSlowB5cxx11ENS0_18StatusToStringModeE",
              &g_api.status_to_string, &e) &&
      Resolve(fw, fwn, "_ZN4absl12lts_202308026Status15UnrefNonInlinedEm", &g_api.status_unref, &e) &&
      Resolve(fw, fwn, "_ZN6google8protobuf14DescriptorPool14generated_poolEv", &g_api.generated_pool, &e) &&
      Resolve(fw, fwn,
              "_ZNK6google8protobuf14DescriptorPool21FindMessageTypeByNameERKNSt7__cxx1112basic_stringIcSt11char_"
              "traitsIcESaIcEEE",
              &g_api.find_message_type, &e) &&
      Resolve(fw, fwn,
              "_ZNK6google8protobuf14DescriptorPool18FindEnumTypeByNameERKNSt7__cxx1112basic_stringIcSt11char_"
              "traitsIcESaIcEEE",
              &g_api.find_enum_type, &e) &&
      Resolve(fw, fwn, "_ZNK6google8protobuf10Descriptor11DebugStringB5cxx11Ev", &g_api.message_debug_string, &e) &&
      Resolve(fw, fwn, "_ZNK6google8protobuf14EnumDescriptor11DebugStringB5cxx11Ev", &g_api.enum_debug_string, &e);
  if (!ok) {
    g_load_error = e;
    return false;
  }
  g_loaded = true;
  return true;
}

// Deletes a heap message created by Arena::CreateMaybeMessage<T>(nullptr): vtable slot 1 is the
// deleting destructor.
void DeleteMessage(void* message) {
  if (message == nullptr) return;
  using DeletingDtor = void (*)(void*);
  DeletingDtor* vtable = *reinterpret_cast<DeletingDtor**>(message);
  vtable[1](message);
}

struct MessageHolder {
  void* p;
  explicit MessageHolder(void* message) : p(message) {}
  ~MessageHolder() { DeleteMessage(p); }
};

void Throw(JNIEnv* env, const char* cls, const std::string& message) {
  jclass c = env->FindClass(cls);
  if (c != nullptr) env->ThrowNew(c, message.c_str());
}

bool Parse(JNIEnv* env, void* message, jbyteArray bytes, const char* what) {
  jsize n = env->GetArrayLength(bytes);
  jbyte* data = env->GetByteArrayElements(bytes, nullptr);
  if (data == nullptr) return false;  // OutOfMemoryError pending
  bool ok = g_api.parse_from_array(message, data, n);
  env->ReleaseByteArrayElements(bytes, data, JNI_ABORT);
  if (!ok) Throw(env, "java/lang/IllegalStateException", std::string("could not parse the ") + what + " protobuf");
  return ok;
}

}  // namespace

extern "C" {

// Returns null when the bridge is usable, else the reason.
JNIEXPORT jstring JNICALL Java_dev_compresso_tflite_convert_NativeConverter_nativeInit(JNIEnv* env, jclass) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (LoadApi()) return nullptr;
  return env->NewStringUTF(g_load_error.c_str());
}

// Converts a serialized tensorflow.GraphDef with serialized tflite.ModelFlags / tflite.ConverterFlags.
// Returns the .tflite bytes; a converter error becomes IllegalArgumentException carrying its message.
JNIEXPORT jbyteArray JNICALL Java_dev_compresso_tflite_convert_NativeConverter_nativeConvertGraphDef(
    JNIEnv* env, jclass, jbyteArray graph_def, jbyteArray model_flags, jbyteArray converter_flags) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!LoadApi()) {
    Throw(env, "java/lang/IllegalStateException", g_load_error);
    return nullptr;
  }
  MessageHolder mf(g_api.new_model_flags(nullptr));
  MessageHolder cf(g_api.new_converter_flags(nullptr));
  MessageHolder gd(g_api.new_graph_def(nullptr));
  MessageHolder di(g_api.new_debug_info(nullptr));
  if (!Parse(env, mf.p, model_flags, "tflite.ModelFlags") || !Parse(env, cf.p, converter_flags, "tflite.ConverterFlags") ||
      !Parse(env, gd.p, graph_def, "tensorflow.GraphDef")) {
    return nullptr;
  }
  std::string result;
  std::string error;
  {
    Status status = g_api.convert_graph_def(mf.p, cf.p, di.p, gd.p, &result);
    if (status.rep != 0) error = g_api.status_to_string(&status, 0);
  }
  if (!error.empty()) {
    Throw(env, "java/lang/IllegalArgumentException", error);
    return nullptr;
  }
  jbyteArray out = env->NewByteArray(static_cast<jsize>(result.size()));
  if (out == nullptr) return nullptr;
  env->SetByteArrayRegion(out, 0, static_cast<jsize>(result.size()), reinterpret_cast<const jbyte*>(result.data()));
  return out;
}

// The library's own descriptor of a message or enum type (e.g. "tflite.ConverterFlags"), as proto text;
// null when the pool does not know the name.
JNIEXPORT jstring JNICALL Java_dev_compresso_tflite_convert_NativeConverter_nativeDescribe(JNIEnv* env, jclass,
                                                                                         jstring full_name) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!LoadApi()) {
    Throw(env, "java/lang/IllegalStateException", g_load_error);
    return nullptr;
  }
  const char* chars = env->GetStringUTFChars(full_name, nullptr);
  if (chars == nullptr) return nullptr;
  std::string name(chars);
  env->ReleaseStringUTFChars(full_name, chars);
  const void* pool = g_api.generated_pool();
  std::string text;
  if (const void* m = g_api.find_message_type(pool, name)) {
    text = g_api.message_debug_string(m);
  } else if (const void* e = g_api.find_enum_type(pool, name)) {
    text = g_api.enum_debug_string(e);
  } else {
    return nullptr;
  }
  return env->NewStringUTF(text.c_str());
}

}  // extern "C"
