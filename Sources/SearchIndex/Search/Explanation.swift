/// How a hit's score was computed, as a tree.
public struct Explanation: Sendable, CustomStringConvertible {
    /// This node's score contribution.
    public var value: Float
    /// The tree, one node per line, indented by depth.
    public var description: String { render(indent: 0) }
    /// What this node computes.
    public var summary: String
    /// The parts it was computed from.
    public var details: [Explanation]
    /// A node with its value, summary and parts.
    public init(value: Float, description: String, details: [Explanation] = []) {
        self.value = value; self.summary = description; self.details = details
    }
    func render(indent: Int) -> String {
        var s = String(repeating: "  ", count: indent) + "\(value) \(summary)"
        for d in details { s += "\n" + d.render(indent: indent + 1) }
        return s
    }
}
