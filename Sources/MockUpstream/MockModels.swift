/// `GET /v1/models`: an OpenAI-style list whose entries carry `pricing`, as the live Agent API's do.
enum MockModels {
    /// The ids the emulator lists, with their USD price per million input and output tokens.
    static let catalog: [(id: String, input: String, output: String)] = [
        ("anthropic/claude-sonnet-4-6", "3", "15"), ("openai/gpt-5.5", "5", "30"), ("openai/gpt-6-luna", "0.1", "0.5"),
        ("perplexity/sonar", "0.25", "2.5"),
    ]

    /// The 200 response.
    static let response: ScriptedStream = {
        let data: [WireJSON] = catalog.map { entry in
            [
                "created": 0, "id": .string(entry.id), "object": "model",
                "owned_by": .string(String(entry.id.prefix { $0 != "/" })),
                "pricing": ["input": .number(entry.input), "output": .number(entry.output), "unit": "usd_per_1m_tokens"],
            ]
        }
        let body: WireJSON = ["data": .array(data), "object": "list"]
        return MockHTTP.json(status: 200, body.encoded(.goMap) + [UInt8(ascii: "\n")])
    }()
}
