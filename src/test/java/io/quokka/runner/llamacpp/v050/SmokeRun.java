package io.quokka.runner.llamacpp.v050;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@link SmokeV050} or {@link SmokeB4916} in a JVM of its own and reads back its {@code key: value} lines. */
record SmokeRun(Map<String, String> values, String stderr) {

    static SmokeRun run(Class<?> main, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(Arrays.asList(args));
        Path err = Files.createTempFile("smoke-", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        pb.environment().put("OMP_WAIT_POLICY", "passive");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(3, TimeUnit.MINUTES)) p.destroyForcibly();
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        Map<String, String> values = new HashMap<>();
        for (String line : out.split("\n")) {
            int i = line.indexOf(": ");
            if (i > 0) values.put(line.substring(0, i), line.substring(i + 2));
            else if (line.endsWith(":")) values.put(line.substring(0, line.length() - 1), "");
        }
        return new SmokeRun(values, stderr);
    }

    boolean ok() {
        return "ok".equals(values.get("done"));
    }

    String text() {
        return new String(Base64.getDecoder().decode(values.getOrDefault("text_base64", "")), StandardCharsets.UTF_8);
    }

    int[] ints(String key) {
        String v = values.getOrDefault(key, "");
        return v.isEmpty() ? new int[0] : Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    long millis(String key) {
        return Long.parseLong(values.getOrDefault(key, "-1"));
    }

    String describe() {
        String tail = stderr.length() > 3000 ? stderr.substring(stderr.length() - 3000) : stderr;
        return "stdout " + values + "\nstderr (tail):\n" + tail;
    }
}
