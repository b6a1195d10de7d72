package io.quokka.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * Body of {@code POST /v1/chat/completions}, as OpenAI defines it and Ollama reads it.
 *
 * @param model                 model name
 * @param messages              the conversation; must not be empty
 * @param stream                true for server-sent events; false (the default) for one JSON object
 * @param stream_options        {@code include_usage}: a last chunk carrying the token counts
 * @param max_tokens            most tokens to generate (Ollama's {@code num_predict})
 * @param max_completion_tokens the newer name of {@code max_tokens}; wins when both are present
 * @param seed                  sampling seed, for reproducible output
 * @param stop                  a stop string or an array of them
 * @param temperature           sampling temperature, passed through unscaled; 1.0 when absent
 * @param frequency_penalty     penalty on tokens by how often they already appeared
 * @param presence_penalty      penalty on tokens that already appeared
 * @param top_p                 nucleus sampling; 1.0 when absent
 * @param response_format       {@code json_object} (any JSON) or {@code json_schema} (JSON matching a schema)
 * @param tools                 functions the model may call (rendered by the model's template; calls come back as
 *                              {@code tool_calls})
 * @param tool_choice           accepted and ignored, as Ollama does (the model decides)
 * @param n                     how many choices: only 1 is supported
 * @param reasoning_effort      "none" turns thinking off; "minimal", "low", "medium", "high", "xhigh", "ultra", "max"
 *                              set its level (Ollama's {@code think})
 * @param reasoning             {@code {"effort": ...}}, as {@code reasoning_effort}; wins over it
 * @param logprobs              accepted and ignored
 * @param top_logprobs          accepted and ignored
 * @param user                  accepted and ignored
 */
@RegisterForReflection
public record ChatCompletionRequest(
        String model,
        List<ChatMessage> messages,
        Boolean stream,
        StreamOptions stream_options,
        Integer max_tokens,
        Integer max_completion_tokens,
        Long seed,
        JsonNode stop,
        Double temperature,
        Double frequency_penalty,
        Double presence_penalty,
        Double top_p,
        ResponseFormat response_format,
        List<JsonNode> tools,
        JsonNode tool_choice,
        Integer n,
        String reasoning_effort,
        JsonNode reasoning,
        Boolean logprobs,
        Integer top_logprobs,
        String user) {}
