# Source: https://docs.perplexity.ai/guides/streaming ("Streaming Responses", "Basic Streaming Example", Using
# OpenAI Python Client); identical in the later https://docs.perplexity.ai/guides/streaming-responses.
# Verbatim; the runner swaps only the base URL (https://api.perplexity.ai) and the key (YOUR_API_KEY).
from openai import OpenAI

client = OpenAI(
    api_key="YOUR_API_KEY",
    base_url="https://api.perplexity.ai"
)

stream = client.chat.completions.create(
    model="sonar",
    messages=[{"role": "user", "content": "What is the latest in AI research?"}],
    stream=True
)

for chunk in stream:
    if chunk.choices[0].delta.content is not None:
        print(chunk.choices[0].delta.content, end="")
