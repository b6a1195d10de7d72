package io.quokka.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The client commands of the {@code ollama} CLI, over HTTP to a running server at {@code OLLAMA_HOST}: {@code pull},
 * {@code list}, {@code ps}, {@code show}, {@code rm}, {@code cp}, {@code run}, {@code stop}, {@code create}. Started
 * from {@code QuokkaMain} without booting Quarkus, so a command answers in a few hundred milliseconds.
 */
public final class Cli {

    /** Commands this class answers (dispatched from {@code QuokkaMain}). */
    public static final Set<String> COMMANDS = Set.of("pull", "list", "ls", "ps", "show", "rm", "cp", "run", "stop",
            "create");

    /** Where the CLI reads and writes; a test passes its own. */
    record Console(InputStream in, PrintStream out, PrintStream err, boolean terminal, int width) {
        static Console system() {
            var console = System.console();
            boolean terminal = console != null && console.isTerminal();
            int width = 80;
            try {
                String columns = System.getenv("COLUMNS");
                if (columns != null) width = Integer.parseInt(columns.strip());
            } catch (NumberFormatException ignored) {
                // 80 columns, as Ollama's default.
            }
            return new Console(System.in, new PrintStream(System.out, true, StandardCharsets.UTF_8),
                    new PrintStream(System.err, true, StandardCharsets.UTF_8), terminal, width);
        }
    }

    /** A command line the CLI cannot understand: exit status 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private final ApiClient api;
    private final Console io;
    private final InstantSource clock;

    Cli(ApiClient api, Console io, InstantSource clock) {
        this.api = api;
        this.io = io;
        this.clock = clock;
    }

    public static void main(String command, String... args) {
        Cli cli = new Cli(new ApiClient(ApiClient.baseUri(System.getenv("OLLAMA_HOST"))), Console.system(),
                InstantSource.system());
        int status = cli.run(command, args);
        System.exit(status);
    }

    /** Runs one command; 0 on success, 1 on an error (printed as {@code Error: ...}), 2 on a usage error. */
    int run(String command, String... args) {
        try {
            switch (command) {
                case "pull" -> pull(one(args, "pull MODEL"));
                case "list", "ls" -> list(args.length > 0 ? args[0] : null);
                case "ps" -> ps(args.length > 0 ? args[0] : null);
                case "show" -> show(args);
                case "rm" -> rm(args);
                case "cp" -> cp(args);
                case "run" -> runModel(args);
                case "stop" -> stop(one(args, "stop MODEL"));
                case "create" -> create(args);
                default -> throw new UsageException("unknown command '" + command + "'");
            }
            return 0;
        } catch (UsageException e) {
            io.err().println("Error: " + e.getMessage());
            return 2;
        } catch (ApiClient.ApiException | ModelfileParser.ModelfileException e) {
            io.err().println("Error: " + e.getMessage());
            return 1;
        }
    }

    // ---- pull ----------------------------------------------------------------------------------------------------

    void pull(String model) {
        PullProgress progress = new PullProgress(io.err(), io.terminal(), io.width(), clock);
        try {
            api.stream("/api/pull", object().put("model", model), progress::accept);
        } finally {
            progress.finish();
        }
    }

    // ---- list and ps ---------------------------------------------------------------------------------------------

    void list(String prefix) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode m : api.get("/api/tags").path("models")) {
            String name = m.path("name").asText();
            if (prefix != null && !name.toLowerCase().startsWith(prefix.toLowerCase())) continue;
            rows.add(List.of(name, shortDigest(m.path("digest").asText()), Formats.humanBytes(m.path("size").asLong()),
                    Formats.humanTime(m.path("modified_at").asText(), "Never", clock.instant())));
        }
        io.out().print(Formats.table(List.of("NAME", "ID", "SIZE", "MODIFIED"), rows));
    }

    void ps(String prefix) {
        List<List<String>> rows = new ArrayList<>();
        Instant now = clock.instant();
        for (JsonNode m : api.get("/api/ps").path("models")) {
            String name = m.path("name").asText();
            if (prefix != null && !name.startsWith(prefix)) continue;
            long size = m.path("size").asLong();
            long vram = m.path("size_vram").asLong();
            String processor = vram == 0 ? "100% CPU" : vram == size ? "100% GPU" : "Unknown";
            String expires = m.path("expires_at").asText();
            String until = Formats.humanTime(expires, "Never", now);
            if (until.endsWith(" ago")) until = "Stopping...";
            rows.add(List.of(name, shortDigest(m.path("digest").asText()), Formats.humanBytes(size), processor,
                    String.valueOf(m.path("context_length").asInt()), until));
        }
        io.out().print(Formats.table(List.of("NAME", "ID", "SIZE", "PROCESSOR", "CONTEXT", "UNTIL"), rows));
    }

    private static String shortDigest(String digest) {
        String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    // ---- show ----------------------------------------------------------------------------------------------------

    void show(String[] args) {
        String model = null;
        String only = null;
        boolean verbose = false;
        for (String a : args) {
            switch (a) {
                case "--license", "--modelfile", "--parameters", "--system", "--template" -> {
                    if (only != null) {
                        throw new UsageException("only one of '--license', '--modelfile', '--parameters', "
                                + "'--system', or '--template' can be specified");
                    }
                    only = a.substring(2);
                }
                case "-v", "--verbose" -> verbose = true;
                default -> {
                    if (a.startsWith("-") || model != null) throw new UsageException("usage: show MODEL [--modelfile"
                            + " | --template | --system | --parameters | --license] [--verbose]");
                    model = a;
                }
            }
        }
        if (model == null) throw new UsageException("usage: show MODEL [--modelfile | --template | ...]");
        JsonNode resp = api.post("/api/show", object().put("model", model).put("verbose", verbose));
        if (only != null) {
            String text = resp.path(only).asText("");
            if (only.equals("system") || only.equals("template")) io.out().print(text);
            else io.out().println(text);
            return;
        }
        showInfo(resp);
    }

    private void showInfo(JsonNode resp) {
        JsonNode info = resp.path("model_info");
        JsonNode details = resp.path("details");
        List<List<String>> model = new ArrayList<>();
        String arch = info.path("general.architecture").asText("");
        if (!arch.isEmpty()) model.add(List.of("", "architecture", arch));
        String params = details.path("parameter_size").asText("");
        if (!params.isEmpty()) model.add(List.of("", "parameters", params));
        if (info.has(arch + ".context_length")) {
            model.add(List.of("", "context length", info.path(arch + ".context_length").asText()));
        }
        if (info.has(arch + ".embedding_length")) {
            model.add(List.of("", "embedding length", info.path(arch + ".embedding_length").asText()));
        }
        model.add(List.of("", "quantization", details.path("quantization_level").asText("")));
        section("Model", model);

        List<List<String>> caps = new ArrayList<>();
        resp.path("capabilities").forEach(c -> caps.add(List.of("", c.asText())));
        if (!caps.isEmpty()) section("Capabilities", caps);

        String parameters = resp.path("parameters").asText("");
        if (!parameters.isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            for (String line : parameters.split("\n")) {
                if (line.isBlank()) continue;
                List<String> row = new ArrayList<>();
                row.add("");
                row.addAll(Arrays.asList(line.strip().split("\\s+", 2)));
                rows.add(row);
            }
            section("Parameters", rows);
        }
        for (String field : List.of("system", "license")) {
            String text = resp.path(field).asText("").strip();
            if (text.isEmpty()) continue;
            List<List<String>> rows = new ArrayList<>();
            String[] lines = text.split("\n");
            for (int i = 0; i < Math.min(2, lines.length); i++) rows.add(List.of("", lines[i]));
            if (lines.length > 2) rows.add(List.of("", "..."));
            section(Character.toUpperCase(field.charAt(0)) + field.substring(1), rows);
        }
    }

    private void section(String header, List<List<String>> rows) {
        io.out().println("  " + header);
        io.out().print(Formats.table(null, rows));
        io.out().println();
    }

    // ---- rm, cp, stop --------------------------------------------------------------------------------------------

    void rm(String[] models) {
        if (models.length == 0) throw new UsageException("usage: rm MODEL [MODEL...]");
        for (String model : models) {
            try {
                unload(model);
            } catch (ApiClient.ApiException e) {
                if (!e.getMessage().toLowerCase().contains("not found")) {
                    io.err().println("Warning: unable to stop model '" + model + "'");
                }
            }
            api.delete("/api/delete", object().put("model", model));
            io.out().println("deleted '" + model + "'");
        }
    }

    void cp(String[] args) {
        if (args.length != 2) throw new UsageException("usage: cp SOURCE DESTINATION");
        api.post("/api/copy", object().put("source", args[0]).put("destination", args[1]));
        io.out().println("copied '" + args[0] + "' to '" + args[1] + "'");
    }

    void stop(String model) {
        try {
            unload(model);
        } catch (ApiClient.ApiException e) {
            if (e.getMessage().contains("not found")) {
                throw new ApiClient.ApiException(e.status, "couldn't find model \"" + model + "\" to stop");
            }
            throw e;
        }
    }

    /** An empty generate with {@code keep_alive: 0}: Ollama's way to unload a model. */
    private void unload(String model) {
        api.post("/api/generate", object().put("model", model).put("keep_alive", 0));
    }

    // ---- run -----------------------------------------------------------------------------------------------------

    void runModel(String[] args) {
        String model = null;
        String keepAlive = null;
        List<String> prompt = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--keepalive") && i + 1 < args.length) keepAlive = args[++i];
            else if (a.startsWith("--keepalive=")) keepAlive = a.substring("--keepalive=".length());
            else if (model == null) model = a;
            else prompt.add(a);
        }
        if (model == null) throw new UsageException("usage: run MODEL [PROMPT]");
        showOrPull(model);
        if (!prompt.isEmpty()) {
            generate(model, String.join(" ", prompt), keepAlive);
        } else {
            chat(model, keepAlive);
        }
    }

    /** As {@code ollama run}: a model that is not there is pulled first. */
    private void showOrPull(String model) {
        try {
            api.post("/api/show", object().put("model", model));
        } catch (ApiClient.ApiException e) {
            if (e.status != 404) throw e;
            pull(model);
            api.post("/api/show", object().put("model", model));
        }
    }

    private void generate(String model, String prompt, String keepAlive) {
        ObjectNode req = object().put("model", model).put("prompt", prompt);
        if (keepAlive != null) req.put("keep_alive", keepAlive);
        api.stream("/api/generate", req, line -> {
            io.out().print(line.path("response").asText(""));
            io.out().flush();
        });
        io.out().print("\n\n");
        io.out().flush();
    }

    /** The interactive chat: one user message a line, the answer streamed, the history kept; {@code /bye} ends it. */
    private void chat(String model, String keepAlive) {
        ArrayNode history = ApiClient.JSON.createArrayNode();
        BufferedReader in = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8));
        while (true) {
            io.out().print(">>> ");
            io.out().flush();
            String line;
            try {
                line = in.readLine();
            } catch (IOException e) {
                line = null;
            }
            if (line == null) {
                io.out().println();
                return;
            }
            String text = line.strip();
            if (text.isEmpty()) continue;
            switch (text) {
                case "/bye" -> {
                    return;
                }
                case "/clear" -> {
                    history.removeAll();
                    io.out().println("Cleared session context");
                    continue;
                }
                case "/?", "/help" -> {
                    io.out().println("Available Commands:\n  /clear          Clear session context\n"
                            + "  /bye            Exit\n  /?, /help       Help for a command\n");
                    continue;
                }
                default -> {
                    if (text.startsWith("/")) {
                        io.out().println("Unknown command '" + text.split("\\s+")[0] + "'. Type /? for help");
                        continue;
                    }
                }
            }
            history.add(object().put("role", "user").put("content", line));
            ObjectNode req = object().put("model", model);
            req.set("messages", history);
            if (keepAlive != null) req.put("keep_alive", keepAlive);
            StringBuilder answer = new StringBuilder();
            try {
                api.stream("/api/chat", req, chunk -> {
                    String piece = chunk.path("message").path("content").asText("");
                    answer.append(piece);
                    io.out().print(piece);
                    io.out().flush();
                });
            } catch (ApiClient.ApiException e) {
                history.remove(history.size() - 1);
                io.err().println("Error: " + e.getMessage());
                continue;
            }
            io.out().print("\n\n");
            history.add(object().put("role", "assistant").put("content", answer.toString()));
        }
    }

    // ---- create --------------------------------------------------------------------------------------------------

    void create(String[] args) {
        String model = null;
        String file = "Modelfile";
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("-f") || args[i].equals("--file")) && i + 1 < args.length) file = args[++i];
            else if (model == null && !args[i].startsWith("-")) model = args[i];
            else throw new UsageException("usage: create MODEL [-f Modelfile]");
        }
        if (model == null) throw new UsageException("usage: create MODEL [-f Modelfile]");
        ObjectNode req = ModelfileParser.request(java.nio.file.Path.of(file), api);
        req.put("model", model);
        PullProgress progress = new PullProgress(io.err(), io.terminal(), io.width(), clock);
        try {
            api.stream("/api/create", req, progress::accept);
        } finally {
            progress.finish();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static String one(String[] args, String usage) {
        if (args.length != 1) throw new UsageException("usage: " + usage);
        return args[0];
    }

    private static ObjectNode object() {
        return ApiClient.JSON.createObjectNode();
    }
}
