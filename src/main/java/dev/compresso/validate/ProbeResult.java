package dev.compresso.validate;

import com.google.gson.JsonObject;

/**
 * What a {@link ModelProbe} child measured in its own process.
 *
 * @param runtime which runtime ran the model
 * @param threads its thread count
 * @param loadMs time to load the model and prepare it to run (interpreter built and tensors allocated,
 *     or SavedModel restored), milliseconds
 * @param latency times of the timed inferences, batch 1
 * @param rssBeforeLoadBytes {@code VmRSS} of the child before loading the model: the JVM and the
 *     runtime's native library alone
 * @param peakRssBytes {@code VmHWM} of the child after loading and every inference: the peak resident
 *     memory of a process that serves this model, as the seed article measured RAM
 */
public record ProbeResult(ProbeSpec.Runtime runtime, int threads, double loadMs, LatencyStats latency,
    long rssBeforeLoadBytes, long peakRssBytes) {

  JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("runtime", runtime.name());
    o.addProperty("threads", threads);
    o.addProperty("load_ms", loadMs);
    o.addProperty("runs", latency.runs());
    o.addProperty("median_ms", latency.medianMs());
    o.addProperty("p90_ms", latency.p90Ms());
    o.addProperty("min_ms", latency.minMs());
    o.addProperty("p10_ms", latency.p10Ms());
    o.addProperty("invocations_per_window", latency.perWindow());
    o.addProperty("load_average", latency.loadAverage());
    o.addProperty("stable", latency.stable());
    o.addProperty("unstable", latency.unstable());
    o.addProperty("rss_before_load_bytes", rssBeforeLoadBytes);
    o.addProperty("peak_rss_bytes", peakRssBytes);
    return o;
  }

  static ProbeResult fromJson(JsonObject o) {
    return new ProbeResult(ProbeSpec.Runtime.valueOf(o.get("runtime").getAsString()), o.get("threads").getAsInt(),
        o.get("load_ms").getAsDouble(),
        new LatencyStats(o.get("runs").getAsInt(), o.get("median_ms").getAsDouble(), o.get("p90_ms").getAsDouble(),
            o.get("min_ms").getAsDouble(), number(o, "p10_ms"), o.has("invocations_per_window")
                ? o.get("invocations_per_window").getAsInt() : 1, number(o, "load_average"),
            o.has("unstable") ? o.get("unstable").getAsString() : ""),
        o.get("rss_before_load_bytes").getAsLong(), o.get("peak_rss_bytes").getAsLong());
  }

  private static double number(JsonObject o, String key) {
    return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsDouble() : Double.NaN;
  }
}
