package io.quokka.engine;

import java.util.Objects;

/** A role and its text, as llama.cpp's chat templates take them. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        content = content == null ? "" : content;
    }
}
