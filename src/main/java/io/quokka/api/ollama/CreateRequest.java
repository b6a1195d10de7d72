package io.quokka.api.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /api/create} (Ollama's {@code api.CreateRequest}).
 *
 * @param model          name of the model to create
 * @param name           deprecated spelling of {@code model}
 * @param stream         stream status lines (default true)
 * @param from           an existing model to build on
 * @param files          file name → {@code sha256:<hex>} digest of blobs uploaded with {@code POST /api/blobs}
 * @param adapters       LoRA adapter files (not supported: 400)
 * @param template       Go template of the prompt, replacing the base's
 * @param system         default system prompt, replacing the base's
 * @param parameters     default options, merged over the base's
 * @param license        a license text or a list of them
 * @param messages       seed conversation
 * @param quantize       quantization to convert to (not supported: 400)
 * @param quantization   deprecated spelling of {@code quantize}
 * @param renderer       built-in prompt renderer name
 * @param parser         built-in output parser name
 * @param requires       minimum Ollama version the model needs
 * @param info           config overrides (accepted, ignored)
 * @param draft_files    draft model files (not supported: 400)
 * @param draft_quantize draft quantization (not supported: 400)
 * @param remote_host    upstream server of a remote model (not supported: 400)
 */
@RegisterForReflection
public record CreateRequest(
        String model,
        String name,
        Boolean stream,
        String from,
        Map<String, String> files,
        Map<String, String> adapters,
        String template,
        String system,
        Map<String, Object> parameters,
        JsonNode license,
        List<Message> messages,
        String quantize,
        String quantization,
        String renderer,
        String parser,
        String requires,
        Map<String, Object> info,
        Map<String, String> draft_files,
        String draft_quantize,
        String remote_host) {}
