package io.quokka.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders {@code /api/pull} (and {@code /api/create}) status lines as the ollama CLI does: a bar per layer
 * ({@code {"status":"pulling <digest>","digest","total","completed"}}) and a line per plain status. On a terminal the
 * block is redrawn in place (ANSI, at most ten times a second); otherwise each status and each finished bar is
 * printed once, so logs stay readable.
 */
final class PullProgress {
    private static final String[] SPINNER = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
    private static final long REDRAW_NANOS = 100_000_000L;

    private sealed interface State permits Status, Bar {}

    private record Status(String text) implements State {}

    private record Bar(ProgressBar bar) implements State {}

    private final PrintStream err;
    private final boolean ansi;
    private final int width;
    private final InstantSource clock;
    private final List<State> states = new ArrayList<>();
    private final Map<String, ProgressBar> bars = new HashMap<>();
    private final Map<ProgressBar, Boolean> printed = new HashMap<>();
    private String status;
    private int drawnLines;
    private long lastDraw;
    private int frame;

    PullProgress(PrintStream err, boolean ansi, int width, InstantSource clock) {
        this.err = err;
        this.ansi = ansi;
        this.width = width;
        this.clock = clock;
    }

    void accept(JsonNode line) {
        String digest = line.path("digest").asText("");
        if (!digest.isEmpty()) {
            long completed = line.path("completed").asLong(0);
            // The first line of a layer (completed 0) only announces it; Ollama draws no 0% bar for it.
            if (completed == 0) return;
            ProgressBar bar = bars.get(digest);
            if (bar == null) {
                String name = digest.startsWith("sha256:") ? digest.substring(7).strip() : digest.strip();
                if (digest.startsWith("sha256:")) name = name.substring(0, Math.min(12, name.length()));
                bar = new ProgressBar("pulling " + name + ":", line.path("total").asLong(0), completed, clock);
                bars.put(digest, bar);
                states.add(new Bar(bar));
            }
            bar.set(completed);
            if (!ansi && bar.done() && printed.put(bar, true) == null) err.println(bar.render(width));
        } else {
            String text = line.path("status").asText("");
            if (text.equals(status)) return;
            status = text;
            states.add(new Status(text));
            if (!ansi) err.println(text);
        }
        if (ansi) draw(false);
    }

    /** The final picture (on a terminal) and a newline. */
    void finish() {
        if (ansi) {
            status = null;
            draw(true);
            err.print("\n");
            err.flush();
        } else {
            for (State s : states) {
                if (s instanceof Bar b && printed.put(b.bar(), true) == null) err.println(b.bar().render(width));
            }
        }
    }

    private void draw(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS && drawnLines > 0) return;
        lastDraw = now;
        frame = (frame + 1) % SPINNER.length;
        StringBuilder sb = new StringBuilder("\033[?25l");
        for (int i = 0; i < drawnLines - 1; i++) sb.append("\033[A");
        sb.append("\033[1G");
        for (int i = 0; i < states.size(); i++) {
            State s = states.get(i);
            boolean last = i == states.size() - 1;
            String text = switch (s) {
                case Status st -> st.text() + (last && !force ? " " + SPINNER[frame] + " " : " ");
                case Bar b -> b.bar().render(width);
            };
            sb.append(text).append("\033[K");
            if (!last) sb.append('\n');
        }
        sb.append("\033[?25h");
        drawnLines = states.size();
        err.print(sb);
        err.flush();
    }
}
