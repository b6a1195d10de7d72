package io.quokka.runner;

import io.quokka.engine.KvCacheType;
import io.quokka.engine.LoadRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The runner's command line: the load request, where the llama.cpp library is, and the channel to the server
 * ({@code --socket PATH} to connect to the server's Unix domain socket, or {@code --stdio}).
 */
record RunnerOptions(LoadRequest load, Path library, Path socket) {

    List<String> toArgs() {
        List<String> args = new ArrayList<>(List.of(
                "--model", load.modelFile().toString(),
                "--ctx-size", Integer.toString(load.numCtx()),
                "--batch-size", Integer.toString(load.numBatch()),
                "--threads", Integer.toString(load.numThread()),
                "--parallel", Integer.toString(load.numParallel()),
                "--mmap", Boolean.toString(load.useMmap()),
                "--flash-attn", Boolean.toString(load.flashAttention()),
                "--kv-cache-type", load.kvCacheType().name(),
                "--library", library.toString()));
        if (socket != null) {
            args.add("--socket");
            args.add(socket.toString());
        } else {
            args.add("--stdio");
        }
        return args;
    }

    static RunnerOptions parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (!key.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + key);
            if (key.equals("--stdio")) {
                values.put(key, "true");
            } else {
                if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + key);
                values.put(key, args[++i]);
            }
        }
        LoadRequest load = new LoadRequest(
                Path.of(required(values, "--model")),
                Integer.parseInt(required(values, "--ctx-size")),
                Integer.parseInt(required(values, "--batch-size")),
                Integer.parseInt(required(values, "--threads")),
                Integer.parseInt(required(values, "--parallel")),
                Boolean.parseBoolean(required(values, "--mmap")),
                Boolean.parseBoolean(required(values, "--flash-attn")),
                KvCacheType.parse(required(values, "--kv-cache-type"))
                        .orElseThrow(() -> new IllegalArgumentException("bad --kv-cache-type")));
        String socket = values.get("--socket");
        if (socket == null && !values.containsKey("--stdio")) {
            throw new IllegalArgumentException("need --socket PATH or --stdio");
        }
        return new RunnerOptions(load, Path.of(required(values, "--library")), socket == null ? null : Path.of(socket));
    }

    private static String required(Map<String, String> values, String key) {
        String v = values.get(key);
        if (v == null) throw new IllegalArgumentException("missing " + key);
        return v;
    }

    Path modelFile() { return load.modelFile(); }
    int numCtx() { return load.numCtx(); }
    int numBatch() { return load.numBatch(); }
    int numThread() { return load.numThread(); }
    int numParallel() { return load.numParallel(); }
    boolean useMmap() { return load.useMmap(); }
    boolean flashAttention() { return load.flashAttention(); }
    KvCacheType kvCacheType() { return load.kvCacheType(); }
}
