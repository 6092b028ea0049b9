/**
 * Measurement: process memory now; latency and memory of models in child processes and the sweep as
 * those stages land; {@link dev.compresso.bench.ConvertBenchmark}: conversion time, .tflite size and
 * interpreter vs TF Java latency per precision, as one JSON document. Numbers are measured here and
 * reported elsewhere ({@code report}).
 */
package dev.compresso.bench;
