package io.quokka.api.ollama;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /api/show}.
 *
 * @param license      the license text
 * @param modelfile    a Modelfile that would recreate the model
 * @param parameters   the params layer as Modelfile PARAMETER lines
 * @param template     the prompt template
 * @param system       the system prompt
 * @param details      format, family, size and quantization
 * @param model_info   the GGUF metadata (large arrays null unless verbose)
 * @param capabilities completion, tools, insert, thinking, embedding, vision
 * @param modified_at  when the manifest was written
 * @param memory       Quokka's extension: the memory estimate for loading the model (see {@link ShowMemory})
 */
@RegisterForReflection
public record ShowResponse(
        @JsonInclude(Include.NON_EMPTY) String license,
        @JsonInclude(Include.NON_EMPTY) String modelfile,
        @JsonInclude(Include.NON_EMPTY) String parameters,
        @JsonInclude(Include.NON_EMPTY) String template,
        @JsonInclude(Include.NON_EMPTY) String system,
        ModelDetails details,
        Map<String, Object> model_info,
        @JsonInclude(Include.NON_EMPTY) List<String> capabilities,
        String modified_at,
        @JsonInclude(Include.NON_NULL) ShowMemory memory) {}
