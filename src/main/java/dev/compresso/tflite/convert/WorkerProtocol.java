package dev.compresso.tflite.convert;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The request/reply framing between {@link WorkerClient} and {@link ConverterWorker} over a Unix domain
 * socket (stdout and stderr of the worker stay free for TensorFlow's own logging). A request is an op
 * byte and length-prefixed byte arrays; a reply is a status byte and one length-prefixed byte array.
 */
final class WorkerProtocol {

  static final byte OP_CONVERT = 1;
  static final byte OP_DESCRIBE = 2;
  /** Makes the worker halt at once, as a fatal abort inside TensorFlow would (tests use it). */
  static final byte OP_HALT = 3;

  static final byte OK = 0;
  /** The converter rejected the graph (bad input); the payload is its message. */
  static final byte REJECTED = 1;
  /** The bridge or worker failed (internal); the payload is the message. */
  static final byte FAILED = 2;

  /** Exit status of a worker told to halt with {@link #OP_HALT}. */
  static final int HALT_STATUS = 70;

  private WorkerProtocol() {}

  static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("negative frame length " + n);
    }
    byte[] bytes = new byte[n];
    in.readFully(bytes);
    return bytes;
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
  }

  static String readString(DataInputStream in) throws IOException {
    return new String(readBytes(in), StandardCharsets.UTF_8);
  }
}
