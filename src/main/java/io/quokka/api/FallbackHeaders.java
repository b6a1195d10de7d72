package io.quokka.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quokka.generation.Fallback;
import io.quokka.generation.GenerationService;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.core.CurrentRequestManager;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;

/**
 * Fallback chains at the HTTP edge, for the native and the {@code /v1} endpoints alike: the opt-out header a client
 * sends when it must have the exact model, the header that says a fallback answered, and the {@code model} field
 * rewritten to name the model that actually answered.
 */
public final class FallbackHeaders {
    /** Request header: {@code true} refuses fallbacks; the requested model answers or fails. */
    public static final String NO_FALLBACK = "X-Quokka-No-Fallback";
    /** Response header: {@code <model that answered>; reason=<why>; from=<requested model>}. */
    public static final String FALLBACK = "X-Quokka-Fallback";

    private FallbackHeaders() {}

    /** {@code prepared}, without fallbacks when the current request opted out. Call on the resource's thread. */
    public static GenerationService.Prepared routed(GenerationService.Prepared prepared) {
        ResteasyReactiveRequestContext request = CurrentRequestManager.get();
        if (request == null) return prepared;
        String value = request.getHttpHeaders().getHeaderString(NO_FALLBACK);
        boolean optOut = value != null && (value.equalsIgnoreCase("true") || value.equals("1"));
        return optOut ? prepared.withoutFallback() : prepared;
    }

    /** Adds {@link #FALLBACK} when a fallback answers. */
    public static Response.ResponseBuilder tell(Response.ResponseBuilder response, Fallback fallback) {
        if (fallback == null) return response;
        return response.header(FALLBACK, fallback.to() + "; reason=" + fallback.reason() + "; from="
                + fallback.requested());
    }

    /**
     * {@code value} with its {@code model} field naming the model that answered, when a fallback did; otherwise
     * {@code value} itself. Objects without a {@code model} field (errors) are left as they are.
     */
    public static Object answeredBy(ObjectMapper mapper, Object value, Fallback fallback) {
        if (fallback == null || value == null) return value;
        JsonNode tree = mapper.valueToTree(value);
        if (tree instanceof ObjectNode object && object.has("model")) object.put("model", fallback.to());
        return tree;
    }
}
