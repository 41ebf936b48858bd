// The npm `openai` package (pinned in the root package.json) against a real `privategpt dev`.
// Run by tests/openai_api/test_sdk_js.py with Node's test runner, which passes in the environment:
//   SDK_TEST_BASE_URL      the /v1 base URL (the stream port)
//   SDK_TEST_KEY           a key made on the settings page
//   SDK_TEST_REVOKED_KEY   a key revoked there
//   SDK_TEST_SPENT_KEY     the key of a user whose monthly budget an admin set to 0
// `openai` resolves from the repository's root node_modules (this file lives below it).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import OpenAI from 'openai';

const MODEL = 'demo/echo';
const EMBEDDING_MODEL = 'local/all-MiniLM-L6-v2-int8';
const EMBEDDING_DIMENSION = 384;
const QUESTION = 'Why is the sky blue?';
const TOOL_RESULT = { service: 'sdk-test', healthy: true };
const STATUS_TOOL = {
  type: 'function',
  function: { name: 'system_info', description: "The service's status", parameters: { type: 'object', properties: {} } },
};

function env(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set`);
  return value;
}

const baseURL = env('SDK_TEST_BASE_URL');
const sdk = (apiKey) => new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });
const client = sdk(env('SDK_TEST_KEY'));
const ask = (content, extra = {}) =>
  client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content }], ...extra });

function assertUsage(usage) {
  assert.ok(usage, 'no usage');
  assert.ok(usage.prompt_tokens > 0 && usage.completion_tokens > 0, JSON.stringify(usage));
  assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
}

async function refused(promise, ErrorClass) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${error?.constructor?.name}: ${error}`);
    return error;
  }
  assert.fail(`expected ${ErrorClass.name}, the call succeeded`);
}

test('models lists the demo and the embedding model', async () => {
  const ids = [];
  for await (const model of client.models.list()) {
    assert.equal(model.object, 'model');
    ids.push(model.id);
  }
  assert.ok(ids.includes(MODEL) && ids.includes(EMBEDDING_MODEL), ids.join(', '));
  const one = await client.models.retrieve(MODEL);
  assert.equal(one.id, MODEL);
  assert.equal(one.owned_by, 'demo');
});

let answer; // the non-streamed completion the streamed one is compared with

test('a completion echoes, with reasoning and usage', async () => {
  answer = await ask(QUESTION);
  assert.equal(answer.object, 'chat.completion');
  assert.equal(answer.model, MODEL);
  const [choice] = answer.choices;
  assert.equal(choice.finish_reason, 'stop');
  assert.equal(choice.message.role, 'assistant');
  assert.ok(choice.message.content.startsWith(`You said: ${QUESTION}`), choice.message.content);
  assert.ok(!choice.message.content.includes('<think>'));
  assert.ok(choice.message.reasoning_content.startsWith('The user wrote 5 words.'), choice.message.reasoning_content);
  assertUsage(answer.usage);
});

test('a streamed completion says the same, usage last', async () => {
  const stream = await ask(QUESTION, { stream: true, stream_options: { include_usage: true } });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk'));
  const withChoices = chunks.filter((chunk) => chunk.choices.length > 0);
  assert.equal(withChoices[0].choices[0].delta.role, 'assistant');
  const content = withChoices.map((chunk) => chunk.choices[0].delta.content ?? '').join('');
  const reasoning = withChoices.map((chunk) => chunk.choices[0].delta.reasoning_content ?? '').join('');
  assert.equal(content, answer.choices[0].message.content);
  assert.equal(reasoning, answer.choices[0].message.reasoning_content);
  const finishes = withChoices.map((chunk) => chunk.choices[0].finish_reason).filter(Boolean);
  assert.deepEqual(finishes, ['stop']);
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.ok(chunks.slice(0, -1).every((chunk) => chunk.usage == null));
  assertUsage(last.usage);
  assert.deepEqual(last.usage, answer.usage);
});

test('a tool call round trip', async () => {
  const messages = [{ role: 'user', content: 'what is your status?' }];
  const asked = await client.chat.completions.create({ model: MODEL, messages, tools: [STATUS_TOOL] });
  const [choice] = asked.choices;
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.tool_calls.length, 1);
  const [call] = choice.message.tool_calls;
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'system_info');
  assert.deepEqual(JSON.parse(call.function.arguments), {});

  messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify(TOOL_RESULT) });
  const answered = await client.chat.completions.create({ model: MODEL, messages, tools: [STATUS_TOOL] });
  assert.equal(answered.choices[0].finish_reason, 'stop');
  const text = answered.choices[0].message.content;
  assert.ok(text.startsWith('Here is what `system_info` returned: service: sdk-test; healthy: true'), text);
});

test("a streamed tool call run by the SDK's runTools", async () => {
  const calls = [];
  const runner = client.chat.completions.runTools({
    model: MODEL,
    stream: true,
    messages: [{ role: 'user', content: 'what is your status?' }],
    tools: [
      {
        type: 'function',
        function: {
          ...STATUS_TOOL.function,
          function: (args) => {
            calls.push(args);
            return TOOL_RESULT;
          },
          parse: JSON.parse,
        },
      },
    ],
  });
  const text = await runner.finalContent();
  assert.deepEqual(calls, [{}]);
  assert.ok(text.startsWith('Here is what `system_info` returned: service: sdk-test; healthy: true'), text);
});

test("embeddings have the model's dimension", async () => {
  const texts = ['A heron stands in the river.', 'A heron stands in the river.', 'Quarterly revenue grew by 4%.'];
  const made = await client.embeddings.create({ model: EMBEDDING_MODEL, input: texts }); // base64, decoded
  assert.equal(made.object, 'list');
  assert.equal(made.model, EMBEDDING_MODEL);
  assert.deepEqual(
    made.data.map((item) => item.index),
    [0, 1, 2],
  );
  const vectors = made.data.map((item) => Array.from(item.embedding));
  for (const vector of vectors) {
    assert.equal(vector.length, EMBEDDING_DIMENSION);
    assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-3, 'not normalised');
  }
  assert.deepEqual(vectors[0], vectors[1]);
  assert.notDeepEqual(vectors[0], vectors[2]);
  assert.ok(made.usage.prompt_tokens > 0);

  const asFloats = await client.embeddings.create({ model: EMBEDDING_MODEL, input: texts[0], encoding_format: 'float' });
  const floats = asFloats.data[0].embedding;
  assert.ok(Array.isArray(floats));
  assert.ok(floats.every((value, i) => Math.abs(value - vectors[0][i]) < 1e-6));
});

test('a bad key is an AuthenticationError', async () => {
  const error = await refused(sdk('pgpt-not-a-key').models.list(), OpenAI.AuthenticationError);
  assert.equal(error.status, 401);
  assert.equal(error.code, 'invalid_api_key');
});

test('a revoked key is an AuthenticationError', async () => {
  const revoked = sdk(env('SDK_TEST_REVOKED_KEY'));
  const error = await refused(
    revoked.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
    OpenAI.AuthenticationError,
  );
  assert.equal(error.status, 401);
  assert.equal(error.code, 'invalid_api_key');
});

test('a spent budget is a RateLimitError with insufficient_quota', async () => {
  const spent = sdk(env('SDK_TEST_SPENT_KEY'));
  const error = await refused(
    spent.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
    OpenAI.RateLimitError,
  );
  assert.equal(error.status, 429);
  assert.equal(error.code, 'insufficient_quota');
  assert.match(error.headers.get('retry-after') ?? '', /^\d+$/);
});

test('an unknown model is a NotFoundError', async () => {
  const error = await refused(ask('hi', { model: 'demo/nope' }), OpenAI.NotFoundError);
  assert.equal(error.status, 404);
  assert.equal(error.code, 'model_not_found');
});

test('an invalid body is a BadRequestError', async () => {
  const error = await refused(
    client.chat.completions.create({ model: MODEL, messages: [{ role: 'wizard', content: 'hi' }] }),
    OpenAI.BadRequestError,
  );
  assert.equal(error.status, 400);
  assert.equal(error.type, 'invalid_request_error');
});
