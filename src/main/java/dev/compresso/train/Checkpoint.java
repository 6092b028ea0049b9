package dev.compresso.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.compresso.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Everything a fine-tuning run needs to continue: every variable of the training graph (weights, masks,
 * optimizer slots, ranges), where the loop stood, the epochs already measured, and the fingerprint of
 * the model, data and options the run was started with.
 *
 * <p>File format (one file, so one atomic rename replaces it): the magic {@code COMPRESSO-CKPT-1}, the
 * state as UTF-8 JSON (length-prefixed), the variables (count; per variable name, rank, dimensions,
 * float32 values, big-endian), and a CRC-32 of everything before it.
 *
 * @param fingerprint what the run was started with, part name to value (see {@link Checkpointer})
 * @param position where the training loop stood
 * @param variables every variable's value
 */
public record Checkpoint(Map<String, String> fingerprint, Position position,
    Map<String, GraphVariables.Value> variables) {

  private static final byte[] MAGIC = "COMPRESSO-CKPT-1".getBytes(StandardCharsets.US_ASCII);
  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  /**
   * Where the loop stood.
   *
   * @param epochsDone epochs completed
   * @param stepsIntoEpoch steps of the next epoch already taken (0 at an epoch boundary)
   * @param step optimizer steps taken in all
   * @param lossSum the sum of the next epoch's batch losses so far (for its mean)
   * @param history the completed epochs' measurements
   * @param bestEpoch the epoch whose weights {@link BestEpoch} holds (saved beside the variables), -1 for none
   * @param bestMetric its validation metric
   */
  public record Position(int epochsDone, int stepsIntoEpoch, long step, double lossSum,
      List<Trainer.EpochResult> history, int bestEpoch, double bestMetric) {
    public Position {
      history = List.copyOf(history);
    }

    public Position(int epochsDone, int stepsIntoEpoch, long step, double lossSum, List<Trainer.EpochResult> history) {
      this(epochsDone, stepsIntoEpoch, step, lossSum, history, -1, Double.NaN);
    }
  }

  private record State(Map<String, String> fingerprint, Position position) {}

  /** The file's bytes. */
  public byte[] toBytes() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.write(MAGIC);
      byte[] json = GSON.toJson(new State(fingerprint, position)).getBytes(StandardCharsets.UTF_8);
      out.writeInt(json.length);
      out.write(json);
      out.writeInt(variables.size());
      for (Map.Entry<String, GraphVariables.Value> e : variables.entrySet()) {
        out.writeUTF(e.getKey());
        long[] shape = e.getValue().shape();
        out.writeInt(shape.length);
        for (long d : shape) {
          out.writeLong(d);
        }
        float[] v = e.getValue().values();
        out.writeInt(v.length);
        ByteBuffer buf = ByteBuffer.allocate(4 * v.length);
        buf.asFloatBuffer().put(v);
        out.write(buf.array());
      }
      out.flush();
      CRC32 crc = new CRC32();
      crc.update(bytes.toByteArray());
      out.writeLong(crc.getValue());
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
  }

  /**
   * Reads a checkpoint file.
   *
   * @throws BadInputException naming the file when it is unreadable, damaged or not a checkpoint
   */
  public static Checkpoint read(Path file) {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read the checkpoint: " + e.getMessage(), e);
    }
    if (all.length < MAGIC.length + 8 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
      throw new BadInputException(file + " is not a Compresso checkpoint (no " + new String(MAGIC,
          StandardCharsets.US_ASCII) + " header)");
    }
    CRC32 crc = new CRC32();
    crc.update(all, 0, all.length - 8);
    if (crc.getValue() != ByteBuffer.wrap(all, all.length - 8, 8).getLong()) {
      throw new BadInputException(file + " is damaged (checksum mismatch); delete it to start the run afresh");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 8))) {
      in.skipNBytes(MAGIC.length);
      byte[] json = new byte[in.readInt()];
      in.readFully(json);
      State state = GSON.fromJson(new String(json, StandardCharsets.UTF_8), State.class);
      int count = in.readInt();
      Map<String, GraphVariables.Value> vars = new LinkedHashMap<>();
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        long[] shape = new long[in.readInt()];
        for (int d = 0; d < shape.length; d++) {
          shape[d] = in.readLong();
        }
        byte[] raw = new byte[4 * in.readInt()];
        in.readFully(raw);
        float[] v = new float[raw.length / 4];
        ByteBuffer.wrap(raw).asFloatBuffer().get(v);
        vars.put(name, new GraphVariables.Value(shape, v));
      }
      if (state == null || state.position() == null || state.fingerprint() == null) {
        throw new BadInputException(file + " is damaged: its state is incomplete");
      }
      return new Checkpoint(state.fingerprint(), state.position(), vars);
    } catch (IOException | JsonParseException | NegativeArraySizeException | OutOfMemoryError e) {
      throw new BadInputException(file + " is damaged: " + e.getMessage(), e);
    }
  }
}
