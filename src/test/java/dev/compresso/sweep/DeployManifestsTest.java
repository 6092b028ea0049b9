package dev.compresso.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The batch-engine manifests in {@code deploy/}: the Kubernetes Indexed Job has what the batch/v1 Job
 * schema requires (checked field by field here; {@code deploy/kubernetes/validate.sh} checks it against
 * Kubernetes' OpenAPI schemas, with npm) and runs exactly {@code compresso sweep --cell
 * $JOB_COMPLETION_INDEX}; the Slurm script parses ({@code bash -n}) and runs {@code --cell
 * $SLURM_ARRAY_TASK_ID}; the README's Slurm lines are the ones {@code deploy/slurm/try-local.sh} runs on a
 * real one-node cluster (that script is a benchmark-like command of its own, not run here).
 */
class DeployManifestsTest {

  static final Path DEPLOY = Path.of("deploy");

  @Test
  @SuppressWarnings("unchecked")
  void theKubernetesIndexedJobHasTheJobSchemasRequiredFields() throws Exception {
    Map<String, Object> job = new Yaml().load(Files.readString(DEPLOY.resolve("kubernetes/sweep-indexed-job.yaml")));
    assertEquals("batch/v1", job.get("apiVersion"));
    assertEquals("Job", job.get("kind"));
    Map<String, Object> metadata = (Map<String, Object>) job.get("metadata");
    assertTrue(metadata.get("name") instanceof String n && n.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"),
        "metadata.name is a DNS label: " + metadata);
    Map<String, Object> spec = (Map<String, Object>) job.get("spec");
    assertEquals("Indexed", spec.get("completionMode"));
    assertInstanceOf(Integer.class, spec.get("completions"), "Indexed Jobs need completions");
    assertTrue((Integer) spec.get("completions") > 0);
    if (spec.containsKey("parallelism")) {
      assertInstanceOf(Integer.class, spec.get("parallelism"));
    }
    Map<String, Object> podSpec = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
    assertTrue(Set.of("Never", "OnFailure").contains(podSpec.get("restartPolicy")),
        "a Job's pods must not restart Always: " + podSpec.get("restartPolicy"));
    List<Map<String, Object>> containers = (List<Map<String, Object>>) podSpec.get("containers");
    assertFalse(containers.isEmpty());
    for (Map<String, Object> c : containers) {
      assertTrue(c.get("name") instanceof String, "container name");
      assertTrue(c.get("image") instanceof String i && !i.isBlank(), "container image");
      List<String> command = (List<String>) c.get("command");
      String line = String.join(" ", command);
      assertTrue(line.contains("compresso sweep --cell \"$JOB_COMPLETION_INDEX\" --out /sweep"), line);
      List<Map<String, Object>> mounts = (List<Map<String, Object>>) c.get("volumeMounts");
      assertTrue(mounts.stream().anyMatch(m -> "/sweep".equals(m.get("mountPath"))), "the sweep folder is mounted");
    }
    List<Map<String, Object>> volumes = (List<Map<String, Object>>) podSpec.get("volumes");
    assertTrue(volumes.stream().anyMatch(v -> "sweep".equals(v.get("name")) && v.containsKey("persistentVolumeClaim")),
        "a shared volume backs /sweep");
  }

  @Test
  void theSlurmArrayScriptParsesAndRunsItsArrayTaskCell() throws Exception {
    Path script = DEPLOY.resolve("slurm/sweep-array.sh");
    Process p = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
    String text = Files.readString(script);
    assertTrue(text.startsWith("#!/usr/bin/env bash\n"), "a bash script");
    assertTrue(text.contains("sweep --cell \"$SLURM_ARRAY_TASK_ID\" --out \"$SWEEP_DIR\""), text);
    assertTrue(Files.isExecutable(script), "executable");
  }

  @Test
  void theReadmesSlurmLinesAreExactlyWhatTryLocalRuns() throws Exception {
    for (String name : List.of("slurm/try-local.sh", "kubernetes/validate.sh")) {
      Path script = DEPLOY.resolve(name);
      Process p = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), name + ": " + new String(p.getInputStream().readAllBytes()));
      assertTrue(Files.isExecutable(script), name + " is executable");
    }
    String readme = Files.readString(Path.of("docs", "sweeps.md"));
    int section = readme.indexOf("## On a Slurm cluster");
    assertTrue(section > 0, "docs/sweeps.md has a Slurm section");
    int open = readme.indexOf("```\n", section) + 4;
    List<String> lines = readme.substring(open, readme.indexOf("```", open)).lines().toList();
    assertEquals(3, lines.size(), "plan, sbatch, report: " + lines);
    assertTrue(lines.get(1).contains("sbatch --array=0-$((N-1)) --cpus-per-task=\"$CPUS\" --mem=\"$MEM\"")
        && lines.get(1).endsWith(" deploy/slurm/sweep-array.sh"), lines.get(1));
    List<String> tryLocal = Files.readString(DEPLOY.resolve("slurm/try-local.sh")).lines().map(String::strip).toList();
    for (String line : lines) {
      assertTrue(tryLocal.stream().anyMatch(l -> l.startsWith(line)), "try-local.sh runs the README's line: " + line);
    }
  }
}
