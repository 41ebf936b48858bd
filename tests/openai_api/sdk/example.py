from openai import OpenAI

client = OpenAI(base_url="http://127.0.0.1:8001/v1", api_key="pgpt-...")  # a key from Settings → API keys

reply = client.chat.completions.create(
    model="demo/echo",
    messages=[{"role": "user", "content": "Why is the sky blue?"}],
)
print(reply.choices[0].message.content)

stream = client.chat.completions.create(
    model="demo/echo",
    messages=[{"role": "user", "content": "Why is the sky blue?"}],
    stream=True,
    stream_options={"include_usage": True},
)
for chunk in stream:
    if chunk.choices:
        print(chunk.choices[0].delta.content or "", end="", flush=True)
    elif chunk.usage:
        print(f"\n({chunk.usage.total_tokens} tokens)")

vectors = client.embeddings.create(model="local/all-MiniLM-L6-v2-int8", input=["A heron stands in the river."])
print(len(vectors.data[0].embedding))
