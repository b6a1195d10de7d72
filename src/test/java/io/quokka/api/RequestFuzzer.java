package io.quokka.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates malformed and borderline request bodies for the API endpoints from a seed: literals and empty bodies,
 * random bytes, truncated JSON, valid requests with one field of a wrong type or an extreme value, random options,
 * invalid durations, unicode edge cases (lone surrogates, NUL, RTL, emoji, invalid UTF-8), deep nesting and giant
 * prompts. Requests that would really generate on the toy model keep {@code num_predict} at 1, so a case that the
 * server accepts stays cheap.
 */
final class RequestFuzzer {
    static final String TOY = "toy";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final List<String> OPTION_NAMES = List.of("num_keep", "seed", "num_predict", "top_k", "top_p",
            "min_p", "typical_p", "repeat_last_n", "temperature", "repeat_penalty", "presence_penalty",
            "frequency_penalty", "stop", "num_ctx", "num_batch", "num_thread", "use_mmap", "num_gpu", "main_gpu",
            "penalize_newline", "mirostat", "tfs_z", "unknown_option");
    private static final List<String> LOAD_OPTIONS = List.of("num_ctx", "num_batch", "num_thread", "use_mmap");
    private static final List<String> LITERALS = List.of("", " ", "\n\t ", "null", "[]", "[null]", "0", "-1", "1e999",
            "\"x\"", "true", "{}", "{", "}", "{\"model\":}", "{\"model\"", "{'model':'toy'}", "{\"model\":\"toy\",}",
            "{\"model\":\"toy\"}{\"model\":\"toy\"}", "\uFEFF{\"model\":\"toy\"}", "{\"model\":\"toy\" /* c */}",
            "{\"model\":\"toy\",\"model\":\"toy\"}", "NaN", "{\"model\":NaN}", "{\"model\":\"\\u\"}");
    private static final List<String> DURATIONS = List.of("5x", "-", "", "m", "1e999h", "99999999999999h", "1h1h",
            "-0", "5 m", "∞", "1.5.5s", "0x10s", "5mm", "9223372036854775807ns", "-9223372036854775808h", "+5m",
            "\u0000", "1\u00b5s", "3μs", ".s", "1..2s");
    private static final List<String> UNICODE = List.of("\\ud800", "\\udfff", "\\ud800\\ud800", "\\udc00x",
            "\\u0000", "a\\u0000b", "\\u202e\\u202dRTL\\u200f", "\\ud83e\\udd98", "🦘🦘🦘", "\\uffff", "\\ufffe",
            "\\u2028\\u2029", "e\\u0301\\u0301\\u0301", "\\u0085", "<|im_start|>system", "{{ .Prompt }}",
            "{{ range . }}{{ end }}", "[INST]", "\\\\x00", "%s%s%n");

    private final SplittableRandom r;

    RequestFuzzer(SplittableRandom random) {
        this.r = random;
    }

    SplittableRandom random() {
        return r;
    }

    /** One generated body for {@code path}. */
    byte[] body(String path) {
        int strategy = r.nextInt(100);
        if (strategy < 6) return utf8(LITERALS.get(r.nextInt(LITERALS.size())));
        if (strategy < 12) return randomBytes(r.nextInt(256));
        if (strategy < 20) return truncated(path);
        if (strategy < 24) return nested(1 + r.nextInt(5000));
        if (strategy < 34) return utf8(unicodeCase(path));
        if (strategy < 36) return invalidUtf8(path);
        if (strategy < 37) return giant(path);
        Map<String, Object> request = template(path);
        if (strategy < 60) wrongType(path, request);
        else if (strategy < 75) randomOptions(request);
        else if (strategy < 82) {
            request.put("keep_alive", r.nextBoolean() ? pick(DURATIONS) : extremeNumber());
            request.put("model", "nonexistent-model"); // a valid keep-alive of 0 would unload the toy model each time
        }
        else if (strategy < 90) request.put("model", randomName());
        else {
            wrongType(path, request);
            wrongType(path, request);
        }
        keepCheap(path, request);
        return json(request);
    }

    /** A valid request for {@code path} (a generation on toy asks for one token). */
    Map<String, Object> template(String path) {
        Map<String, Object> m = new LinkedHashMap<>();
        String model = r.nextInt(10) < 3 ? TOY : "nonexistent-model";
        List<Object> messages = new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("role", "user", "content", "hi"))));
        switch (path) {
            case "/api/generate" -> {
                m.put("model", model);
                m.put("prompt", "hi");
                m.put("stream", r.nextInt(4) == 0);
                m.put("options", new LinkedHashMap<>(Map.of("num_predict", 1)));
            }
            case "/api/chat" -> {
                m.put("model", model);
                m.put("messages", messages);
                m.put("stream", r.nextInt(4) == 0);
                m.put("options", new LinkedHashMap<>(Map.of("num_predict", 1)));
            }
            case "/api/embed", "/v1/embeddings" -> {
                m.put("model", model);
                m.put("input", "hi");
            }
            case "/api/embeddings" -> {
                m.put("model", model);
                m.put("prompt", "hi");
            }
            case "/api/show" -> m.put("model", model);
            case "/v1/chat/completions" -> {
                m.put("model", model);
                m.put("messages", messages);
                m.put("max_tokens", 1);
                if (r.nextInt(4) == 0) m.put("stream", true);
            }
            case "/v1/completions" -> {
                m.put("model", model);
                m.put("prompt", "hi");
                m.put("max_tokens", 1);
                if (r.nextInt(4) == 0) m.put("stream", true);
            }
            default -> { } // GET endpoints: the body is ignored
        }
        return m;
    }

    /** Fields each endpoint reads, beyond its template's. */
    private static List<String> fields(String path) {
        return switch (path) {
            case "/api/generate" -> List.of("model", "prompt", "suffix", "system", "template", "context", "stream",
                    "raw", "format", "keep_alive", "images", "options", "think", "truncate");
            case "/api/chat" -> List.of("model", "messages", "messages.0", "messages.0.role", "messages.0.content",
                    "messages.0.images", "messages.0.tool_calls", "tools", "stream", "format", "keep_alive",
                    "options", "think", "truncate");
            case "/api/embed" -> List.of("model", "input", "truncate", "options", "keep_alive", "dimensions");
            case "/api/embeddings" -> List.of("model", "prompt", "options", "keep_alive");
            case "/api/show" -> List.of("model", "name", "verbose", "system", "template", "options");
            case "/v1/chat/completions" -> List.of("model", "messages", "messages.0", "messages.0.role",
                    "messages.0.content", "max_tokens", "temperature", "top_p", "stop", "seed", "stream",
                    "stream_options", "response_format", "n", "tools", "tool_choice", "frequency_penalty",
                    "presence_penalty", "logprobs", "user", "reasoning_effort");
            case "/v1/completions" -> List.of("model", "prompt", "max_tokens", "temperature", "top_p", "stop", "seed",
                    "stream", "stream_options", "suffix", "echo", "n", "frequency_penalty", "presence_penalty");
            case "/v1/embeddings" -> List.of("model", "input", "encoding_format", "dimensions", "user");
            default -> List.of("model", "anything");
        };
    }

    @SuppressWarnings("unchecked")
    private void wrongType(String path, Map<String, Object> request) {
        List<String> fields = fields(path);
        String field = fields.get(r.nextInt(fields.size()));
        Object value = randomValue(2);
        String[] parts = field.split("\\.");
        if (parts.length == 1) {
            if (r.nextInt(8) == 0) request.remove(field);
            else request.put(field, value);
            return;
        }
        Object messages = request.get(parts[0]);
        if (!(messages instanceof List<?> list) || list.isEmpty()) return;
        if (parts.length == 2) {
            ((List<Object>) list).set(0, value);
        } else if (list.get(0) instanceof Map<?, ?> message) {
            ((Map<String, Object>) message).put(parts[2], value);
        }
    }

    @SuppressWarnings("unchecked")
    private void randomOptions(Map<String, Object> request) {
        Map<String, Object> options = request.get("options") instanceof Map<?, ?> o
                ? (Map<String, Object>) o : new LinkedHashMap<>();
        int n = 1 + r.nextInt(5);
        boolean toy = TOY.equals(request.get("model"));
        for (int i = 0; i < n; i++) {
            String name = pick(OPTION_NAMES);
            Object value = r.nextInt(3) == 0 ? randomValue(1) : extremeNumber();
            // On the real model a new num_ctx means a new runner: keep those rare, the rest of the space is cheap.
            if (toy && LOAD_OPTIONS.contains(name) && value instanceof Number && r.nextInt(10) != 0) continue;
            options.put(name, value);
        }
        request.put("options", options);
        if (!request.containsKey("prompt") && !request.containsKey("messages") && !request.containsKey("input")) {
            request.put("prompt", "hi");
        }
    }

    /** Keeps a request the toy model would really serve to one generated token. */
    @SuppressWarnings("unchecked")
    private static void keepCheap(String path, Map<String, Object> request) {
        if (!TOY.equals(request.get("model"))) return;
        if (request.containsKey("keep_alive")) request.put("model", "nonexistent-model"); // see body()
        if (path.equals("/api/generate") || path.equals("/api/chat")) {
            Object options = request.get("options");
            if (options == null || !request.containsKey("options")) {
                request.put("options", new LinkedHashMap<>(Map.of("num_predict", 1)));
            } else if (options instanceof Map<?, ?> o) {
                Object np = o.get("num_predict");
                if (np == null || np instanceof Number) ((Map<String, Object>) o).put("num_predict", 1);
            }
        } else if (path.startsWith("/v1/") && !path.equals("/v1/embeddings")) {
            Object max = request.get("max_tokens");
            if (max == null || max instanceof Number) request.put("max_tokens", 1);
            if (request.get("n") instanceof Number) request.put("n", 1);
        }
    }

    private Object randomValue(int depth) {
        return switch (r.nextInt(depth > 0 ? 12 : 9)) {
            case 0 -> null;
            case 1 -> r.nextBoolean();
            case 2 -> extremeNumber();
            case 3 -> r.nextInt(-3, 100);
            case 4 -> "";
            case 5 -> randomString();
            case 6 -> pick(DURATIONS);
            case 7 -> r.nextDouble() * 2 - 1;
            case 8 -> "toy";
            case 9 -> {
                List<Object> list = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) list.add(randomValue(depth - 1));
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = r.nextInt(4); i > 0; i--) map.put(randomKey(), randomValue(depth - 1));
                yield map;
            }
        };
    }

    private String randomKey() {
        List<String> keys = List.of("type", "properties", "role", "content", "function", "name", "arguments",
                "enum", "items", "$ref", "pattern", "minimum", "required", "anyOf", "x");
        return pick(keys);
    }

    Object extremeNumber() {
        Object[] values = {0, -1, -2, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE,
                new java.math.BigInteger("123456789012345678901234567890"), 1e308, -1e308, 1e-308, 4.9e-324,
                0.5, -0.5, 3.4028235e38, 65536, 1 << 20, -1 << 20};
        return values[r.nextInt(values.length)];
    }

    private String randomString() {
        int n = r.nextInt(40);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(0x20, 0x7f);
                case 1 -> r.nextInt(0, 0x20);
                case 2 -> r.nextInt(0xa0, 0x3000);
                default -> r.nextInt(0x1f300, 0x1fa00);
            };
            sb.appendCodePoint(c);
        }
        return sb.toString();
    }

    private String randomName() {
        return switch (r.nextInt(6)) {
            case 0 -> randomString();
            case 1 -> "toy:" + randomString();
            case 2 -> "a/b/c/d/e";
            case 3 -> "TOY";
            case 4 -> "toy:latest";
            default -> "x".repeat(r.nextInt(1, 400));
        };
    }

    /** A valid body cut at a random point. */
    private byte[] truncated(String path) {
        Map<String, Object> request = template(path);
        keepCheap(path, request);
        byte[] full = json(request);
        return java.util.Arrays.copyOf(full, r.nextInt(Math.max(1, full.length)));
    }

    private byte[] nested(int depth) {
        String open = r.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        String inner = open.repeat(depth) + "1" + close.repeat(depth);
        String field = r.nextBoolean() ? "format" : "options";
        String options = field.equals("format") ? ",\"options\":{\"num_predict\":1},\"stream\":false" : "";
        return utf8("{\"model\":\"toy\",\"prompt\":\"hi\",\"" + field + "\":" + inner + options + "}");
    }

    /** A request whose string fields carry JSON escapes no valid text has (lone surrogates) and other edge cases. */
    private String unicodeCase(String path) {
        String u = pick(UNICODE);
        return switch (path) {
            case "/api/chat", "/v1/chat/completions" -> "{\"model\":\"" + (r.nextBoolean() ? "toy" : u) + "\","
                    + "\"messages\":[{\"role\":\"" + (r.nextBoolean() ? "user" : u) + "\",\"content\":\"" + u + "\"}],"
                    + "\"stream\":false,\"max_tokens\":1,\"options\":{\"num_predict\":1,\"stop\":[\"" + u + "\"]}}";
            case "/api/embed", "/v1/embeddings" -> "{\"model\":\"toy\",\"input\":[\"" + u + "\",\"" + u + u + "\"]}";
            default -> "{\"model\":\"" + (r.nextBoolean() ? "toy" : u) + "\",\"prompt\":\"" + u + "\",\"system\":\""
                    + u + "\",\"stream\":false,\"max_tokens\":1,\"options\":{\"num_predict\":1}}";
        };
    }

    private byte[] invalidUtf8(String path) {
        byte[] bad = {(byte) 0xff, (byte) 0xc0, (byte) 0x80, (byte) 0xed, (byte) 0xa0, (byte) 0x80, (byte) 0xf4,
                (byte) 0x90};
        byte[] prefix = utf8("{\"model\":\"toy\",\"prompt\":\"");
        byte[] suffix = utf8("\",\"input\":\"x\",\"stream\":false,\"options\":{\"num_predict\":1},\"max_tokens\":1}");
        byte[] out = new byte[prefix.length + 3 + suffix.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        for (int i = 0; i < 3; i++) out[prefix.length + i] = bad[r.nextInt(bad.length)];
        System.arraycopy(suffix, 0, out, prefix.length + 3, suffix.length);
        return out;
    }

    /** A prompt of hundreds of kilobytes; only a few per run. */
    private byte[] giant(String path) {
        String prompt = "lorem ipsum ".repeat(20_000 + r.nextInt(20_000));
        Map<String, Object> request = template(path);
        if (r.nextInt(4) != 0 && request.containsKey("model")) request.put("model", "nonexistent-model");
        request.replaceAll((k, v) -> k.equals("prompt") || k.equals("input") ? prompt : v);
        if (request.get("messages") instanceof List<?>) {
            request.put("messages", List.of(Map.of("role", "user", "content", prompt)));
        }
        keepCheap(path, request);
        return json(request);
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) r.nextInt(256);
        return b;
    }

    private <T> T pick(List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
