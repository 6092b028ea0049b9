package dev.compresso.cli;

import dev.compresso.api.Clustering;
import dev.compresso.api.CompressoModel;
import dev.compresso.cluster.CentroidInit;
import dev.compresso.cluster.ClusterConfig;
import dev.compresso.cluster.ClusterReport;
import dev.compresso.data.SampleSource;
import dev.compresso.io.AtomicOutput;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code compresso cluster MODEL --data DATA --clusters K --out DIR}: weight clustering with centroid
 * fine-tuning; writes the clustered SavedModel (a plain one: each kernel holds its K values) and {@code
 * cluster-report.json} to DIR, a table on stdout.
 */
final class ClusterCommand implements Command {

  static final int EPOCHS_DEFAULT = 1;
  static final int BATCH_DEFAULT = 8;
  static final String REPORT_FILE = CompressoModel.CLUSTER_REPORT_FILE;

  @Override
  public String name() {
    return "cluster";
  }

  @Override
  public String usage() {
    return "cluster MODEL --data DATA [--test-data DATA] --clusters K [--init linear|kmeans++|density] [--preserve-sparsity] "
        + "[--per-channel] [--epochs N] [--batch B] [--learning-rate LR] [--loss NAME] [--ignore PATTERN]... "
        + "--out DIR [--overwrite] [--max-metric-drop D] [--keep-last] [--distill [--temperature T] [--distill-weight W]]";
  }

  @Override
  public String summary() {
    return "Cluster each kernel's weights onto K shared values and fine-tune the centroids.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    FineTuning.addOptions(o, "output folder (clustered SavedModel and " + REPORT_FILE + ")", EPOCHS_DEFAULT,
        BATCH_DEFAULT);
    o.addOption(FineTuning.opt("clusters", "K", "values per kernel (or per output channel), at least 2, e.g. 16"));
    o.addOption(FineTuning.opt("init", "NAME", "centroid placement: kmeans++ (default), linear, density"));
    o.addOption(Option.builder().longOpt("preserve-sparsity").desc("keep zeros exactly zero (one of the K values)")
        .build());
    o.addOption(Option.builder().longOpt("per-channel").desc("K centroids per output channel").build());
    o.addOption(Option.builder().longOpt("ignore").hasArg().argName("PATTERN")
        .desc("leave unclustered: variable or node name, regex, or op type (repeatable, or comma-separated)").build());
    o.addOption(FineTuning.opt("min-params", "N", "skip kernels with fewer parameters (default 1000)"));
    o.addOption(FineTuning.opt("learning-rate", "LR", "Adam learning rate (default 1e-4)"));
    return o;
  }

  @Override
  public int run(CommandLine args, PrintStream out, PrintStream err) {
    FineTuning.Inputs in = FineTuning.read(args, "cluster", EPOCHS_DEFAULT, BATCH_DEFAULT);
    List<String> ignore = new ArrayList<>();
    if (args.getOptionValues("ignore") != null) {
      for (String v : args.getOptionValues("ignore")) {
        Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(ignore::add);
      }
    }
    OptionValues.required(args, "clusters");
    int k = (int) OptionValues.integer(args, "clusters", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
    ClusterConfig config = ClusterConfig.builder(k)
        .optInit(CentroidInit.parse(args.getOptionValue("init", "kmeans++")))
        .optPreserveSparsity(args.hasOption("preserve-sparsity"))
        .optPerChannel(args.hasOption("per-channel"))
        .optIgnore(ignore)
        .optMinParameters((int) OptionValues.integer(args, "min-params", 1000, 0, Integer.MAX_VALUE))
        .optLearningRate((float) OptionValues.number(args, "learning-rate", (double) ClusterConfig.LEARNING_RATE_DEFAULT))
        .optLoss(in.loss())
        .optFit(in.fit())
        .build();
    AtomicOutput.checkWritableDir(in.outDir(), in.overwrite());
    CompressoModel clustered;
    Clustering how = Clustering.of(config);
    try (CompressoModel model = FineTuning.load(in, args, err)) {
      SampleSource data = FineTuning.data(args);
      SampleSource test = FineTuning.testData(args, data);
      clustered = (test == null ? model.cluster(how, data) : model.cluster(how, data, test))
          .save(in.outDir(), in.overwrite());
    }
    ClusterReport report = clustered.clusterReport().orElseThrow();
    for (String w : report.warnings()) {
      err.println("compresso cluster: warning: " + w);
    }
    out.print(report.toTable());
    out.println("wrote " + in.outDir().toAbsolutePath().normalize() + " (SavedModel and " + REPORT_FILE + ")");
    return 0;
  }
}
