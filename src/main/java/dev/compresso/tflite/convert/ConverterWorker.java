package dev.compresso.tflite.convert;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.tensorflow.TensorFlow;

/**
 * The converter worker process: loads TF Java and the bridge, connects back to its parent's Unix domain
 * socket (the path is the only argument) and serves {@link WorkerProtocol} requests one at a time until
 * the parent closes the socket. Started by {@link WorkerClient}; not meant to be run by hand.
 */
public final class ConverterWorker {

  private ConverterWorker() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ConverterWorker SOCKET_PATH (started by Compresso, not by hand)");
      System.exit(2);
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
      DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
      try {
        NativeConverter.load();
        out.writeByte(WorkerProtocol.OK);
        WorkerProtocol.writeString(out, TensorFlow.version());
      } catch (RuntimeException | LinkageError e) {
        out.writeByte(WorkerProtocol.FAILED);
        WorkerProtocol.writeString(out, String.valueOf(e.getMessage()));
        out.flush();
        return;
      }
      out.flush();
      serve(in, out);
    }
  }

  private static void serve(DataInputStream in, DataOutputStream out) throws IOException {
    while (true) {
      byte op;
      try {
        op = in.readByte();
      } catch (EOFException e) {
        return;
      }
      switch (op) {
        case WorkerProtocol.OP_CONVERT -> {
          byte[] graphDef = WorkerProtocol.readBytes(in);
          byte[] modelFlags = WorkerProtocol.readBytes(in);
          byte[] converterFlags = WorkerProtocol.readBytes(in);
          try {
            byte[] tflite = NativeConverter.convert(graphDef, modelFlags, converterFlags);
            out.writeByte(WorkerProtocol.OK);
            WorkerProtocol.writeBytes(out, tflite);
          } catch (IllegalArgumentException e) {
            reply(out, WorkerProtocol.REJECTED, e.getMessage());
          } catch (RuntimeException | OutOfMemoryError e) {
            reply(out, WorkerProtocol.FAILED, e.toString());
          }
        }
        case WorkerProtocol.OP_DESCRIBE -> {
          String name = WorkerProtocol.readString(in);
          String text = NativeConverter.describe(name);
          reply(out, text == null ? WorkerProtocol.REJECTED : WorkerProtocol.OK,
              text == null ? "no such type: " + name : text);
        }
        case WorkerProtocol.OP_HALT -> Runtime.getRuntime().halt(WorkerProtocol.HALT_STATUS);
        default -> {
          reply(out, WorkerProtocol.FAILED, "unknown worker op " + op);
          return;
        }
      }
      out.flush();
    }
  }

  private static void reply(DataOutputStream out, byte status, String message) throws IOException {
    out.writeByte(status);
    WorkerProtocol.writeString(out, String.valueOf(message));
  }
}
