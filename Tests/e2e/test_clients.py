"""Client libraries beyond the bare SDK calls, in agent mode (CONTRACT.md "Streams to clients", function calling and
`response_format`; "Endpoints" `/responses`; "Errors" `x-should-retry`; `stream.metadata: "sonar"`):

- openai SDK function calling, non-streaming, streaming and the `.stream()` helper, over two turns;
- instructor in TOOLS and JSON mode;
- LangChain `ChatOpenAI`: structured output (json_mode, function_calling) and streamed usage that is not doubled;
- langchain-perplexity `ChatPerplexity` streaming citations against `--metadata sonar`;
- the openai Responses API with a client-facing model id, and `POST /responses` without `/v1`;
- an SDK that does not retry a 502 the proxy marks `x-should-retry: false`.

The agent emulator calls the first declared function (or the one `tool_choice` names) when the input has no
`function_call_output`, with arguments built from its JSON schema; once the input has a `function_call_output`, its
answer text contains that output. It answers JSON requests with an object matching a JSON schema found in the request
(`response_format` or the prompt text).
"""

from __future__ import annotations

import json

import httpx
import instructor
import openai
import perplexity
import pytest
import requests
from langchain_openai import ChatOpenAI
from langchain_perplexity import ChatPerplexity
from perplexity import Perplexity
from pydantic import BaseModel

from conftest import clean_env
from support import (
    CANONICAL_CITATIONS, CANONICAL_TEXT, MEMBER_KEY, QUESTION, assert_error_body, get, post, tee_http_client,
)
from test_openai_sdk import client, openai_httpx

AGENT = ("agent", "final")

WEATHER_PROMPT = "What is the weather in Paris? Use get_weather."
WEATHER_TOOLS = [{
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city, e.g. Paris"}},
            "required": ["city"],
        },
    },
}]
TOOL_OUTPUT = "Sunny, 21 C"
# Perplexity's own search call, which must never reach a client as a tool call.
INTERNAL_SEARCH_CALL = "search_web"
# What the refusing upstream of the retry test expects instead of the proxy's key.
OTHER_UPSTREAM_KEY = "some-other-upstream-key"


class City(BaseModel):
    name: str
    population: int


CITY_PROMPT = "Paris is the capital of France and has about 2,100,000 inhabitants. Which city is it?"


def v1(stack) -> str:
    return stack.url + "/v1"


# ---- 1. openai SDK function calling --------------------------------------------------------------------------

def assert_weather_call(call_id: str, call_type: str | None, name: str, arguments: str) -> dict:
    assert call_type == "function", call_type
    assert name == "get_weather", f"tool call name {name!r}"
    assert isinstance(call_id, str) and call_id, f"tool call id {call_id!r}"
    args = json.loads(arguments)
    assert isinstance(args, dict), arguments
    assert isinstance(args.get("city"), str) and args["city"], arguments
    return args


def assistant_turn(call_id: str, name: str, arguments: str, content: str | None = None) -> dict:
    return {"role": "assistant", "content": content,
            "tool_calls": [{"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}]}


def tool_turn(call_id: str) -> dict:
    return {"role": "tool", "tool_call_id": call_id, "content": TOOL_OUTPUT}


def collect_tool_call_stream(stream) -> tuple[str, dict[int, dict], list[str]]:
    """Accumulates a chat stream's content and `delta.tool_calls` by index, the way the SDK's `.stream()` helper and
    LangChain do: id, name and arguments are concatenated, type is taken as sent. Returns content, calls and the
    finish reasons seen."""
    content, calls, finishes = "", {}, []
    for chunk in stream:
        for choice in chunk.choices:
            delta = choice.delta
            if delta is not None:
                content += delta.content or ""
                for tc in delta.tool_calls or []:
                    assert isinstance(tc.index, int), f"tool call delta without index: {tc!r}"
                    acc = calls.setdefault(tc.index, {"id": "", "type": None, "name": "", "arguments": ""})
                    acc["id"] += tc.id or ""
                    if tc.type:
                        acc["type"] = tc.type
                    if tc.function is not None:
                        acc["name"] += tc.function.name or ""
                        acc["arguments"] += tc.function.arguments or ""
            if choice.finish_reason:
                finishes.append(choice.finish_reason)
    return content, calls, finishes


def test_function_call_non_streaming_two_turns(stacks):
    sdk = client(v1(stacks(AGENT)))
    messages = [{"role": "user", "content": WEATHER_PROMPT}]
    first = sdk.chat.completions.create(model="sonar", messages=messages, tools=WEATHER_TOOLS)
    choice = first.choices[0]
    assert choice.message.tool_calls, f"no tool call in turn 1: {choice.message!r}"
    assert INTERNAL_SEARCH_CALL not in [c.function.name for c in choice.message.tool_calls]
    call = choice.message.tool_calls[0]
    assert_weather_call(call.id, call.type, call.function.name, call.function.arguments)
    assert choice.finish_reason == "tool_calls", choice.finish_reason

    messages += [assistant_turn(call.id, call.function.name, call.function.arguments, choice.message.content),
                 tool_turn(call.id)]
    second = sdk.chat.completions.create(model="sonar", messages=messages, tools=WEATHER_TOOLS)
    choice = second.choices[0]
    assert choice.finish_reason == "stop", choice.finish_reason
    assert not choice.message.tool_calls, choice.message.tool_calls
    assert TOOL_OUTPUT in (choice.message.content or ""), choice.message.content


def test_function_call_streaming_two_turns(stacks):
    sdk = client(v1(stacks(AGENT)))
    messages = [{"role": "user", "content": WEATHER_PROMPT}]
    content, calls, finishes = collect_tool_call_stream(
        sdk.chat.completions.create(model="sonar", messages=messages, tools=WEATHER_TOOLS, stream=True))
    assert INTERNAL_SEARCH_CALL not in [c["name"] for c in calls.values()], calls
    assert sorted(calls) == [0], f"expected one tool call at index 0: {calls!r}"
    call = calls[0]
    assert_weather_call(call["id"], call["type"], call["name"], call["arguments"])
    assert finishes == ["tool_calls"], finishes

    messages += [assistant_turn(call["id"], call["name"], call["arguments"], content or None), tool_turn(call["id"])]
    content, calls, finishes = collect_tool_call_stream(
        sdk.chat.completions.create(model="sonar", messages=messages, tools=WEATHER_TOOLS, stream=True))
    assert calls == {}, calls
    assert finishes == ["stop"], finishes
    assert TOOL_OUTPUT in content, content


def test_function_call_through_the_stream_helper(stacks):
    """`chat.completions.stream()` accumulates tool-call deltas itself and fails on malformed ones."""
    sdk = client(v1(stacks(AGENT)))
    with sdk.chat.completions.stream(model="sonar", messages=[{"role": "user", "content": WEATHER_PROMPT}],
                                     tools=WEATHER_TOOLS) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls", choice.finish_reason
    assert choice.message.tool_calls and len(choice.message.tool_calls) == 1, choice.message
    call = choice.message.tool_calls[0]
    assert_weather_call(call.id, call.type, call.function.name, call.function.arguments)


@pytest.mark.parametrize("stream", [False, True], ids=["non-stream", "stream"])
def test_tool_result_in_the_history_is_answered(stacks, stream):
    """A history that already holds the call and its result (ids chosen by the client) gets a text answer built on
    the result: the proxy sends them as `function_call` / `function_call_output` items."""
    sdk = client(v1(stacks(AGENT)))
    messages = [{"role": "user", "content": WEATHER_PROMPT},
                assistant_turn("call_client_1", "get_weather", json.dumps({"city": "Paris"})),
                tool_turn("call_client_1")]
    if stream:
        content, calls, finishes = collect_tool_call_stream(
            sdk.chat.completions.create(model="sonar", messages=messages, tools=WEATHER_TOOLS, stream=True))
    else:
        choice = sdk.chat.completions.create(model="sonar", messages=messages, tools=WEATHER_TOOLS).choices[0]
        content, calls, finishes = choice.message.content or "", choice.message.tool_calls or {}, [choice.finish_reason]
    assert not calls, calls
    assert finishes == ["stop"], finishes
    assert TOOL_OUTPUT in content, content


def test_tool_type_the_agent_api_lacks_is_400_naming_tools(stacks):
    stack = stacks(AGENT)
    custom_tools = [{"type": "custom", "custom": {"name": "x"}}]
    with pytest.raises(openai.BadRequestError) as info:
        client(v1(stack)).chat.completions.create(
            model="sonar", messages=[{"role": "user", "content": QUESTION}], tools=custom_tools)
    assert info.value.status_code == 400
    # the same request raw: the contract's envelope, an invalid_request_error that names `tools`
    resp = post(stack.chat_url, {"model": "sonar", "messages": [{"role": "user", "content": QUESTION}],
                                 "tools": custom_tools}, stream=False)
    assert resp.status == 400, resp.body[:500]
    err = assert_error_body(resp.json())
    assert err["type"] == "invalid_request_error", err
    assert "tools" in (err["param"] or "") or "tools" in err["message"], err


# ---- 2. instructor -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", [instructor.Mode.TOOLS, instructor.Mode.JSON], ids=["tools", "json"])
def test_instructor_returns_a_model_instance(stacks, mode):
    """TOOLS sends `tools` + a forced `tool_choice` and reads the call's arguments; JSON sends
    `response_format: {"type": "json_object"}` with the schema in a system message and parses the content."""
    patched = instructor.from_openai(client(v1(stacks(AGENT))), mode=mode)
    city = patched.chat.completions.create(model="sonar", response_model=City, max_retries=0,
                                           messages=[{"role": "user", "content": CITY_PROMPT}])
    assert isinstance(city, City), city
    assert city.name, city


# ---- 3. LangChain ChatOpenAI -------------------------------------------------------------------------------

def chat_openai(stack, **kwargs) -> ChatOpenAI:
    return ChatOpenAI(base_url=v1(stack), api_key=MEMBER_KEY, model="sonar", timeout=20, max_retries=0,
                      http_client=tee_http_client(openai_httpx(), "langchain-openai"), **kwargs)


def test_langchain_structured_output_json_mode(stacks):
    """json_mode sends only `response_format: {"type": "json_object"}`; the schema has to be in the prompt."""
    schema = json.dumps(City.model_json_schema())
    result = chat_openai(stacks(AGENT)).with_structured_output(City, method="json_mode").invoke(
        f"{CITY_PROMPT} Answer as JSON matching this schema: {schema}")
    assert isinstance(result, City), result


def test_langchain_structured_output_function_calling(stacks):
    """function_calling sends the model as a function tool, `tool_choice` naming it, and `parallel_tool_calls:
    false`; LangChain returns None when no tool call comes back."""
    result = chat_openai(stacks(AGENT)).with_structured_output(City, method="function_calling").invoke(CITY_PROMPT)
    assert isinstance(result, City), result


def test_langchain_streamed_usage_is_not_doubled(stacks):
    """With `stream_usage=True` (stream_options.include_usage) LangChain adds up the usage of every chunk: usage
    must come on one chunk only, and the total must equal what a non-streaming call reports."""
    stack = stacks(AGENT)
    total = None
    for chunk in chat_openai(stack, stream_usage=True).stream(QUESTION):
        total = chunk if total is None else total + chunk
    assert total is not None and total.usage_metadata, total
    usage = client(v1(stack)).chat.completions.create(
        model="sonar", messages=[{"role": "user", "content": QUESTION}]).usage
    got = total.usage_metadata
    assert (got["input_tokens"], got["output_tokens"], got["total_tokens"]) == (
        usage.prompt_tokens, usage.completion_tokens, usage.total_tokens), got


# ---- 4. langchain-perplexity ChatPerplexity with stream.metadata "sonar" -----------------------------------

def test_chat_perplexity_streaming_citations_with_sonar_metadata(spawn):
    """ChatPerplexity reads `citations` and `search_results` from the first chunk that has choices only (and usage
    as running totals). `--metadata sonar` puts them on every chunk once known, so the first one has them.
    ChatPerplexity has no base-URL option: it builds a `perplexity.Perplexity` client, which reads
    PERPLEXITY_BASE_URL; here the client is passed in."""
    mock = spawn("mock", "agent")
    proxy = spawn("proxy", mock.url, "agent", "sonar")
    pplx = Perplexity(api_key=MEMBER_KEY, base_url=proxy.url, timeout=20, max_retries=0,
                      http_client=tee_http_client(httpx, "langchain-perplexity"))
    llm = ChatPerplexity(client=pplx, api_key=MEMBER_KEY, model="sonar", timeout=20, max_retries=0)

    streamed = None
    for chunk in llm.stream(QUESTION):
        streamed = chunk if streamed is None else streamed + chunk
    whole = llm.invoke(QUESTION)

    assert streamed is not None
    assert streamed.content == whole.content, (streamed.content, whole.content)
    citations = streamed.additional_kwargs.get("citations")
    assert citations, f"no citations on the streamed message: {streamed.additional_kwargs!r}"
    assert citations == whole.additional_kwargs.get("citations") == CANONICAL_CITATIONS, citations
    results = streamed.additional_kwargs.get("search_results") or []
    assert [r["url"] for r in results] == CANONICAL_CITATIONS, results
    assert streamed.usage_metadata and whole.usage_metadata
    for key in ("input_tokens", "output_tokens", "total_tokens"):
        assert streamed.usage_metadata[key] == whole.usage_metadata[key], (streamed.usage_metadata,
                                                                             whole.usage_metadata)


# ---- 5. the Responses API by client-facing model id --------------------------------------------------------

@pytest.mark.parametrize("suffix", ["/v1", ""], ids=["v1", "root"])
def test_responses_api_with_a_client_facing_model_id(stacks, suffix):
    """The SDK posts to base_url + "/responses": /v1/responses, or /responses with a root base URL."""
    stack = stacks(AGENT)
    response = client(stack.url + suffix).responses.create(model="sonar", input=QUESTION)
    assert response.output_text, response
    upstream = stack.mock_stats()["last_request"]
    assert upstream["path"] in ("/v1/responses", "/v1/agent"), upstream
    assert upstream["body"]["model"] == "perplexity/sonar", upstream["body"]


def test_raw_post_to_responses_without_v1(stacks):
    resp = post(stacks(AGENT).url + "/responses", {"model": "sonar", "input": QUESTION}, stream=False)
    assert resp.status == 200, resp.body[:500]
    body = resp.json()
    texts = [part.get("text") or "" for item in body.get("output") or [] if item.get("type") == "message"
             for part in item.get("content") or [] if part.get("type") == "output_text"]
    assert "".join(texts), body


@pytest.mark.parametrize("events", ["openai", "raw"])
def test_responses_stream_helper(spawn, tmp_path, events):
    """The SDK's `responses.stream()` accumulator accepts the stream once `stream.responses_events` is "openai";
    on Perplexity's raw events (content null, no content_part.added) it fails, which is why raw stays opt-out."""
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"stream": {"responses_events": events}}))
    mock = spawn("mock", "agent")
    proxy = spawn("proxy", mock.url, "agent", "final", "--config", str(config))
    sdk = client(proxy.url + "/v1")
    if events == "raw":
        with pytest.raises(Exception):
            with sdk.responses.stream(model="sonar", input=QUESTION) as stream:
                for _ in stream:
                    pass
        return
    deltas: list[str] = []
    with sdk.responses.stream(model="sonar", input=QUESTION) as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                deltas.append(event.delta)
        final = stream.get_final_response()
    assert len(deltas) > 1, deltas
    assert final.output_text == "".join(deltas), (final.output_text, deltas)
    assert final.output_text == CANONICAL_TEXT, final.output_text


# ---- 6. a 502 a retry cannot fix is not retried ------------------------------------------------------------

def requests_counted(proxy_url: str, route: str) -> int:
    """The sum of `pplx_requests_total{route=ROUTE,...}` over every status."""
    resp = get(proxy_url + "/metrics")
    assert resp.status == 200, resp.body[:300]
    total = 0
    for line in resp.body.decode().splitlines():
        if line.startswith("pplx_requests_total{") and f'route="{route}"' in line:
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


@pytest.mark.parametrize("sdk", ["openai", "openai-stream", "perplexityai"])
def test_sdk_does_not_retry_a_502_marked_not_retryable(spawn, sdk):
    """The upstream refuses the proxy's key: 502 `upstream_auth_failed` with `x-should-retry: false`, which both
    Stainless SDKs obey (they otherwise retry every 5xx)."""
    mock = spawn("raw", "mock-agent-otherkey",
                 ["mock-upstream", "--listen", "127.0.0.1:0", "--api", "agent", "--expect-key", OTHER_UPSTREAM_KEY],
                 clean_env())
    proxy = spawn("proxy", mock.url, "agent", "final")
    messages = [{"role": "user", "content": QUESTION}]
    if sdk == "perplexityai":
        pplx = Perplexity(api_key=MEMBER_KEY, base_url=proxy.url, timeout=20, max_retries=2,
                          http_client=tee_http_client(httpx, "perplexityai"))
        with pytest.raises(perplexity.APIStatusError) as info:
            pplx.chat.completions.create(model="sonar", messages=messages)
    else:
        sdk_client = openai.OpenAI(api_key=MEMBER_KEY, base_url=proxy.url + "/v1", timeout=20, max_retries=2,
                                   http_client=tee_http_client(openai_httpx(), "openai"))
        with pytest.raises(openai.APIStatusError) as info:
            result = sdk_client.chat.completions.create(model="sonar", messages=messages,
                                                        stream=sdk == "openai-stream")
            if sdk == "openai-stream":
                list(result)
    err = info.value
    assert err.status_code == 502, err
    assert "upstream_auth_failed" in err.response.text, err.response.text
    seen = requests_counted(proxy.url, "chat_completions")
    assert seen == 1, f"the proxy answered {seen} chat requests: the SDK retried"
    assert err.response.headers.get("x-should-retry") == "false", dict(err.response.headers)
    assert requests.get(mock.url + "/mock/stats", timeout=(5, 20)).json()["requests"] == 1
