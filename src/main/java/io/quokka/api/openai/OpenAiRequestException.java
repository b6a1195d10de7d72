package io.quokka.api.openai;

/** A request OpenAI's API would accept but Quokka (like Ollama) cannot serve: a 400 naming the parameter. */
final class OpenAiRequestException extends RuntimeException {
    private final String param;

    OpenAiRequestException(String message, String param) {
        super(message);
        this.param = param;
    }

    String param() {
        return param;
    }
}
