package dev.compresso.tflite;

import dev.compresso.CompressoException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Loads Compresso's own native libraries, {@code lib<name>.so}, which the build compiles from {@code
 * src/main/cpp/<name>.cpp} into the classpath folder {@code dev/compresso/native/}.
 *
 * <p>A library inside a jar is copied to a temporary file first ({@link System#load} needs a path). Each
 * library is loaded once per class loader.
 */
public final class NativeLibraries {

  private static final String RESOURCE_DIR = "/dev/compresso/native/";
  private static final Set<String> LOADED = new HashSet<>();

  private NativeLibraries() {}

  /**
   * Loads {@code lib<name>.so} from the classpath.
   *
   * @throws CompressoException (internal) when the library is missing from the build or fails to load
   */
  public static synchronized void load(String name) {
    if (LOADED.contains(name)) {
      return;
    }
    String resource = RESOURCE_DIR + "lib" + name + ".so";
    try (InputStream in = NativeLibraries.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw CompressoException.internal("native library " + resource + " is not on the classpath: "
            + "the Maven build compiles it from src/main/cpp/" + name + ".cpp (g++ needed)", null);
      }
      Path tmp = Files.createTempFile("compresso-lib" + name, ".so");
      tmp.toFile().deleteOnExit();
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      System.load(tmp.toAbsolutePath().toString());
      LOADED.add(name);
    } catch (IOException | UnsatisfiedLinkError e) {
      throw CompressoException.internal("cannot load native library " + resource + ": " + e.getMessage(), e);
    }
  }
}
