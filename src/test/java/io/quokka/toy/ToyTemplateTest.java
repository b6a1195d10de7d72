package io.quokka.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quokka.template.Msg;
import io.quokka.template.PromptTemplate;
import io.quokka.template.Tool;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The toy's template: plain ChatML without tools; with tools, their definitions and bare-JSON calls. */
class ToyTemplateTest {
    static final PromptTemplate TOY = PromptTemplate.parse(ToyInstaller.CHATML_TEMPLATE);

    @Test
    void withoutToolsItIsChatMl() {
        List<Msg> chat = List.of(Msg.system("Be brief."), Msg.user("Hi"), Msg.assistant("Hello"), Msg.user("Bye"));
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n",
                TOY.renderChat(chat, null, null));
    }

    @Test
    void toolsCallsAndResults() {
        Map<String, Tool.Property> props = new LinkedHashMap<>();
        props.put("city", Tool.Property.of("string", "The city"));
        List<Tool> tools = List.of(Tool.function("get_weather", "The weather in a city",
                Tool.Parameters.object(List.of("city"), props)));
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("city", "Perth");
        List<Msg> chat = List.of(Msg.user("Weather in Perth?"),
                Msg.toolCalls("", List.of(Msg.ToolCall.of("get_weather", args))),
                Msg.toolResult("get_weather", "Sunny"));
        assertEquals("<|im_start|>system\nTo call a tool, answer with only a JSON object {\"name\": <tool name>, "
                + "\"arguments\": <arguments object>}. The tools:\n{\"name\":\"get_weather\",\"description\":\"The weather "
                + "in a city\",\"parameters\":{\"type\":\"object\",\"required\":[\"city\"],\"properties\":{\"city\":"
                + "{\"type\":\"string\",\"description\":\"The city\"}}}}<|im_end|>\n"
                + "<|im_start|>user\nWeather in Perth?<|im_end|>\n"
                + "<|im_start|>assistant\n{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Perth\"}}<|im_end|>\n"
                + "<|im_start|>tool\nSunny<|im_end|>\n<|im_start|>assistant\n", TOY.renderChat(chat, tools, null));
        assertEquals("{", TOY.toolCallTag());
        assertEquals(List.of("tools"), TOY.capabilities());
    }
}
