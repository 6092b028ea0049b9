/**
 * Measurement: process memory now; latency and memory of models in child processes and the sweep as
 * those stages land. Numbers are measured here and reported elsewhere ({@code report}).
 */
package dev.compresso.bench;
