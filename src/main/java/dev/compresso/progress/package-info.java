/**
 * Progress events of the long stages (fine-tuning epochs and steps, and one-line notes such as "timing the
 * .tflite at 2 threads"), delivered to a {@link dev.compresso.progress.ProgressListener}. Library code reports
 * through a listener and never prints; the command line's listener ({@code report.ConsoleProgress}) draws the
 * progress bars on stderr, a service embedding Compresso logs or forwards the events. Not here: the bars
 * themselves ({@code report}), and training ({@code train}).
 */
package dev.compresso.progress;
