import ProxyCore

/// A chat-completions request the emulator answers.
struct SonarRequest {
    var model: String
    var stream: Bool
    var rawBody: [UInt8]
    /// `stream_options.include_usage`: an OpenAI-style `choices: []` usage chunk ends the stream.
    var includeUsage = false

    /// The request, or the 422 FastAPI sends for a body it cannot validate. Sonar ignores unknown fields.
    static func parse(_ body: [UInt8]) -> Result<SonarRequest, SonarRequestRefusal> {
        let document: JSONValue
        do {
            document = try JSONValue.parse(body)
        } catch {
            return .failure(
                SonarRequestRefusal(location: ["body", .int(error.offset)], message: "Expecting value", type: "value_error.jsondecode"))
        }
        guard case .object = document else {
            return .failure(SonarRequestRefusal(location: ["body"], message: "value is not a valid dict", type: "type_error.dict"))
        }
        for required in ["model", "messages"] where document[required] == nil {
            return .failure(
                SonarRequestRefusal(location: ["body", .string(required)], message: "field required", type: "value_error.missing"))
        }
        guard let model = document["model"]?.stringValue else {
            return .failure(SonarRequestRefusal(location: ["body", "model"], message: "str type expected", type: "type_error.str"))
        }
        let stream = document["stream"]?.boolValue ?? false
        return .success(
            SonarRequest(
                model: model, stream: stream, rawBody: body,
                includeUsage: stream && document["stream_options"]?["include_usage"]?.boolValue == true))
    }
}

/// One FastAPI validation failure: where, what, and its error type.
struct SonarRequestRefusal: Error {
    var location: [WireJSON]
    var message: String
    var type: String

    /// The 422 response.
    var response: ScriptedStream {
        UpstreamErrors.sonarValidation(location: location, message: message, type: type)
    }
}
