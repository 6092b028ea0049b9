package dev.compresso.edgetpu;

/** How a rule or table entry is known: read in a published source, or assumed (and said so). */
public enum Evidence {
  /** Stated in Coral's documentation or by Coral's maintainers; the rule's source says where. */
  SOURCED,
  /** Not found in a stored copy of the sources; the rule's source says what was assumed and why. */
  ASSUMED
}
