package io.quokka.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.generation.InvalidRequestException;
import jakarta.inject.Singleton;
import java.io.IOException;

/**
 * Decodes request bodies whatever their Content-Type, as Ollama does ({@code curl -d} sends form encoding):
 * an empty body is "missing request body", malformed JSON or a wrong type is a 400 naming the problem.
 */
@Singleton
public class RequestBodies {
    private final ObjectMapper mapper;

    RequestBodies(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public <T> T decode(byte[] body, Class<T> type) {
        if (body == null || isBlank(body)) throw new InvalidRequestException("missing request body");
        try {
            T value = mapper.readValue(body, type);
            if (value == null) throw new InvalidRequestException("missing request body");
            return value;
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(ErrorMapper.describe(e, body));
        } catch (IOException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') return false;
        }
        return true;
    }
}
