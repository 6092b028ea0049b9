package dev.compresso.tflite.convert;

import dev.compresso.model.FrozenGraph;

/**
 * Builds the converter's {@code tflite.ModelFlags} and {@code tflite.ConverterFlags} messages in binary
 * from their field numbers, as the converter inside libtensorflow_cc.so.2 (TF 2.18) declares them
 * ({@code tensorflow/compiler/mlir/lite/model_flags.proto}, {@code converter_flags.proto}; the bridge
 * can print the library's own descriptors, see {@link NativeConverter#describe}). The flag sets per
 * precision are those of TensorFlow's Python converter ({@code lite.py}): float16 is {@code
 * post_training_quantize + quantize_to_float16}, dynamic range is {@code post_training_quantize} with the
 * MLIR dynamic-range quantizer, full integer is {@code inference_type QUANTIZED_INT8} with ranges from
 * FakeQuant nodes.
 */
final class ConverterFlagSets {

  // tflite.ModelFlags
  static final int MODEL_INPUT_ARRAYS = 1;
  static final int MODEL_OUTPUT_ARRAYS = 2;
  static final int MODEL_CHANGE_CONCAT_INPUT_RANGES = 19;
  // tflite.InputArray
  static final int INPUT_NAME = 1;
  static final int INPUT_SHAPE = 6;
  // tflite.InputArrayShape
  static final int SHAPE_DIMS = 2;
  // tflite.ConverterFlags
  static final int CONV_INPUT_FORMAT = 1;
  static final int CONV_OUTPUT_FORMAT = 2;
  static final int CONV_INFERENCE_TYPE = 4;
  static final int CONV_ALLOW_CUSTOM_OPS = 10;
  static final int CONV_INFERENCE_INPUT_TYPE = 11;
  static final int CONV_POST_TRAINING_QUANTIZE = 26;
  static final int CONV_QUANTIZE_TO_FLOAT16 = 29;
  static final int CONV_ENABLE_MLIR_DYNAMIC_RANGE_QUANTIZER = 44;
  // tflite.FileFormat
  static final int FORMAT_TENSORFLOW_GRAPHDEF = 1;
  static final int FORMAT_TFLITE = 2;
  // tflite.IODataType
  static final int IO_FLOAT = 1;
  static final int IO_QUANTIZED_UINT8 = 2;
  static final int IO_QUANTIZED_INT8 = 9;

  private ConverterFlagSets() {}

  /** {@code tflite.ModelFlags}: the graph's inputs with their (batch-fixed) shapes, and its outputs. */
  static byte[] modelFlags(FrozenGraph graph) {
    ProtoWriter flags = new ProtoWriter();
    for (FrozenGraph.Input in : graph.inputs()) {
      ProtoWriter shape = new ProtoWriter();
      long[] dims = in.shape();
      for (long d : dims) {
        shape.varint(SHAPE_DIMS, (int) d);
      }
      flags.message(MODEL_INPUT_ARRAYS, new ProtoWriter().string(INPUT_NAME, in.node()).message(INPUT_SHAPE, shape));
    }
    for (FrozenGraph.Output out : graph.outputs()) {
      flags.string(MODEL_OUTPUT_ARRAYS, out.index() == 0 ? out.node() : out.node() + ":" + out.index());
    }
    // TF's Python converter passes false: concat inputs keep their own FakeQuant ranges.
    flags.bool(MODEL_CHANGE_CONCAT_INPUT_RANGES, false);
    return flags.toByteArray();
  }

  /** {@code tflite.ConverterFlags} for the requested precision and I/O type. */
  static byte[] converterFlags(ConversionOptions options) {
    ProtoWriter flags = new ProtoWriter()
        .varint(CONV_INPUT_FORMAT, FORMAT_TENSORFLOW_GRAPHDEF)
        .varint(CONV_OUTPUT_FORMAT, FORMAT_TFLITE)
        .bool(CONV_ALLOW_CUSTOM_OPS, false);
    switch (options.precision()) {
      case FP32 -> flags.varint(CONV_INFERENCE_TYPE, IO_FLOAT).varint(CONV_INFERENCE_INPUT_TYPE, IO_FLOAT);
      case FP16 -> flags.varint(CONV_INFERENCE_TYPE, IO_FLOAT).varint(CONV_INFERENCE_INPUT_TYPE, IO_FLOAT)
          .bool(CONV_POST_TRAINING_QUANTIZE, true).bool(CONV_QUANTIZE_TO_FLOAT16, true);
      case DYNAMIC -> flags.varint(CONV_INFERENCE_TYPE, IO_FLOAT).varint(CONV_INFERENCE_INPUT_TYPE, IO_FLOAT)
          .bool(CONV_POST_TRAINING_QUANTIZE, true).bool(CONV_ENABLE_MLIR_DYNAMIC_RANGE_QUANTIZER, true);
      case INT8 -> flags.varint(CONV_INFERENCE_TYPE, IO_QUANTIZED_INT8)
          .varint(CONV_INFERENCE_INPUT_TYPE, switch (options.io()) {
            case FLOAT -> IO_FLOAT;
            // uint8 I/O is added after conversion (Uint8Io): QUANTIZED_UINT8 here makes the whole model uint8.
            case INT8, UINT8 -> IO_QUANTIZED_INT8;
            case INT16 -> throw new IllegalArgumentException("int16 I/O is made from an int8-I/O model");
          });
    }
    return flags.toByteArray();
  }
}
