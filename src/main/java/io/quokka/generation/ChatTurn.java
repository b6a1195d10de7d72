package io.quokka.generation;

import java.util.Objects;

/** One message of a conversation, free of wire concerns. */
public record ChatTurn(String role, String content) {
    public ChatTurn {
        Objects.requireNonNull(role, "role");
        content = content == null ? "" : content;
    }
}
