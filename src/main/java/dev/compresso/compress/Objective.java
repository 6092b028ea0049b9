package dev.compresso.compress;

import dev.compresso.BadInputException;
import java.util.Locale;

/** What the search minimises among the candidates within budget. */
public enum Objective {
  /** The {@code .tflite}'s gzip -9 size (what a download or a flash partition pays). */
  SIZE("size"),
  /** The median latency at one thread, as {@code validate} measures it on this machine. */
  LATENCY("latency");

  private final String cliName;

  Objective(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  public static Objective parse(String name) {
    for (Objective o : values()) {
      if (o.cliName.equals(name.strip().toLowerCase(Locale.ROOT))) {
        return o;
      }
    }
    throw new BadInputException("--objective: unknown objective '" + name + "'; accepted: size, latency");
  }

  /** The quantity minimised for {@code j}. */
  public double of(Judgement j) {
    return this == SIZE ? j.gzipBytes() : j.latencyMs();
  }
}
