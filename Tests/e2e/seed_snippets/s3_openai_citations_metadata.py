# Source: https://docs.perplexity.ai/guides/streaming ("Streaming Best Practices": "Gather all your citations and
# metadata in the final chunk of the response neatly in an array."). The stored copy of that revision is cut off
# after `client.chat.completions.creat`; the rest is the later revision's loop
# (https://docs.perplexity.ai/guides/streaming-responses, see s3b) with `search_results` read as `citations`, the
# field that revision names. The runner swaps only the base URL and the key.
from openai import OpenAI

client = OpenAI(
    api_key="YOUR_API_KEY",
    base_url="https://api.perplexity.ai"
)

stream = client.chat.completions.create(
    model="sonar-pro",
    messages=[
        {"role": "user", "content": "Compare renewable energy technologies"}
    ],
    stream=True
)

content = ""
citations = []
usage_info = None

for chunk in stream:
    # Content arrives progressively
    if chunk.choices[0].delta.content is not None:
        content_chunk = chunk.choices[0].delta.content
        content += content_chunk
        print(content_chunk, end="")
    
    # Metadata arrives in final chunks
    if hasattr(chunk, 'citations') and chunk.citations:
        citations = chunk.citations
    
    if hasattr(chunk, 'usage') and chunk.usage:
        usage_info = chunk.usage
    
    # Handle completion
    if chunk.choices[0].finish_reason is not None:
        print(f"\n\nFinish reason: {chunk.choices[0].finish_reason}")
        print(f"Citations: {citations}")
        print(f"Usage: {usage_info}")
