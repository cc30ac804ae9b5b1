# Source: https://docs.perplexity.ai/guides/streaming ("Streaming Responses", "Basic Implementation"); identical
# in https://docs.perplexity.ai/guides/streaming-responses. Verbatim; the runner swaps only the base URL
# (https://api.perplexity.ai) and the key (YOUR_API_KEY).
import requests

# Set up the API endpoint and headers
url = "https://api.perplexity.ai/chat/completions"
headers = {
    "Authorization": "Bearer YOUR_API_KEY",
    "Content-Type": "application/json"
}

payload = {
    "model": "sonar-pro",
    "messages": [
        {"role": "user", "content": "Who are the top 5 tech influencers on X?"}
    ],
    "stream": True  # Enable streaming for real-time responses
}

response = requests.post(url, headers=headers, json=payload, stream=True)

# Process the streaming response (simplified example)
for line in response.iter_lines():
    if line:
        print(line.decode('utf-8'))
