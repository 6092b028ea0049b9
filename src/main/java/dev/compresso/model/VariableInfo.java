package dev.compresso.model;

import java.util.List;

/**
 * One variable of a MetaGraph.
 *
 * @param name the variable's name: {@code SavedVariable.name} in TF2 exports (e.g. {@code dense/kernel}),
 *     the node name in TF1 graphs
 * @param dtype TensorFlow's Python name of the dtype, e.g. {@code float32}
 * @param shape dimensions, -1 for unknown ones; {@code null} when the rank is unknown
 * @param elements number of values, or -1 when the shape is not fully known (then not counted)
 * @param trainable whether training updates it ({@code SavedVariable.trainable}, or membership in the
 *     TF1 {@code trainable_variables} collection; TF1 graphs without that collection count every
 *     parameter as trainable)
 * @param role whether it counts as a parameter, see {@link Role}
 * @param note why it does not count, or empty
 */
public record VariableInfo(String name, String dtype, List<Long> shape, long elements, boolean trainable, Role role,
    String note) {

  /** How a variable enters the parameter count. */
  public enum Role {
    /** Read by the model's functions (TF2) or signatures (TF1): counted. */
    PARAMETER,
    /**
     * A second saved copy of a counted variable (same name, dtype and shape) that no function reads:
     * Keras 3's {@code model.export} saves every variable under both {@code variables/N} and
     * {@code _all_variables/N}. Not counted.
     */
    DUPLICATE,
    /** Saved but read by no function or signature (e.g. a Dropout seed-generator state). Not counted. */
    UNUSED
  }
}
