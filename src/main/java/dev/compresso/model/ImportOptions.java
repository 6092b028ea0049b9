package dev.compresso.model;

/**
 * What {@link ModelImporter#read(java.nio.file.Path, String, String, ImportOptions)} does beyond reading one
 * signature: which output to keep and the input shape where the signature leaves it open.
 *
 * @param outputKey the one output to keep (and train), or {@code null} to keep every output, the first by
 *     key being the primary one
 * @param inputShape the input's shape where the signature's is of unknown rank or has unknown dimensions,
 *     or {@code null} to keep the declared one
 */
public record ImportOptions(String outputKey, InputShape inputShape) {

  private static final ImportOptions DEFAULTS = new ImportOptions(null, null);

  /** Every output, the declared input shape. */
  public static ImportOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link ImportOptions}; every setting is optional. */
  public static final class Builder {
    private String outputKey;
    private InputShape inputShape;

    private Builder() {}

    /** Keep only output {@code key} (null: all). */
    public Builder optOutput(String key) {
      this.outputKey = key;
      return this;
    }

    /** Fix the input's shape (null: as declared). */
    public Builder optInputShape(InputShape shape) {
      this.inputShape = shape;
      return this;
    }

    public ImportOptions build() {
      return new ImportOptions(outputKey, inputShape);
    }
  }
}
