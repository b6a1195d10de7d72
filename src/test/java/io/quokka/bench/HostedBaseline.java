package io.quokka.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.runner.client.RunnerEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import io.quokka.runner.client.RunnerEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The benchmark's side of an {@link EngineHost}: starts it (same JVM, class path and options) and asks it to run. */
final class HostedBaseline implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code bare} or {@code wrapper}. */
    final String kind;
    private final Process process;
    private final Writer commands;
    private final BufferedReader answers;
    /** The load as the host timed it (in-process, without the JVM's start). */
    double loadMs;

    private HostedBaseline(String kind, Process process) {
        this.kind = kind;
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts {@code kind} ({@code bare} or {@code wrapper}) on {@code model}; returns once it has loaded. */
    static HostedBaseline start(String kind, Path model, int ctx, int batch, int threads, Path library, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        // The same options as this JVM (GC, native access, stack size), not its debugging agents.
        for (String option : ProcessHandle.current().info().arguments().map(List::of).orElse(List.of())) {
            if (option.equals("-cp") || option.equals("-classpath") || option.equals("-jar")
                    || option.startsWith("io.quokka.bench")) {
                break;
            }
            if (option.startsWith("-D") || option.startsWith("-XX") || option.startsWith("-X")
                    || option.startsWith("--enable-native-access")) {
                command.add(option);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EngineHost.class.getName(), kind,
                model.toString(), Integer.toString(ctx), Integer.toString(batch), Integer.toString(threads),
                library.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(RunnerEngine.DEFAULT_ENVIRONMENT); // OpenMP waits as in the runners
        Process process = pb.start();
        HostedBaseline host = new HostedBaseline(kind, process);
        JsonNode ready = host.next();
        if (!ready.path("ready").asBoolean()) throw new IOException(kind + " host failed to start: " + ready);
        host.loadMs = ready.path("load_ms").asDouble();
        return host;
    }

    /** One generation of {@code n} tokens after {@code prompt} (of {@code promptTokens} tokens), timed by the host. */
    JsonNode generate(String prompt, int n, int promptTokens) throws IOException {
        commands.write(JSON.writeValueAsString(Map.of("prompt", prompt, "n", n, "prompt_tokens", promptTokens)));
        commands.write('\n');
        commands.flush();
        JsonNode answer = next();
        if (answer.has("error")) throw new IOException("baseline failed: " + answer.get("error").asText());
        return answer;
    }

    private JsonNode next() throws IOException {
        String line;
        while ((line = answers.readLine()) != null) {
            if (line.startsWith(EngineHost.PREFIX)) return JSON.readTree(line.substring(EngineHost.PREFIX.length()));
        }
        throw new IOException("the baseline's process ended" + (process.isAlive() ? "" : " (exit " + process.exitValue() + ")"));
    }

    @Override
    public void close() {
        process.destroy();
    }
}
