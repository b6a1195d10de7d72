package io.quokka.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a Modelfile into a {@code /api/create} request, as the ollama CLI does: {@code FROM} a model name or a local
 * GGUF file (uploaded first as a blob, skipped when the server already has it), {@code TEMPLATE}, {@code SYSTEM},
 * {@code PARAMETER} (typed like Ollama's options; {@code stop} may repeat), {@code LICENSE}, {@code MESSAGE}. Values
 * may be quoted, {@code "..."} or {@code """..."""}, and then span lines; {@code #} starts a comment line.
 */
final class ModelfileParser {
    private static final Set<String> INTS = Set.of("num_keep", "seed", "num_predict", "top_k", "repeat_last_n",
            "num_ctx", "num_batch", "num_thread", "num_gpu", "main_gpu");
    private static final Set<String> FLOATS = Set.of("top_p", "min_p", "typical_p", "temperature", "repeat_penalty",
            "presence_penalty", "frequency_penalty");
    private static final Set<String> BOOLS = Set.of("use_mmap");

    static final class ModelfileException extends RuntimeException {
        ModelfileException(String message) {
            super(message);
        }
    }

    /**
     * One instruction: {@code name} is a {@code PARAMETER}'s name or a {@code MESSAGE}'s role (else empty), {@code args}
     * the value with its quotes removed.
     */
    record Instruction(String command, String name, String args) {}

    private ModelfileParser() {}

    static ObjectNode request(Path modelfile, ApiClient api) {
        String text;
        try {
            text = Files.readString(modelfile);
        } catch (IOException e) {
            throw new ModelfileException("cannot read " + modelfile + ": " + e.getMessage());
        }
        ObjectNode req = ApiClient.JSON.createObjectNode();
        ObjectNode params = ApiClient.JSON.createObjectNode();
        ArrayNode licenses = ApiClient.JSON.createArrayNode();
        ArrayNode messages = ApiClient.JSON.createArrayNode();
        boolean from = false;
        for (Instruction i : parse(text)) {
            switch (i.command()) {
                case "from" -> {
                    from = true;
                    Path file = resolve(modelfile, i.args());
                    if (Files.isRegularFile(file)) {
                        String digest = digest(file);
                        if (!api.hasBlob(digest)) api.putBlob(digest, file);
                        req.putObject("files").put(file.getFileName().toString(), digest);
                    } else if (Files.isDirectory(file)) {
                        throw new ModelfileException("FROM a directory (safetensors) is not supported: use a GGUF file");
                    } else {
                        req.put("from", i.args());
                    }
                }
                case "template" -> req.put("template", i.args());
                case "system" -> req.put("system", i.args());
                case "license" -> licenses.add(i.args());
                case "parameter" -> parameter(params, i.name(), i.args());
                case "message" -> {
                    String role = i.name().toLowerCase(Locale.ROOT);
                    if (!Set.of("system", "user", "assistant").contains(role)) {
                        throw new ModelfileException("role must be one of \"system\", \"user\", or \"assistant\"");
                    }
                    messages.addObject().put("role", role).put("content", i.args());
                }
                case "adapter" -> throw new ModelfileException("ADAPTER is not supported");
                default -> throw new ModelfileException("unknown command \"" + i.command().toUpperCase(Locale.ROOT)
                        + "\"");
            }
        }
        if (!from) throw new ModelfileException("no FROM line for the model was specified");
        if (!params.isEmpty()) req.set("parameters", params);
        if (!licenses.isEmpty()) req.set("license", licenses);
        if (!messages.isEmpty()) req.set("messages", messages);
        return req;
    }

    /**
     * The instructions of a Modelfile, in order, read as Ollama's parser reads them (so {@code show --modelfile}
     * output, Ollama's or ours, reads back): a value ends with its line unless it opens a quote, {@code """} or
     * {@code "}; then it ends with the first line that closes the quote at its end. The quotes are removed and nothing
     * is unescaped. A {@code PARAMETER}'s value follows its name, a {@code MESSAGE}'s its role.
     */
    static List<Instruction> parse(String text) {
        List<Instruction> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] parts = line.split("\\s+", 2);
            String command = parts[0].toLowerCase(Locale.ROOT);
            String rest = parts.length > 1 ? parts[1] : "";
            String name = "";
            if (command.equals("parameter") || command.equals("message")) {
                String[] named = rest.split("\\s+", 2);
                name = named[0];
                rest = named.length > 1 ? named[1] : "";
            }
            StringBuilder value = new StringBuilder(rest);
            while (!closed(value.toString().strip())) {
                if (++n >= lines.length) {
                    throw new ModelfileException("unterminated quote in " + command.toUpperCase(Locale.ROOT));
                }
                value.append('\n').append(lines[n]);
            }
            out.add(new Instruction(command, name, unquote(value.toString().strip())));
        }
        return out;
    }

    private static boolean closed(String value) {
        if (value.startsWith("\"\"\"")) return value.length() >= 6 && value.endsWith("\"\"\"");
        if (value.startsWith("\"")) return value.length() >= 2 && value.endsWith("\"");
        return true;
    }

    private static String unquote(String value) {
        if (value.startsWith("\"\"\"")) return value.substring(3, value.length() - 3);
        if (value.startsWith("\"")) return value.substring(1, value.length() - 1);
        return value;
    }

    private static void parameter(ObjectNode params, String key, String value) {
        if (value.isEmpty()) throw new ModelfileException("missing value for parameter " + key);
        try {
            if (key.equals("stop")) {
                (params.has("stop") ? (ArrayNode) params.get("stop") : params.putArray("stop")).add(value);
            } else if (INTS.contains(key)) {
                params.put(key, Long.parseLong(value));
            } else if (FLOATS.contains(key)) {
                params.put(key, Double.parseDouble(value));
            } else if (BOOLS.contains(key)) {
                params.put(key, Boolean.parseBoolean(value));
            } else {
                params.put(key, value);
            }
        } catch (NumberFormatException e) {
            throw new ModelfileException("invalid value for parameter " + key + ": " + value);
        }
    }

    private static Path resolve(Path modelfile, String from) {
        String p = from.startsWith("~/") ? System.getProperty("user.home") + from.substring(1) : from;
        Path path = Path.of(p);
        if (!path.isAbsolute()) {
            Path dir = modelfile.toAbsolutePath().getParent();
            path = dir == null ? path : dir.resolve(path);
        }
        return path;
    }

    private static String digest(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return "sha256:" + HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new ModelfileException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
