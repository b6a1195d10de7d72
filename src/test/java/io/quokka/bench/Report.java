package io.quokka.bench;

import java.util.List;
import java.util.Map;

/** The markdown table of a benchmark run, from the same map that becomes {@code results.json}. */
final class Report {
    private Report() {}

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> json) {
        StringBuilder md = new StringBuilder();
        md.append("# Quokka benchmark (").append(json.get("mode")).append(")\n\n");
        md.append("Commit `").append(json.get("commit")).append("`, ").append(json.get("started")).append(", ")
                .append(json.get("cpus")).append(" CPUs, load average ").append(json.get("load_average_start"))
                .append(" → ").append(json.get("load_average_end")).append("; JDK ").append(json.get("java"))
                .append("; ").append(json.get("threads")).append(" threads, num_ctx ").append(json.get("num_ctx"))
                .append(", num_batch ").append(json.get("num_batch")).append(", ").append(json.get("repetitions"))
                .append(" interleaved repetitions (medians).\n\n");
        for (Object w : (List<Object>) json.getOrDefault("warnings", List.of())) {
            md.append("**Warning:** ").append(w).append(".\n\n");
        }

        List<Map<String, Object>> shapes = (List<Map<String, Object>>) json.get("shapes");
        md.append("## Generation and prompt speed: served (`/api/generate`, streamed) vs the engine in-process\n\n");
        md.append("The goal: served ≥ 0.98 × the model driven directly through `de.kherud:llama` in-process "
                + "(served/wrapper); served/bare is the stricter comparison with Quokka's own engine code "
                + "in-process.\n\n");
        md.append("| shape | served gen tok/s | bare gen tok/s | served/bare | pairwise | runner gen tok/s | runner/bare "
                + "| wrapper gen tok/s | served/wrapper | served prompt tok/s | bare prompt tok/s | wrapper prompt tok/s "
                + "| per-token overhead µs |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> s : shapes) {
            Map<String, Object> served = (Map<String, Object>) s.get("served");
            Map<String, Object> bare = (Map<String, Object>) s.get("bare");
            Map<String, Object> wrapper = (Map<String, Object>) s.getOrDefault("wrapper", Map.of());
            Map<String, Object> runner = (Map<String, Object>) s.getOrDefault("runner", Map.of());
            md.append("| ").append(s.get("shape")).append(" | ").append(served.get("generation_tps_median"))
                    .append(" | ").append(bare.get("generation_tps_median"))
                    .append(" | **").append(s.get("ratio_served_bare_generation")).append("**")
                    .append(" | ").append(s.get("ratio_pairwise_median"))
                    .append(" | ").append(dash(runner.get("generation_tps_median")))
                    .append(" | ").append(dash(s.get("ratio_runner_bare_generation")))
                    .append(" | ").append(dash(wrapper.get("generation_tps_median")))
                    .append(" | ").append(dash(s.get("ratio_served_wrapper_generation")))
                    .append(s.containsKey("ratio_served_wrapper_pairwise")
                            ? " (pairwise " + s.get("ratio_served_wrapper_pairwise") + ")" : "")
                    .append(" | ").append(served.get("prompt_tps_median"))
                    .append(" | ").append(bare.get("prompt_tps_median"))
                    .append(" | ").append(dash(wrapper.get("prompt_tps_median")))
                    .append(" | ").append(s.get("per_token_overhead_us")).append(" |\n");
        }
        md.append("\nGeneration tok/s is what the client sees: (tokens − 1) / (last text chunk − first text chunk); "
                + "bare = the runner's engine code (llama.cpp via FFM) in a process of its own; runner = the "
                + "server's runner process driven from the benchmark's process (frames over pipes, no HTTP); wrapper = "
                + "`de.kherud:llama`'s `LlamaModel` Java API in a process of its own, timed at its output iterator. "
                + "Pairwise = the median of each served run over the baseline's run next to it. Prompt tok/s: the "
                + "runner's exact counts and timings (served, bare); prompt tokens / time to first chunk (wrapper, "
                + "which reports no timings).\n\n");
        md.append("Per-token overhead = 1/served − 1/bare, in wall time. What each streamed token costs in CPU "
                + "(medians, from the first text chunk to the final line; the client shares the server's cores "
                + "here, a remote one would not):\n\n");
        for (Map<String, Object> s : shapes) {
            Map<String, Object> served = (Map<String, Object>) s.get("served");
            md.append("- ").append(s.get("shape")).append(": server process ")
                    .append(dash(served.get("server_cpu_us_per_token_median"))).append(" µs, client ")
                    .append(dash(served.get("client_cpu_us_per_token_median"))).append(" µs\n");
        }
        md.append("\n");

        if (shapes.stream().anyMatch(s -> s.containsKey("peer"))) peer(md, shapes);

        md.append("## Time to first token (ms)\n\n");
        md.append("| shape | prompt | tokens | served, 1 client | bare, 1 client | served, 4 clients (median / max) |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (Map<String, Object> s : shapes) {
            Map<String, Object> t = (Map<String, Object>) s.get("ttft");
            if (t == null) continue;
            for (String len : List.of("short", "long")) {
                md.append("| ").append(s.get("shape")).append(" | ").append(len).append(" | ")
                        .append(t.get(len + "_prompt_tokens")).append(" | ")
                        .append(t.get(len + "_served_1_client_ms")).append(" | ")
                        .append(t.get(len + "_bare_1_client_ms")).append(" | ")
                        .append(t.get(len + "_served_4_clients_median_ms")).append(" / ")
                        .append(t.get(len + "_served_4_clients_max_ms")).append(" |\n");
            }
        }

        md.append("\n## Load and memory\n\n");
        md.append("Server idle without a model (after serving once and unloading): ")
                .append(json.get("rss_idle_no_model_mib")).append(" MiB RSS.\n\n");
        md.append("| shape | file MiB | load ms (served / bare / wrapper) | server RSS loaded | runner RSS loaded "
                + "| guard estimate | estimate error | server RSS after unload | runners after unload |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> s : shapes) {
            double runner = ((Number) s.get("rss_runner_loaded_mib")).doubleValue();
            double estimate = ((Number) s.get("estimate_mib")).doubleValue();
            md.append("| ").append(s.get("shape")).append(" | ").append(s.get("file_mib")).append(" | ")
                    .append(s.get("load_ms_served")).append(" / ").append(s.get("load_ms_bare")).append(" / ")
                    .append(dash(s.get("load_ms_wrapper"))).append(" | ")
                    .append(s.get("rss_server_loaded_mib")).append(" | ").append(runner).append(" | ")
                    .append(estimate).append(" (ctx ").append(s.get("estimate_context_length")).append(") | ")
                    .append(String.format("%+.1f%%", (estimate - runner) / runner * 100)).append(" | ")
                    .append(s.get("rss_server_after_unload_mib")).append(" | ")
                    .append(s.get("rss_runners_after_unload_mib")).append(" |\n");
        }
        Map<String, Object> cold = (Map<String, Object>) json.get("cold_start");
        md.append("\nCold start (").append(cold.get("shape")).append("): process start → first generated token ")
                .append(cold.get("start_to_first_token_ms")).append(" ms (model file in the page cache).\n\n");

        Map<String, Object> q = (Map<String, Object>) json.get("queue");
        md.append("## Twice the queue's capacity\n\n");
        md.append("| OLLAMA_MAX_QUEUE | sent at once | answered | 503 | lost |\n|---|---|---|---|---|\n");
        md.append("| ").append(q.get("max_queue")).append(" | ").append(q.get("sent")).append(" | ")
                .append(q.get("answered")).append(" | ").append(q.get("rejected_503")).append(" | **")
                .append(q.get("lost")).append("** |\n");
        return md.toString();
    }

    /** The served path against llama-server of the same release ({@code --peer}). */
    @SuppressWarnings("unchecked")
    private static void peer(StringBuilder md, List<Map<String, Object>> shapes) {
        md.append("## Against llama-server (`--peer`)\n\n");
        md.append("| shape | served gen tok/s | llama-server gen tok/s | **served/llama-server** (pairwise) "
                + "| served prompt tok/s | llama-server prompt tok/s | served/llama-server "
                + "| served TTFT ms | llama-server TTFT ms | served/llama-server (lower is better) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> s : shapes) {
            Map<String, Object> p = (Map<String, Object>) s.get("peer");
            if (p == null) continue;
            Map<String, Object> served = (Map<String, Object>) p.get("served");
            Map<String, Object> peer = (Map<String, Object>) p.get("llama_server");
            md.append("| ").append(s.get("shape"))
                    .append(" | ").append(served.get("runner_generation_tps_median"))
                    .append(" | ").append(peer.get("runner_generation_tps_median"))
                    .append(" | **").append(p.get("ratio_generation")).append("** (")
                    .append(p.get("ratio_generation_pairwise")).append(")")
                    .append(" | ").append(served.get("prompt_tps_median"))
                    .append(" | ").append(peer.get("prompt_tps_median"))
                    .append(" | ").append(p.get("ratio_prompt"))
                    .append(" | ").append(served.get("ttft_ms_median"))
                    .append(" | ").append(peer.get("ttft_ms_median"))
                    .append(" | ").append(p.get("ratio_ttft")).append(" |\n");
        }
        Map<String, Object> first = (Map<String, Object>) shapes.stream().filter(s -> s.containsKey("peer"))
                .findFirst().orElseThrow().get("peer");
        md.append("\nllama-server: `").append(first.get("binary")).append("`, on the same GGUF file with the same "
                + "threads, context and batch and one slot, driven through its `/completion` endpoint (streamed, "
                + "`cache_prompt` false), alternating with the served path (served, llama-server, served, ...), each "
                + "run a fresh prompt of ≈").append(first.get("prompt_tokens")).append(" tokens. Generation and "
                + "prompt tok/s are each side's own figures: the Ollama API's `eval_count / eval_duration` and "
                + "`prompt_eval_count / prompt_eval_duration`, llama-server's `timings.predicted_per_second` and "
                + "`timings.prompt_per_second`; time to first token is the client's on both (request sent → first "
                + "text). The rates between the first and the last text chunk as the client saw them are in the "
                + "JSON (`generation_tps_median`, `ratio_generation_client`).\n\n");
    }

    private static Object dash(Object v) {
        return v == null ? "–" : v;
    }
}
