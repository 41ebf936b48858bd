import OpenAI from 'openai';

const client = new OpenAI({ baseURL: 'http://127.0.0.1:8001/v1', apiKey: 'pgpt-...' }); // Settings → API keys

const reply = await client.chat.completions.create({
  model: 'demo/echo',
  messages: [{ role: 'user', content: 'Why is the sky blue?' }],
});
console.log(reply.choices[0].message.content);

const stream = await client.chat.completions.create({
  model: 'demo/echo',
  messages: [{ role: 'user', content: 'Why is the sky blue?' }],
  stream: true,
  stream_options: { include_usage: true },
});
for await (const chunk of stream) {
  if (chunk.choices.length) process.stdout.write(chunk.choices[0].delta.content ?? '');
  else if (chunk.usage) console.log(`\n(${chunk.usage.total_tokens} tokens)`);
}

const vectors = await client.embeddings.create({
  model: 'local/all-MiniLM-L6-v2-int8',
  input: ['A heron stands in the river.'],
});
console.log(vectors.data[0].embedding.length);
