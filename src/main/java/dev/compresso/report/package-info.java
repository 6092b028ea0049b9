/**
 * Output for people: progress bars now; markdown, CSV, JSON and PNG reports as stages land. Nothing here
 * computes a result; it only presents what other packages measured.
 */
package dev.compresso.report;
