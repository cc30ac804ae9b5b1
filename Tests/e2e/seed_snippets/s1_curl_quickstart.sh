# Source: https://docs.perplexity.ai/guides/streaming ("Streaming Responses", Quick Start, the older revision of
# https://docs.perplexity.ai/guides/streaming-responses). Verbatim; the runner swaps only the base URL
# (https://api.perplexity.ai) and the key (YOUR_API_KEY). That revision's Quick Start has no -N.
curl https://api.perplexity.ai/chat/completions \
  -H "Authorization: Bearer YOUR_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{
    "model": "sonar",
    "messages": [{"role": "user", "content": "Explain quantum computing"}],
    "stream": true
  }'
