/// One web search result, in the fields both APIs report.
struct SearchSource {
    /// The Agent API's result id, which `[n]` markers refer to.
    var id: Int
    var title: String
    var url: String
    var date: String?
    var lastUpdated: String?
    var snippet: String

    /// The same page under another result id, as repeated searches report it.
    func renumbered(_ id: Int) -> SearchSource {
        var copy = self
        copy.id = id
        return copy
    }
}
