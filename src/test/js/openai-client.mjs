// The openai npm client against Quokka's /v1, run by io.quokka.api.openai.OpenAiNodeClientTest with the test
// server's base URL in QUOKKA_OPENAI_BASE_URL. Exits non-zero (with the failing check on stderr) on any failure.
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { VERSION } from 'openai/version';

const baseURL = process.env.QUOKKA_OPENAI_BASE_URL;
assert.ok(baseURL, 'QUOKKA_OPENAI_BASE_URL is not set');
const client = new OpenAI({ baseURL, apiKey: 'quokka', maxRetries: 0 });
const checks = [];
const check = (name, fn) => checks.push([name, fn]);

const chatParams = (model, max) => ({
  model,
  temperature: 0,
  max_tokens: max,
  messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello there' }],
});

check('models.list', async () => {
  const ids = [];
  for await (const m of client.models.list()) {
    ids.push(m.id);
    assert.equal(m.object, 'model');
  }
  // big:latest: added to the shared test store by HealthApiTest when it ran first.
  assert.deepEqual(ids.filter((id) => id !== 'big:latest').sort(), ['broken:latest', 'plain/q4:small', 'thinker:latest', 'toy:latest']);
});

check('models.retrieve', async () => {
  const m = await client.models.retrieve('toy');
  assert.equal(m.id, 'toy');
  assert.equal(m.owned_by, 'library');
  await assert.rejects(client.models.retrieve('nope'), (e) => {
    assert.ok(e instanceof OpenAI.NotFoundError, String(e));
    assert.equal(e.status, 404);
    assert.equal(e.type, 'not_found_error');
    return true;
  });
});

check('chat.completions.create', async () => {
  const c = await client.chat.completions.create(chatParams('toy', 6));
  assert.match(c.id, /^chatcmpl-\d+$/);
  assert.equal(c.object, 'chat.completion');
  assert.equal(c.system_fingerprint, 'fp_ollama');
  assert.equal(c.choices[0].message.role, 'assistant');
  assert.equal(c.choices[0].finish_reason, 'length');
  assert.ok(c.choices[0].message.content.length > 0);
  assert.equal(c.usage.completion_tokens, 6);
  assert.equal(c.usage.total_tokens, c.usage.prompt_tokens + 6);
});

check('chat.completions.create stream', async () => {
  const whole = await client.chat.completions.create(chatParams('plain/q4:small', 8));
  const stream = await client.chat.completions.create({
    ...chatParams('plain/q4:small', 8), stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  let finish = null;
  let usage = null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    assert.equal(chunk.object, 'chat.completion.chunk');
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? '';
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.ok(chunks > 2, `${chunks} chunks`);
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(finish, 'length');
  assert.deepEqual(usage, whole.usage);
});

check('chat.completions.stream helper', async () => {
  const runner = client.chat.completions.stream(chatParams('toy', 5));
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].finish_reason, 'length');
  const whole = await client.chat.completions.create(chatParams('toy', 5));
  assert.equal(final.choices[0].message.content, whole.choices[0].message.content);
});

// Random weights write gibberish: a JSON schema whose only valid output is the call makes the toy call the tool.
const tools = [{
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}];
const forceCall = {
  type: 'json_schema',
  json_schema: {
    name: 'call',
    schema: {
      type: 'object',
      properties: {
        name: { enum: ['get_weather'] },
        arguments: { type: 'object', properties: { city: { enum: ['Perth'] } }, required: ['city'] },
      },
      required: ['name', 'arguments'],
    },
  },
};

check('tool call round trip', async () => {
  const messages = [{ role: 'user', content: 'Weather in Perth?' }];
  const c = await client.chat.completions.create({
    model: 'toy', temperature: 0, max_tokens: 64, messages, tools, tool_choice: 'auto', response_format: forceCall,
  });
  const choice = c.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.tool_calls.length, 1);
  const [call] = choice.message.tool_calls;
  assert.equal(call.type, 'function');
  assert.match(call.id, /^call_[a-z0-9]{8}$/);
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Perth' });
  messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: 'Sunny, 25 C' });
  const answer = await client.chat.completions.create({ model: 'toy', temperature: 0, max_tokens: 4, messages, tools });
  assert.equal(answer.choices[0].message.role, 'assistant');
  assert.ok(answer.usage.prompt_tokens > c.usage.prompt_tokens);
});

check('tool call stream helper', async () => {
  // The SDK's stream helper assembles tool calls from their deltas (by index).
  const runner = client.chat.completions.stream({
    model: 'toy', temperature: 0, max_tokens: 64, messages: [{ role: 'user', content: 'Weather in Perth?' }], tools,
    response_format: forceCall,
  });
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].finish_reason, 'tool_calls');
  const [call] = final.choices[0].message.tool_calls;
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Perth' });
});

check('reasoning', async () => {
  const ask = { model: 'thinker', temperature: 0, max_tokens: 6, messages: [{ role: 'user', content: 'Hi' }] };
  const c = await client.chat.completions.create(ask);
  assert.ok(c.choices[0].message.reasoning.length > 0, JSON.stringify(c.choices[0].message));
  assert.equal(c.choices[0].message.content, '');
  const off = await client.chat.completions.create({ ...ask, reasoning_effort: 'none' });
  assert.equal(off.choices[0].message.reasoning, undefined);
  assert.ok(off.choices[0].message.content.length > 0);
  await assert.rejects(client.chat.completions.create({ ...ask, model: 'toy', reasoning_effort: 'high' }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.match(e.message, /"toy" does not support thinking/);
    return true;
  });
});

check('completions.create', async () => {
  const params = { model: 'toy', prompt: 'Once upon a time', max_tokens: 5, temperature: 0 };
  const c = await client.completions.create(params);
  assert.match(c.id, /^cmpl-\d+$/);
  assert.equal(c.object, 'text_completion');
  assert.equal(c.choices[0].finish_reason, 'length');
  assert.equal(c.usage.completion_tokens, 5);
  let text = '';
  for await (const chunk of await client.completions.create({ ...params, stream: true })) {
    for (const choice of chunk.choices) text += choice.text;
  }
  assert.equal(text, c.choices[0].text);
});

check('errors', async () => {
  await assert.rejects(client.chat.completions.create(chatParams('nope', 3)), (e) => {
    assert.ok(e instanceof OpenAI.NotFoundError, String(e));
    assert.match(e.message, /model 'nope' not found/);
    return true;
  });
  await assert.rejects(client.chat.completions.create({ ...chatParams('toy', 3), n: 2 }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.equal(e.param, 'n');
    assert.equal(e.type, 'invalid_request_error');
    return true;
  });
  await assert.rejects(client.chat.completions.create({ ...chatParams('toy', 3), messages: [] }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    return true;
  });
  await assert.rejects(client.chat.completions.create(chatParams('broken', 3)), (e) => {
    assert.ok(e instanceof OpenAI.InternalServerError, String(e));
    assert.equal(e.type, 'api_error');
    return true;
  });
});

let failed = 0;
for (const [name, fn] of checks) {
  try {
    await fn();
    console.log(`ok ${name}`);
  } catch (e) {
    failed++;
    console.error(`FAILED ${name}: ${e?.stack ?? e}`);
  }
}
console.log(`openai ${VERSION} on node ${process.version}: ${checks.length - failed}/${checks.length} passed`);
process.exit(failed ? 1 : 0);
